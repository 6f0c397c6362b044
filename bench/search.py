"""Search latency benchmark on synthetic libraries: vector, filtered vector, FTS5 keyword and fused search.

Usage: python bench/search.py --sizes 10000,100000,1000000 --queries 50

For each size it builds an InMemoryVectorIndex of random unit vectors (dim 384, MiniLM's) by incremental
upserts and a real SQLite FTS5 table of generated captions and tags in a temp file, then reports p50/p95
latency per query kind, index memory and build times as a Markdown table (and JSON with --json).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shoebox.search.fusion import fuse  # noqa: E402
from shoebox.search.query import match  # noqa: E402
from shoebox.search.vector import InMemoryVectorIndex  # noqa: E402

_VOCABULARY = (
    "dog cat bird horse cow sheep fish duck goose rabbit child man woman girl boy baby family friends crowd "
    "beach sea ocean lake river waterfall mountain hill forest tree flower garden park field meadow desert "
    "city street road bridge building house church castle tower station train car bus bicycle boat plane "
    "snow rain sun sunset sunrise cloud sky night fog storm rainbow moon star fire candle lamp light shadow "
    "table chair bed sofa window door kitchen cake pizza bread coffee wine glass plate bottle book phone "
    "red blue green yellow orange purple black white brown golden dark bright old small big happy playing "
    "running sitting standing walking swimming eating sleeping smiling reading holding jumping flying"
)
WORDS = _VOCABULARY.split()
BATCH = 50_000  # upsert batch: how the reindex job feeds the index


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of samples in milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


def timed(fn: Callable[[int], object], queries: int, warmup: int = 2) -> tuple[float, float]:
    """Run fn(i) for warmup + queries iterations and return p50/p95 of the timed ones, in ms."""
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(queries):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def unit_rows(rng: np.random.Generator, rows: int, dim: int) -> np.ndarray:
    """Random unit vectors."""
    v = rng.standard_normal((rows, dim), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def build_index(n: int, dim: int, dtype: str, seed: int) -> tuple[InMemoryVectorIndex, float]:
    """Index of n random unit vectors upserted in batches; returns it and the seconds spent upserting."""
    rng = np.random.default_rng(seed)
    index = InMemoryVectorIndex(dim=dim, dtype=np.dtype(dtype).type)
    spent = 0.0
    for start in range(0, n, BATCH):
        vectors = unit_rows(rng, min(BATCH, n - start), dim)
        t0 = time.perf_counter()
        index.upsert(np.arange(start + 1, start + 1 + len(vectors)), vectors)
        spent += time.perf_counter() - t0
    return index, spent


def build_fts(path: Path, n: int, seed: int) -> float:
    """FTS5 table of n generated captions + tags (Zipf-ish word frequencies); returns seconds to build."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(WORDS) + 1)
    weights /= weights.sum()
    words = np.array(WORDS)
    start = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE photo_fts USING fts5(caption, tags, filename)")
    for lo in range(0, n, BATCH):
        count = min(BATCH, n - lo)
        caption_words = words[rng.choice(len(words), size=(count, 8), p=weights)]
        tag_words = words[rng.choice(len(words), size=(count, 3))]
        rows = ((lo + i + 1, " ".join(caption_words[i]), " ".join(tag_words[i]), f"IMG_{lo + i + 1:07d}.jpg")
                for i in range(count))
        db.executemany("INSERT INTO photo_fts(rowid, caption, tags, filename) VALUES (?, ?, ?, ?)", rows)
    db.commit()
    db.execute("INSERT INTO photo_fts(photo_fts) VALUES ('optimize')")
    db.commit()
    db.close()
    return time.perf_counter() - start


def keyword_ids(db: sqlite3.Connection, text: str, limit: int) -> list[int]:
    """Best-first rowids for user text: AND of its terms, OR when AND finds nothing."""
    sql = "SELECT rowid FROM photo_fts WHERE photo_fts MATCH ? ORDER BY rank LIMIT ?"
    for expression in (match(text, "AND"), match(text, "OR")):
        if expression is None:
            return []
        ids = [row[0] for row in db.execute(sql, (expression, limit))]
        if ids:
            return ids
    return []


def make_queries(rng: np.random.Generator, index: InMemoryVectorIndex, count: int) -> tuple[list, list[str]]:
    """Query vectors near stored photos (so a true best match exists) and 2-word texts, the last half-typed."""
    ids = index.ids()
    vectors = []
    for photo_id in rng.choice(ids, size=count):
        noise = unit_rows(rng, 1, index.dim)[0]
        vectors.append(index.vector(int(photo_id)) + 0.6 * noise)
    texts = [f"{rng.choice(WORDS)} {rng.choice(WORDS)[:4]}" for _ in range(count)]
    return vectors, texts


def bench_size(n: int, args: argparse.Namespace, dtype: str) -> dict:
    """All measurements for one library size."""
    rng = np.random.default_rng(n)
    index, build_s = build_index(n, args.dim, dtype, seed=n)
    vectors, texts = make_queries(rng, index, args.queries + 2)
    allowed = rng.choice(index.ids(), size=max(1, int(args.filter_fraction * n)), replace=False)
    row = {"n": n, "dtype": dtype, "index_bytes": index.nbytes, "index_build_s": build_s}
    row["vector"] = timed(lambda i: index.search(vectors[i], args.k), args.queries)
    row["vector_filtered"] = timed(lambda i: index.search(vectors[i], args.k, allowed=allowed), args.queries)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fts.db"
        row["fts_build_s"] = build_fts(path, n, seed=n)
        row["fts_bytes"] = path.stat().st_size
        db = sqlite3.connect(path)
        row["keyword"] = timed(lambda i: keyword_ids(db, texts[i], args.k), args.queries)
        row["fused"] = timed(lambda i: fuse(keyword_ids(db, texts[i], args.k), index.search(vectors[i], args.k)),
                             args.queries)
        db.close()
    row["max_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return row


def markdown(rows: list[dict]) -> str:
    """Results as a Markdown table (latencies p50 / p95 in ms)."""
    head = ("| photos | storage | vector | vector, 10% filter | keyword (FTS5) | fused | index memory "
            "| index build | FTS build | FTS file | peak RSS |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        kinds = ("vector", "vector_filtered", "keyword", "fused")
        lat = " | ".join(f"{r[key][0]:.1f} / {r[key][1]:.1f}" for key in kinds)
        lines.append(f"| {r['n']:,} | {r['dtype']} | {lat} | {r['index_bytes'] / 2**20:.0f} MiB "
                     f"| {r['index_build_s']:.1f} s | {r['fts_build_s']:.1f} s | {r['fts_bytes'] / 2**20:.0f} MiB "
                     f"| {r['max_rss_bytes'] / 2**30:.2f} GiB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run every size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated library sizes")
    parser.add_argument("--queries", type=int, default=50, help="timed queries per measurement")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--k", type=int, default=100, help="results asked of each side before fusion")
    parser.add_argument("--filter-fraction", type=float, default=0.1, help="share of ids a filter allows")
    parser.add_argument("--dtypes", default="float32,float16", help="index storage dtypes to measure")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    rows = []
    for n in (int(size) for size in args.sizes.split(",")):
        for dtype in args.dtypes.split(","):
            rows.append(bench_size(n, args, dtype))
            print(f"done {n:,} {dtype}", file=sys.stderr, flush=True)
    print(markdown(rows), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
