"""Search latency on PostgreSQL + pgvector vs the embedded path, through Shoebox's own search backends.

Usage: python bench/search_pg.py --photos 100000 --queries 50 [--backend postgres|embedded|both]

Builds the same synthetic library (one user; Zipf-ish 8-word captions, 3 tags, a filename; random unit
vectors of dim 384 stored as float16 BLOBs like the analysis job; 10% of photos tagged `sample`) twice,
through the real Alembic migrations: in a pgserver PostgreSQL 16 + pgvector (tsvector documents and the HNSW
index filled by the same code as `flask shoebox migrate-data`) and in an embedded SQLite file (FTS5 +
the in-memory index). Then times, per backend: vector top-100 unfiltered (HNSW on PostgreSQL) and with the
10% tag filter inside the query (exact on both), and a 2-word keyword query with the last word half typed.
Reports p50 / p95 in ms, build times and the HNSW recall@100 against exact search.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select, true

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_index import Mixture  # noqa: E402
from shoebox.db import Database  # noqa: E402
from shoebox.models import Embedding, Photo, PhotoTag, User  # noqa: E402
from shoebox.scope import Scope  # noqa: E402
from shoebox.search import postgres  # noqa: E402
from shoebox.search.filters import Filters  # noqa: E402
from shoebox.search.keyword import keyword_index  # noqa: E402
from shoebox.search.service import MemoryVectorStore  # noqa: E402

WORDS = ("dog cat bird horse beach sea ocean lake river mountain forest tree flower garden park city street "
         "bridge house church castle train car boat plane snow rain sun sunset cloud sky night storm moon fire "
         "candle table chair cake pizza coffee wine book phone red blue green golden dark bright old small big "
         "happy playing running sitting walking swimming eating sleeping smiling reading jumping").split()
DIM, MODEL, CHUNK = 384, "bench-model", 5000


def timed(fn: Callable[[int], object], queries: int) -> tuple[float, float]:
    """p50 / p95 in ms of fn(i) over `queries` runs after 2 warm-ups."""
    for i in range(2):
        fn(i)
    samples = []
    for i in range(queries):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def library(n: int, seed: int = 1, clustered: bool = False):
    """Chunks of (photos, tags, embeddings) rows for n photos of user 1 (vectors uniform on the sphere, or drawn
    from bench/search_index.py's Gaussian mixture with `clustered`)."""
    rng = np.random.default_rng(seed)
    mixture = Mixture(n) if clustered else None
    weights = 1 / np.arange(1, len(WORDS) + 1)
    weights /= weights.sum()
    when = datetime(2020, 1, 1)
    for lo in range(0, n, CHUNK):
        ids = range(lo + 1, min(n, lo + CHUNK) + 1)
        words = np.array(WORDS)[rng.choice(len(WORDS), size=(len(ids), 11), p=weights)]
        vectors = rng.normal(size=(len(ids), DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        if mixture is not None:
            vectors = mixture.rows(lo, lo + len(ids))
        pairs = list(zip(ids, words, strict=True))
        photos = [dict(id=i, user_id=1, sha256=f"{i:064x}", filename=f"IMG_{i:07d}.jpg", format="JPEG",
                       mime_type="image/jpeg", file_size=1, width=1, height=1, taken_at=when + timedelta(hours=i),
                       taken_at_source="exif", caption=" ".join(w[:8]), status="done") for i, w in pairs]
        tags = [dict(photo_id=i, name=t, source="ai", hidden=False) for i, w in pairs for t in set(w[8:])]
        tags += [dict(photo_id=i, name="sample", source="user", hidden=False) for i in ids if i % 10 == 0]
        embeddings = [dict(photo_id=i, kind="image", model=MODEL, dim=DIM, vector=v.astype("<f2").tobytes())
                      for i, v in zip(ids, vectors, strict=True)]
        yield photos, tags, embeddings


def build(url: str, n: int, clustered: bool = False) -> tuple[Database, float]:
    """Migrate, bulk-load and index the library; returns the database and the seconds it took."""
    start = time.perf_counter()
    db = Database(url)
    db.upgrade()
    with db.engine.begin() as conn:
        conn.execute(insert(User), [dict(id=1, email="bench@example.com", password_hash="x", token_version=0,
                                         created_at=datetime(2020, 1, 1))])
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET maintenance_work_mem = '2GB'")
        for photos, tags, embeddings in library(n, clustered=clustered):
            conn.execute(insert(Photo), photos)
            conn.execute(insert(PhotoTag), tags)
            conn.execute(insert(Embedding), embeddings)
        if conn.dialect.name == "postgresql":
            postgres.rebuild(conn)
        else:
            ids = list(conn.scalars(select(Photo.id)))
            for lo in range(0, len(ids), CHUNK):
                keyword_index("sqlite").reindex(conn, ids[lo:lo + CHUNK])
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return db, time.perf_counter() - start


def measure(db: Database, queries: int, seed: int = 2, mixture: Mixture | None = None) -> dict[str, object]:
    """Latencies of the three query kinds through the backend's own store and keyword index."""
    dialect = db.engine.dialect.name
    store = postgres.PgVectorStore() if dialect == "postgresql" else MemoryVectorStore()
    keywords = keyword_index(dialect)
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(queries + 2, DIM)).astype(np.float32)
    if mixture is not None:  # queries near content, as the library's
        vectors = mixture.queries(queries + 2)
    texts = [f"{rng.choice(WORDS)} {rng.choice(WORDS)[:3]}" for _ in range(queries + 2)]
    library = Scope.of_user(1)
    sample = library.narrow(*Filters(tag="sample").conditions(library))
    out: dict[str, object] = {}
    with db.make_session() as session:
        t0 = time.perf_counter()
        store.search(session, library, MODEL, vectors[0], 100, "image")  # the embedded index loads on first use
        out["first query (load)"] = (time.perf_counter() - t0) * 1000
        out["vector"] = timed(lambda i: store.search(session, library, MODEL, vectors[i], 100, "image"), queries)
        out["vector, 10% filter"] = timed(lambda i: store.search(session, sample, MODEL, vectors[i], 100, "image"),
                                          queries)
        out["keyword"] = timed(lambda i: keywords.search(session, keywords.match_all(texts[i]) or "x",
                                                         library.photo_ids(), 100), queries)
        if dialect == "postgresql":
            out["recall@100"] = recall(session, store, vectors[:20])
            out["recall@10"] = recall(session, store, vectors[:20], 10)
    return out


def recall(session, store, vectors: np.ndarray, k: int = 100) -> float:
    """Share of the exact top k that the HNSW search returns."""
    library = Scope.of_user(1)
    exact = library.narrow(true())  # a narrowed scope searches exactly
    found = [len({i for i, _ in store.search(session, library, MODEL, v, k, "image")}
                 & {i for i, _ in store.search(session, exact, MODEL, v, k, "image")}) / k for v in vectors]
    return float(np.mean(found))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--backend", choices=("both", "postgres", "embedded"), default="both")
    parser.add_argument("--clustered", action="store_true", help="vectors from a Gaussian mixture, not uniform")
    args = parser.parse_args(argv)
    import pgserver

    with tempfile.TemporaryDirectory(prefix="shoebox-bench-") as tmp:
        server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        server.psql("CREATE DATABASE bench;")
        pg_url = server.get_uri("bench").replace("postgresql://", "postgresql+psycopg://", 1)
        results = {}
        backends = [("postgresql + pgvector", pg_url, "postgres"), ("embedded (SQLite + numpy)",
                                                                     f"sqlite:///{tmp}/b.db", "embedded")]
        for name, url, kind in backends:
            if args.backend not in ("both", kind):
                continue
            db, seconds = build(url, args.photos, args.clustered)
            results[name] = {"build (s)": seconds,
                             **measure(db, args.queries, mixture=Mixture(args.photos) if args.clustered else None)}
            db.dispose()
            print(name, results[name], flush=True)
        server.cleanup()
    print(f"\n| backend ({args.photos:,} photos) | vector | vector, 10% filter | keyword | first query | "
          "recall@100 | build |\n|---|---|---|---|---|---|---|")
    for name, r in results.items():
        cells = [f"{r[k][0]:.1f} / {r[k][1]:.1f}" for k in ("vector", "vector, 10% filter", "keyword")]
        rec = f"{r['recall@100']:.2f} (@10: {r['recall@10']:.2f})" if "recall@100" in r else "1.00 (exact)"
        print(f"| {name} | {' | '.join(cells)} | {r['first query (load)']:.0f} ms | {rec} | {r['build (s)']:.0f} s |")


if __name__ == "__main__":
    main()
