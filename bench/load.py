"""Load test: N concurrent users browse, search and upload against the production server (gunicorn + SQLite).

Starts `gunicorn -c gunicorn.conf.py` on 127.0.0.1 with a fresh temp data directory, seeds one account and a few
photos per user, then runs the users (threads with keep-alive connections) for --duration seconds (or until
--max-requests), and prints requests/s, p50/p95/p99 per route, the error count, the server's CPU time per request
(all its processes, from /proc: what scales, where latencies on a shared machine do not) and the load average.
Models and the offline analysis parts are off (the figures measure the web stack); `--analysis` turns faces,
places and OCR on, so the in-process job worker analyses every upload beside the requests.

    .venv/bin/python bench/load.py --users 20 --duration 60
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
ROUTES = {"list": 30, "detail": 20, "thumbnail": 30, "search": 15, "upload": 5}
WORDS = ["red", "photo", "beach", "jpg", "cat", "2024", "snow", "car", "upload", "city"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jpeg(seed: int, size: tuple[int, int] = (640, 480)) -> bytes:
    """A distinct photo-like JPEG per seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    noise = Image.frombytes("RGB", (size[0] // 8, size[1] // 8), rng.randbytes(size[0] * size[1] * 3 // 64))
    image.paste(noise.resize(size), (0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


class Client:
    """One user: a keep-alive connection and a token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = ""

    def request(self, method: str, path: str, body: bytes | None = None, ctype: str | None = None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if ctype:
            headers["Content-Type"] = ctype
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                reply = self.conn.getresponse()
                return reply.status, reply.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # the server closed an idle keep-alive connection: reconnect once
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, payload: dict | None = None):
        status, data = self.request(method, path, json.dumps(payload).encode() if payload else None,
                                    "application/json" if payload else None)
        return status, json.loads(data or b"{}")

    def upload(self, name: str, content: bytes):
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
                f"Content-Type: image/jpeg\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", "/api/photos", body, f"multipart/form-data; boundary={boundary}")


def serve(data_dir: Path, port: int, workers: int, threads: int, analysis: bool = False) -> subprocess.Popen:
    parts = "1" if analysis else "0"
    env = {**os.environ, "DATA_DIR": str(data_dir), "SHOEBOX_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": str(workers), "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
           "FACES_ENABLED": parts, "PLACES_ENABLED": parts, "OCR_ENABLED": parts,
           "AUTH_RATE_LIMIT_PER_MINUTE": "100000", "LOG_LEVEL": "WARNING", "REGISTRATION": "open"}
    args = [sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"), "--chdir", str(REPO),
            "--threads", str(threads), "--access-logfile", "/dev/null"]
    server = subprocess.Popen(args, env=env, cwd=data_dir.parent, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Client(port).request("GET", "/api/openapi.json")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit("the server did not start")


def seed(port: int, users: int, photos: int) -> list[tuple[Client, list[int]]]:
    """An account per user with a few photos each."""
    seeded = []
    for index in range(users):
        client = Client(port)
        status, reply = client.json("POST", "/api/auth/register",
                                    {"email": f"user{index}@example.com", "password": "correct horse battery"})
        assert status == 201, reply
        client.token = reply["access_token"]
        ids = []
        for k in range(photos):
            status, data = client.upload(f"seed-{k}.jpg", jpeg(index * 1000 + k))
            assert status == 201, data
            ids.append(json.loads(data)["photos"][0]["id"])
        seeded.append((client, ids))
    return seeded


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.count = 0

    def add(self, route: str, seconds: float, ok: bool, detail: str) -> None:
        with self.lock:
            self.latencies[route].append(seconds)
            self.count += 1
            if not ok:
                self.errors.append(f"{route}: {detail}")


def user(client: Client, ids: list[int], rec: Recorder, stop: float, max_requests: int, seed_: int) -> None:
    """Browse, search and upload until the time or the request budget runs out."""
    rng = random.Random(seed_)
    names, weights = list(ROUTES), list(ROUTES.values())
    uploads = 0
    while time.monotonic() < stop and rec.count < max_requests:
        route = rng.choices(names, weights)[0]
        started = time.perf_counter()
        try:
            status, detail = _act(client, route, ids, rng, seed_ * 100_000 + uploads)
        except Exception as exc:  # a dropped connection is an error too
            status, detail = 0, repr(exc)
        uploads += route == "upload"
        rec.add(route, time.perf_counter() - started, status in (200, 201), f"{status} {detail}"[:200])


def _act(client: Client, route: str, ids: list[int], rng: random.Random, upload_seed: int) -> tuple[int, str]:
    if route == "list":
        status, data = client.request("GET", "/api/photos?limit=50")
    elif route == "detail":
        status, data = client.request("GET", f"/api/photos/{rng.choice(ids)}")
    elif route == "thumbnail":
        status, data = client.request("GET", f"/api/photos/{rng.choice(ids)}/thumbnail?size=small")
    elif route == "search":
        status, data = client.request("GET", f"/api/search?q={'+'.join(rng.sample(WORDS, 2))}")
    else:
        status, data = client.upload(f"load-{upload_seed}.jpg", jpeg(upload_seed))
        if status == 201:
            ids.append(json.loads(data)["photos"][0]["id"])
    return status, "" if status in (200, 201) else data[:150].decode(errors="replace")


def cpu_seconds(group: int) -> float:
    """User + system CPU time of every live process in the server's process group (Linux /proc; 0 elsewhere)."""
    total, tick = 0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
        except (OSError, ValueError):
            continue  # not a process, or it ended meanwhile
        if entry.isdigit() and int(fields[2]) == group:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def report(rec: Recorder, elapsed: float, cpu: float) -> str:
    lines = [f"{rec.count} requests in {elapsed:.1f} s = {rec.count / elapsed:.1f} requests/s; "
             f"errors: {len(rec.errors)}",
             f"server CPU {cpu:.1f} s = {cpu * 1000 / max(rec.count, 1):.2f} ms per request "
             f"({cpu / elapsed:.2f} cores busy); load average {os.getloadavg()[0]:.1f}",
             "", "| route | requests | p50 ms | p95 ms | p99 ms |",
             "|---|---|---|---|---|"]
    for route in ROUTES:
        values = rec.latencies.get(route)
        if values:
            p50, p95, p99 = (percentile(values, q) * 1000 for q in (50, 95, 99))
            lines.append(f"| {route} | {len(values)} | {p50:.1f} | {p95:.1f} | {p99:.1f} |")
    lines += [f"error: {e}" for e in rec.errors[:10]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--photos-per-user", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)  # as gunicorn.conf.py
    parser.add_argument("--analysis", action="store_true", help="faces, places and OCR on (the job worker runs)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="shoebox-load-") as tmp:
        port = free_port()
        server = serve(Path(tmp) / "data", port, args.workers, args.threads, args.analysis)
        try:
            seeded = seed(port, args.users, args.photos_per_user)
            rec = Recorder()
            cpu_before = cpu_seconds(server.pid)
            started = time.monotonic()
            stop = started + args.duration
            threads = [threading.Thread(target=user, args=(c, ids, rec, stop, args.max_requests, i))
                       for i, (c, ids) in enumerate(seeded)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    print(f"{args.users} users, gunicorn {args.workers} workers x {args.threads} threads, SQLite, offline analysis "
          f"{'on' if args.analysis else 'off'}; load average {load_before:.1f} before")
    print(report(rec, elapsed, cpu))
    return 1 if rec.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
