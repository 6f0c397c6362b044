"""Meaning search at scale on SQLite: the saved HNSW index against brute force, through Shoebox's own code.

Usage (see bench/README.md, "Meaning search at a million photos"):
    python bench/search_index.py build --data /tmp/sb-1m --photos 1000000
    python bench/search_index.py measure --data /tmp/sb-1m --queries 200
    python bench/search_index.py serve --data /tmp/sb-1m --workers 1,3 [--brute]
    python bench/search_index.py crossover --sizes 5000,10000,20000,50000

build: a migrated SQLite database in DATA_DIR with photo and embedding rows (float16 BLOBs, as the analysis job
writes them), the vectors drawn from a Gaussian mixture (clusters of Zipf-distributed sizes around random centres,
so neighbourhoods are dense as real embeddings' are; uniform random vectors are HNSW's worst case and nobody's
photos); user 1 owns all but 1,000 photos, user 2 those 1,000 (a small library in a big instance); 10% of user 1's
photos are tagged `sample`, 1% `rare`. Then the saved index is built by `update_index` (the job's code).
measure: `MemoryVectorStore.search` (what the search service calls, k = VECTOR_K = 500) with and without the
saved index, per scope: user 1's library, the 10% and 1% tag filters, user 2; p50 / p95 in ms, recall@10 of the
index path against brute force (exact), the first query of a fresh store (mapping the file / loading the BLOBs).
serve: gunicorn (gunicorn.conf.py) with N workers on that DATA_DIR; waits until every worker logged its warm-up,
sends concurrent searches, and reports each worker's first search (from the access log: pid, milliseconds) and its
memory from /proc/PID/smaps_rollup (RSS, PSS: shared pages split between the processes mapping them; USS: private;
VmHWM: peak RSS). `--root DIR` serves another checkout (`git archive` of the code before) on the same data.
crossover: both paths in memory at small sizes, to place VECTOR_INDEX_MIN_PHOTOS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shoebox.ai.registry import get_models  # noqa: E402
from shoebox.auth.service import create_account  # noqa: E402
from shoebox.config import Settings  # noqa: E402
from shoebox.db import Database  # noqa: E402
from shoebox.models import Embedding, Photo, PhotoTag  # noqa: E402
from shoebox.scope import Scope  # noqa: E402
from shoebox.search.ann import AnnFiles  # noqa: E402
from shoebox.search.embedded import MemoryVectorStore, update_index  # noqa: E402
from shoebox.search.filters import Filters  # noqa: E402

DIM, CHUNK, SMALL_USER = 384, 20_000, 1000
PASSWORD = "correct horse battery staple"
QUIET = {"CAPTION_MODEL": "none", "TAG_MODEL": "none", "FACES_ENABLED": False, "OCR_ENABLED": False,
         "PLACES_ENABLED": False, "WORKER_IN_PROCESS": False, "LOG_LEVEL": "INFO"}
QUIET_ENV = {name: ("1" if value else "0") if isinstance(value, bool) else value for name, value in QUIET.items()}


class Mixture:
    """A Gaussian mixture of unit vectors: n / 1000 centres with Zipf-distributed cluster sizes, each cluster
    spread along its own RANK random directions (plus a little isotropic noise), as real embeddings vary along a
    few dozen directions (their intrinsic dimension), not all 384. `isotropic=True` spreads clusters in every
    direction instead (each cluster then a uniform ball: HNSW's hard case, reported separately)."""

    RANK = 24

    def __init__(self, n: int, seed: int = 1, isotropic: bool = False) -> None:
        rng = np.random.default_rng(seed)
        self.seed, self.isotropic = seed, isotropic
        self.centres = rng.standard_normal((max(10, n // 1000), DIM)).astype(np.float32)
        self.centres /= np.linalg.norm(self.centres, axis=1, keepdims=True)
        self.bases = rng.standard_normal((len(self.centres), self.RANK, DIM)).astype(np.float32) / np.sqrt(DIM)
        weights = 1 / np.arange(1, len(self.centres) + 1) ** 0.7
        self.weights = weights / weights.sum()
        self.labels = rng.choice(len(self.centres), size=n, p=self.weights)

    def rows(self, lo: int, hi: int) -> np.ndarray:
        """Vectors lo..hi of the library."""
        return self._points(self.labels[lo:hi], np.random.default_rng([self.seed, lo]))

    def queries(self, count: int, seed: int = 3) -> np.ndarray:
        """New points of the same mixture: queries near some content, as a search is."""
        rng = np.random.default_rng([self.seed, seed, 7])
        return self._points(rng.choice(len(self.centres), size=count, p=self.weights), rng)

    def _points(self, labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.isotropic:
            v = self.centres[labels] + rng.standard_normal((len(labels), DIM)).astype(np.float32) * 0.05
        else:
            v = self.centres[labels] + rng.standard_normal((len(labels), DIM)).astype(np.float32) * 0.01
            spread = rng.standard_normal((len(labels), self.RANK)).astype(np.float32) * 0.6
            for label in np.unique(labels):
                mine = labels == label
                v[mine] += spread[mine] @ self.bases[label]
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def settings(data: Path, **extra) -> Settings:
    return Settings.load({"DATA_DIR": str(data), **QUIET, **extra}, env_file=None)


def build(args: argparse.Namespace) -> None:
    """The database and the saved index (see the module's docstring)."""
    config = settings(args.data)
    model = get_models(config).embedder.version  # rows the real query embedder's searches read
    db = Database(config.database_url)
    db.upgrade()
    with db.transaction() as session:
        owners = [create_account(session, f"user{n}@example.com", PASSWORD).id for n in (1, 2)]
    mix, start, when = Mixture(args.photos, isotropic=args.isotropic), time.perf_counter(), datetime(2000, 1, 1)
    for lo in range(0, args.photos, CHUNK):
        hi = min(args.photos, lo + CHUNK)
        with db.transaction() as session:
            photos = [dict(user_id=owners[1] if n >= args.photos - SMALL_USER else owners[0], sha256=f"{n:064x}",
                           filename=f"IMG_{n:07d}.jpg", format="JPEG", mime_type="image/jpeg", file_size=1, width=1,
                           height=1, taken_at=when + timedelta(minutes=n), taken_at_source="exif", status="done")
                      for n in range(lo, hi)]
            ids = list(session.scalars(insert(Photo).returning(Photo.id), photos))
            session.execute(insert(Embedding), [dict(photo_id=i, kind="text", model=model, dim=DIM,
                                                     vector=v.astype("<f2").tobytes())
                                                for i, v in zip(ids, mix.rows(lo, hi), strict=True)])
            tags = [dict(photo_id=i, name=name, source="user", hidden=False) for n, i in enumerate(ids, lo)
                    for name, every in (("sample", 10), ("rare", 100)) if n % every == 0]
            session.execute(insert(PhotoTag), tags)
    print(f"rows: {time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    with db.make_session() as session:
        generation = update_index(session, AnnFiles(config.data_path / "vectors"), "text", model, rebuild=True)
    print(f"index: {time.perf_counter() - start:.0f} s, {generation.path}", flush=True)
    (args.data / "bench.json").write_text(json.dumps({"model": model, "photos": args.photos, "owners": owners,
                                                      "isotropic": args.isotropic}))


def timed(fn: Callable[[int], object], queries: int, warmup: int = 3) -> tuple[float, float]:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(queries):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def queries(data: Path, count: int) -> np.ndarray:
    """Query vectors: new points of the library's mixture."""
    meta = json.loads((data / "bench.json").read_text())
    return Mixture(meta["photos"], isotropic=meta.get("isotropic", False)).queries(count)


def rss_mib() -> float:
    return proc_memory(os.getpid())["Rss"] / 1024


def measure(args: argparse.Namespace) -> None:
    """Both paths per scope: latency, recall@10 of the index against brute force, first query, memory."""
    meta = json.loads((args.data / "bench.json").read_text())
    model, (user, small) = meta["model"], meta["owners"]
    db = Database(settings(args.data).database_url)
    whole = Scope.of_user(user)
    q = queries(args.data, args.queries + 3)
    indexed = MemoryVectorStore(AnnFiles(args.data / "vectors"), min_photos=1)
    brute = MemoryVectorStore()
    out = {"rss_start_mib": rss_mib()}
    with db.make_session() as session:
        # With the session, as the search service builds them: a rare filter value is read from its own index,
        # and a tag filter's superset (Filters.superset) is passed along.
        filters = {"10% filter": Filters(tag="sample"), "1% filter": Filters(tag="rare")}
        scopes = {"library": (whole, None),
                  **{name: (whole.narrow(*f.conditions(whole, session)), f.superset(whole, session))
                     for name, f in filters.items()},
                  f"small user ({SMALL_USER:,})": (Scope.of_user(small), None)}
        for name, store in (("index", indexed), ("brute", brute)):
            start = time.perf_counter()
            store.search(session, whole, model, q[0], 500, "text")
            out[f"first_{name}_ms"] = (time.perf_counter() - start) * 1000
            out[f"rss_after_first_{name}_mib"] = rss_mib()
        for name, (scope, among) in scopes.items():
            row = {}
            for label, store in (("index", indexed), ("brute", brute)):
                row[label] = timed(lambda i, s=store, sc=scope, a=among: s.search(session, sc, model, q[i], 500,
                                                                                 "text", a), args.queries)
            row["recall@10"] = float(np.mean([
                len({i for i, _ in indexed.search(session, scope, model, v, 10, "text", among)}
                    & {i for i, _ in brute.search(session, scope, model, v, 10, "text", among)}) / 10
                for v in q[:100]]))
            out[name] = row
            print(name, row, flush=True)
    print(json.dumps(out, indent=1))


def proc_memory(pid: int) -> dict[str, int]:
    """kB figures of /proc/PID/smaps_rollup (Rss, Pss, Private_Clean, Private_Dirty, ...)."""
    text = Path(f"/proc/{pid}/smaps_rollup").read_text() + Path(f"/proc/{pid}/status").read_text()
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+):\s+(\d+) kB", text, re.M)}


def serve(args: argparse.Namespace) -> None:
    """gunicorn with N workers: each worker's first search and memory."""
    for workers in (int(w) for w in args.workers.split(",")):
        print(json.dumps(serve_once(args, workers), indent=1), flush=True)


def serve_once(args: argparse.Namespace, workers: int) -> dict:
    port = 5600 + workers
    env = {**os.environ, **QUIET_ENV, "DATA_DIR": str(args.data), "WEB_CONCURRENCY": str(workers),
           "SHOEBOX_BIND": f"127.0.0.1:{port}", "VECTOR_INDEX_MIN_PHOTOS": "0" if args.brute else "20000",
           "AUTH_RATE_LIMIT_PER_MINUTE": "1000", "LOG_LEVEL": "INFO"}
    log = Path(tempfile.mkstemp(prefix="sb-gunicorn-", suffix=".log")[1])
    started = time.perf_counter()
    root = args.root or ROOT  # --root: another checkout (the code before this change), same DATA_DIR
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logformat",
                                   "ACCESS %(p)s %(M)s %(s)s %(U)s"], cwd=root, env=env, stdout=out, stderr=out)
    try:  # the code before this change logs no warm-up: its workers are ready once booted
        warm = _wait_for(str(log), "Booting worker" if args.root else "search warm", workers, timeout=600)
        ready = time.perf_counter() - started
        token = _login(port)
        latencies = _fire(port, token, requests=workers)  # a first wave, about one per worker
        latencies += _fire(port, token, requests=workers * 3)
        pids = [int(p) for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
        memory = {pid: proc_memory(pid) for pid in [server.pid, *pids]}
    finally:
        server.terminate()
        server.wait(60)
    first = {}
    for line in log.read_text().splitlines():
        found = re.search(r"ACCESS <?(\d+)>? (\d+) (\d+) /api/search", line)
        if found and int(found[1]) not in first:
            first[int(found[1])] = int(found[2])
    mib = {pid: {k: round(v / 1024) for k, v in m.items() if k in ("Rss", "Pss", "VmHWM")} | {
        "Uss": round((m["Private_Clean"] + m["Private_Dirty"]) / 1024)} for pid, m in memory.items()}
    return {"workers": workers, "brute": args.brute, "ready_s": round(ready, 1), "warm_lines": warm,
            "first_search_ms_by_worker": first, "client_ms_first_wave": [round(x) for x in latencies[:workers]],
            "client_ms_p50": statistics.median(latencies),
            "memory_mib_by_pid (master first)": mib,
            "total_pss_mib": sum(m["Pss"] for m in mib.values()), "log": str(log)}


def _wait_for(path: str, needle: str, count: int, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [line for line in Path(path).read_text().splitlines() if needle in line]
        if len(lines) >= count:
            return lines
        time.sleep(1)
    raise TimeoutError(f"{count} x {needle!r} not seen in {path}")


def _login(port: int) -> str:
    body = json.dumps({"email": "user1@example.com", "password": PASSWORD}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/login", body,
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.loads(reply.read())["access_token"]


def _fire(port: int, token: str, requests: int) -> list[float]:
    """`requests` searches at once, each on its own connection (so every worker takes some)."""
    words = ["beach at sunset", "a dog in the snow", "birthday cake", "mountain lake", "old castle", "red car"]
    latencies: list[float] = []

    def one(n: int) -> None:
        url = f"http://127.0.0.1:{port}/api/search?q={words[n % len(words)].replace(' ', '+')}&limit=50"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Connection": "close"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=600) as reply:
            reply.read()
        latencies.append((time.perf_counter() - start) * 1000)
    threads = [threading.Thread(target=one, args=(n,)) for n in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def crossover(args: argparse.Namespace) -> None:
    """Brute force and the saved index at small sizes (single user, whole library, k = 500)."""
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="sb-cross-") as tmp:
            build(argparse.Namespace(data=Path(tmp), photos=n, isotropic=args.isotropic))
            meta = json.loads((Path(tmp) / "bench.json").read_text())
            db = Database(settings(Path(tmp)).database_url)
            q, model = queries(Path(tmp), args.queries + 3), meta["model"]
            scope = Scope.of_user(meta["owners"][0])
            row = {"photos": n}
            with db.make_session() as session:
                for label, store in (("index", MemoryVectorStore(AnnFiles(Path(tmp) / "vectors"), 1)),
                                     ("brute", MemoryVectorStore())):
                    row[label] = timed(lambda i, s=store, sc=scope, m=model, v=q, se=session:
                                       s.search(se, sc, m, v[i], 500, "text"), args.queries)
            db.dispose()
            print(json.dumps(row), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("build", "measure", "serve", "crossover"):
        command = sub.add_parser(name)
        command.add_argument("--data", type=Path, default=Path("/tmp/sb-bench"))
        command.add_argument("--photos", type=int, default=100_000)
        command.add_argument("--queries", type=int, default=100)
        command.add_argument("--workers", default="1,3")
        command.add_argument("--brute", action="store_true", help="serve: VECTOR_INDEX_MIN_PHOTOS=0 (no index)")
        command.add_argument("--root", type=Path, help="serve: run this checkout's code (the code before)")
        command.add_argument("--sizes", default="5000,10000,20000,50000")
        command.add_argument("--isotropic", action="store_true", help="build: clusters spread in every direction")
    args = parser.parse_args(argv)
    {"build": build, "measure": measure, "serve": serve, "crossover": crossover}[args.command](args)


if __name__ == "__main__":
    main()
