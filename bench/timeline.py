"""The timeline at 50,000 photos in Chromium: time to the first tiles, then scroll through the whole library and
read the JS heap, the DOM's node count and the browser's memory. Run it against this checkout and against an older
one (`--code`) to compare; `--api` times the month counts and a month's first page at 300,000 photos instead.

    .venv/bin/python bench/timeline.py --photos 50000
    git archive main | tar -x -C /tmp/old && .venv/bin/python bench/timeline.py --photos 50000 --code /tmp/old
    .venv/bin/python bench/timeline.py --api --photos 300000

The library is generated fast (bench/big_library.py: rows inserted straight into the database, tiny real WebP
thumbnails hard-linked), served by the app in its own process (werkzeug, threaded) on a throw-away data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.big_library import fill_library  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--enable-precise-memory-info"]
PASSWORD = "correct horse battery"
SETTINGS = {"WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True, "FACES_ENABLED": False, "OCR_ENABLED": False,
            "PLACES_ENABLED": False, "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
            "LOG_LEVEL": "WARNING", "AUTH_RATE_LIMIT_PER_MINUTE": 100000}
SERVE = """
import json, sys
from werkzeug.serving import run_simple
from shoebox import create_app
config = json.loads(sys.argv[1])
run_simple("127.0.0.1", int(sys.argv[2]), create_app(config, env_file=None), threaded=True)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(code: Path, data: Path, port: int) -> subprocess.Popen:
    config = json.dumps({**SETTINGS, "DATA_DIR": str(data), "PUBLIC_URL": f"http://127.0.0.1:{port}"})
    env = {**os.environ, "PYTHONPATH": str(code)}
    server = subprocess.Popen([sys.executable, "-c", SERVE, config, str(port)], cwd=code, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def browser_memory() -> int:
    """RSS of this run's Chromium renderer and GPU processes (the page's share of the browser), in bytes."""
    total = 0
    for process in psutil.Process().children(recursive=True):
        try:
            command = " ".join(process.cmdline())
            if "--type=renderer" in command or "--type=gpu-process" in command:
                total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def measure(page, client) -> dict:
    """JS heap, DOM nodes and the browser's memory now, then once more after a critical memory-pressure signal
    (Chromium then drops its caches and sweeps the DOM nodes removed earlier: what the page itself keeps)."""
    def read() -> dict:
        for _ in range(3):
            client.send("HeapProfiler.collectGarbage")
            page.wait_for_timeout(500)
        metrics = {m["name"]: m["value"] for m in client.send("Performance.getMetrics")["metrics"]}
        return {"js_heap_mb": round(metrics["JSHeapUsedSize"] / 1e6, 1), "dom_nodes": int(metrics["Nodes"]),
                "renderer_and_gpu_mb": round(browser_memory() / 1e6)}

    shown = {"elements": page.evaluate("document.getElementsByTagName('*').length"),
             "tiles": page.evaluate("document.querySelectorAll('[data-grid] a.tile').length")}
    now = read()
    client.send("Memory.simulatePressureNotification", {"level": "critical"})
    page.wait_for_timeout(1000)
    return {**shown, **now, "after_pressure": read()}


def first_tiles(page) -> float:
    """Milliseconds from the navigation's start until the first tile's thumbnail is shown."""
    page.goto("/", wait_until="commit")
    handle = page.wait_for_function("""() => {
        const img = document.querySelector('[data-grid] a.tile img');
        return img && img.complete && img.naturalWidth > 0 && performance.now();
    }""", timeout=60000, polling=10)
    return round(handle.json_value())


def scroll_virtual(page, limit_s: float) -> int:
    """Scroll a screen at a time, each time until the screen's tiles are there; returns the photos passed."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        at_end = page.evaluate("""() => { scrollBy(0, innerHeight);
            return innerHeight + scrollY >= document.documentElement.scrollHeight - 2; }""")
        page.wait_for_function("""() => ![...document.querySelectorAll('[data-grid] .skeleton')].some((s) => {
            const box = s.getBoundingClientRect(); return box.bottom > 0 && box.top < innerHeight; })""",
                               timeout=30000, polling=20)
        if at_end:
            break
    return page.evaluate("1 + Math.max(...[...document.querySelectorAll('[data-grid] a.tile')]"
                         ".map((tile) => Number(tile.dataset.index)))")


def scroll_appending(page, photos: int, limit_s: float) -> int:
    """The old grid: scroll to the bottom until it holds every photo (or the time is up); returns the tiles."""
    deadline = time.monotonic() + limit_s
    count = 0
    while time.monotonic() < deadline and count < photos:
        page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
        try:
            page.wait_for_function(f"document.querySelectorAll('[data-grid] a.tile').length > {count}",
                                   timeout=10000, polling=50)
        except Exception:  # noqa: BLE001 - the old grid's stall: nudge it as a user would
            page.evaluate("scrollBy(0, -1500)")
            time.sleep(0.3)
        count = page.evaluate("document.querySelectorAll('[data-grid] a.tile').length")
    return count


def browse(args, url: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(base_url=url, viewport={"width": args.width, "height": args.height})
        context.request.post("/api/auth/login", data={"email": "bench@example.com", "password": PASSWORD})
        page = context.new_page()
        client = context.new_cdp_session(page)
        client.send("Performance.enable")
        result = {"first_tiles_ms": first_tiles(page)}
        page.wait_for_timeout(1000)
        result["at_start"] = measure(page, client)
        started = time.monotonic()
        virtual = page.evaluate("!!document.querySelector('[data-scrubber]')")
        passed = scroll_virtual(page, args.limit) if virtual else scroll_appending(page, args.photos, args.limit)
        result["scroll_s"] = round(time.monotonic() - started, 1)
        result["photos_scrolled_through"] = passed
        result["after_scrolling"] = measure(page, client)
        browser.close()
    return result


def run_browser(args) -> dict:
    data = Path(tempfile.mkdtemp(prefix="bench-timeline-")) / "data"
    port = free_port()
    server = serve(args.code, data, port)
    url = f"http://127.0.0.1:{port}"
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            request = playwright.request.new_context(base_url=url)
            reply = request.post("/api/auth/register", data={"email": "bench@example.com", "password": PASSWORD})
            assert reply.ok, reply.text()
            user_id = request.get("/api/me").json()["id"]
            request.dispose()
        started = time.monotonic()
        fill_library(f"sqlite:///{data / 'shoebox.db'}", data, user_id, args.photos)
        print(f"generated {args.photos} photos in {time.monotonic() - started:.1f} s", file=sys.stderr)
        return {"code": str(args.code), "photos": args.photos, "viewport": f"{args.width}x{args.height}",
                **browse(args, url)}
    finally:
        server.terminate()
        server.wait(10)


def run_api(args) -> dict:
    """Month counts and a month's first page, through the app's test client, on a library of `--photos` rows."""
    from shoebox import create_app
    from tests.conftest import Account

    data = Path(tempfile.mkdtemp(prefix="bench-timeline-api-")) / "data"
    app = create_app({**SETTINGS, "DATA_DIR": str(data)}, env_file=None)
    user = Account(app, "bench@example.com")
    user_id = user.get("/api/me").json["id"]
    fill_library(str(app.extensions["db"].engine.url), data, user_id, args.photos, thumbnails=False)
    timeline = user.get("/api/timeline").json
    middle = timeline["months"][len(timeline["months"]) // 2]["month"]

    def timed(url: str) -> float:
        samples = []
        for _ in range(7):
            started = time.perf_counter()
            assert user.get(url).status_code == 200
            samples.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(samples[1:]), 1)

    return {"photos": timeline["total"], "months": len(timeline["months"]), "timeline_ms": timed("/api/timeline"),
            "month_page_ms": timed(f"/api/photos?to={middle}-28&limit=200"),
            "first_page_ms": timed("/api/photos?limit=200")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=50_000)
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout to serve (default: this one)")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--limit", type=float, default=600, help="seconds of scrolling at most")
    parser.add_argument("--api", action="store_true", help="time the API at this size instead of the browser")
    args = parser.parse_args()
    print(json.dumps(run_api(args) if args.api else run_browser(args), indent=2))


if __name__ == "__main__":
    main()
