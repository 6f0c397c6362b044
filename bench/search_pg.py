"""Search latency and recall on PostgreSQL + pgvector vs the embedded path, through Shoebox's own search backends.

Usage: python bench/search_pg.py --photos 100000 --queries 50 [--backend postgres|embedded|both] [--uniform]
       python bench/search_pg.py --photos 1000000 --backend postgres --data /tmp/pg1m  (keeps the cluster: a
       second run with the same --data measures again without loading; --m / --ef-construction rebuild the index)

Builds a synthetic library (one user; Zipf-ish 8-word captions, 3 tags, a filename, one photo an hour from
2020; unit vectors of dim 384 stored as float16 BLOBs like the analysis job, drawn from bench/search_index.py's
Gaussian mixture of a few thousand clusters, or uniform on the sphere with --uniform; 10% of photos tagged
`sample`) through the real Alembic migrations: in a pgserver PostgreSQL 16 + pgvector (tsvector documents and the
HNSW index filled by the same code as `flask shoebox migrate-data`) and/or in an embedded SQLite file. Then
times, per backend, what meaning search asks (top VECTOR_K = 500): unfiltered (HNSW on PostgreSQL), with the 10%
tag filter and with a date range of 10% of the photos (exact on both), and a 2-word keyword query with the last
word half typed. Reports p50 / p95 in ms, recall@10 and @100 against exact search computed with numpy over the
same (float16) vectors, load / HNSW build seconds, database and index size, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_index import Mixture  # noqa: E402
from shoebox.db import Database  # noqa: E402
from shoebox.models import Embedding, Photo, PhotoTag, User  # noqa: E402
from shoebox.scope import Scope  # noqa: E402
from shoebox.search import postgres  # noqa: E402
from shoebox.search.filters import Filters  # noqa: E402
from shoebox.search.keyword import keyword_index  # noqa: E402
from shoebox.search.service import VECTOR_K, MemoryVectorStore  # noqa: E402

WORDS = ("dog cat bird horse beach sea ocean lake river mountain forest tree flower garden park city street "
         "bridge house church castle train car boat plane snow rain sun sunset cloud sky night storm moon fire "
         "candle table chair cake pizza coffee wine book phone red blue green golden dark bright old small big "
         "happy playing running sitting walking swimming eating sleeping smiling reading jumping").split()
DIM, MODEL, CHUNK, START = 384, "bench-model", 5000, datetime(2020, 1, 1)


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


def vectors(n: int, clustered: bool, seed: int = 1) -> Iterator[np.ndarray]:
    """The library's vectors in chunks of CHUNK (float32, unit): the mixture's, or uniform on the sphere."""
    rng, mixture = np.random.default_rng([seed, 5]), Mixture(n, seed) if clustered else None
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        if mixture is not None:
            yield mixture.rows(lo, hi)
            continue
        chunk = rng.normal(size=(hi - lo, DIM)).astype(np.float32)
        yield chunk / np.linalg.norm(chunk, axis=1, keepdims=True)


def library(n: int, clustered: bool, seed: int = 1):
    """Chunks of (photos, tags, embeddings) rows for n photos of user 1."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, len(WORDS) + 1)
    weights /= weights.sum()
    for lo, chunk in zip(range(0, n, CHUNK), vectors(n, clustered, seed), strict=True):
        ids = range(lo + 1, lo + len(chunk) + 1)
        words = np.array(WORDS)[rng.choice(len(WORDS), size=(len(ids), 11), p=weights)]
        pairs = list(zip(ids, words, strict=True))
        photos = [dict(id=i, user_id=1, sha256=f"{i:064x}", filename=f"IMG_{i:07d}.jpg", format="JPEG",
                       mime_type="image/jpeg", file_size=1, width=1, height=1, taken_at=START + timedelta(hours=i),
                       taken_at_source="exif", caption=" ".join(w[:8]), status="done") for i, w in pairs]
        tags = [dict(photo_id=i, name=t, source="ai", hidden=False) for i, w in pairs for t in set(w[8:])]
        tags += [dict(photo_id=i, name="sample", source="user", hidden=False) for i in ids if i % 10 == 0]
        embeddings = [dict(photo_id=i, kind="image", model=MODEL, dim=DIM, vector=v.astype("<f2").tobytes())
                      for i, v in zip(ids, chunk, strict=True)]
        yield photos, tags, embeddings


def build(db: Database, n: int, clustered: bool) -> dict[str, float]:
    """Migrate and bulk-load the library, fill the search structures; seconds of each step."""
    took, start = {}, time.perf_counter()
    db.upgrade()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Rows straight in without the kept counts' triggers (0009, 0020, 0024, 0026): in one transaction each
            # row's upserts pile dead versions onto the same few count rows (a 1M load went from minutes to hours),
            # and nothing measured here reads those counts.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(insert(User), [dict(id=1, email="bench@example.com", password_hash="x", token_version=0,
                                         created_at=START)])
        for photos, tags, embeddings in library(n, clustered):
            conn.execute(insert(Photo), photos)
            conn.execute(insert(PhotoTag), tags)
            conn.execute(insert(Embedding), embeddings)
        took["rows (s)"] = time.perf_counter() - start
        ids = list(conn.scalars(select(Photo.id)))
        for lo in range(0, len(ids), CHUNK):
            keyword_index(conn.dialect.name).reindex(conn, ids[lo:lo + CHUNK])
        if conn.dialect.name == "postgresql":
            blobs = conn.execute(select(Embedding.id, Embedding.kind, Embedding.dim, Embedding.vector)).all()
            for lo in range(0, len(blobs), 2000):  # as postgres.rebuild: vectors first, the graph once after
                postgres.fill_vectors(conn, [tuple(row) for row in blobs[lo:lo + 2000]], index=False)
    took["load (s)"] = time.perf_counter() - start
    if db.engine.dialect.name == "postgresql":
        took["HNSW build (s)"] = index(db)
    return took


def index(db: Database, rebuild: bool = False) -> float:
    """(Re)build the HNSW index as Shoebox makes it (with postgres.HNSW_M / HNSW_EF_CONSTRUCTION); seconds."""
    start = time.perf_counter()
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"SET maintenance_work_mem = '{os.environ.get('BENCH_PG_MWM', '6GB')}'")
        conn.exec_driver_sql("SET max_parallel_maintenance_workers = 1")
        if rebuild:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_embeddings_image_hnsw_{DIM}")
        postgres.ensure_vector_index(conn, "image", DIM)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - start


class Exact:
    """Exact cosine top k with numpy over the vectors as stored (float16), whole library or a filter's ids."""

    def __init__(self, n: int, clustered: bool) -> None:
        rows = np.concatenate([c.astype("<f2") for c in vectors(n, clustered)])
        self.rows = rows  # float16: 0.77 GB at 1M; scored in blocks as float32
        self.norms = np.linalg.norm(rows.astype(np.float32), axis=1)

    def top(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[int]:
        """Photo ids (row + 1) of the k nearest, restricted to mask's rows."""
        scores = np.empty(len(self.rows), dtype=np.float32)
        for lo in range(0, len(self.rows), 200_000):
            scores[lo:lo + 200_000] = self.rows[lo:lo + 200_000].astype(np.float32) @ query
        scores /= self.norms
        if mask is not None:
            scores[~mask] = -np.inf
        best = np.argpartition(-scores, k)[:k]
        return [int(i) + 1 for i in best[np.argsort(-scores[best])]]


def filters(n: int) -> dict[str, tuple[Filters, np.ndarray]]:
    """The two filters timed, and the mask of the rows each lets through (10% of the photos each)."""
    ids = np.arange(1, n + 1)
    taken = np.datetime64(START) + ids.astype("timedelta64[h]")
    first, last = (START + timedelta(hours=int(n * 0.45))).date(), (START + timedelta(hours=int(n * 0.55))).date()
    in_range = (taken >= np.datetime64(datetime.combine(first, clock.min))) & (
        taken <= np.datetime64(datetime.combine(last, clock.max)))
    return {"tag 10%": (Filters(tag="sample"), ids % 10 == 0),
            f"date {first:%Y-%m}..{last:%Y-%m} 10%": (Filters(date_from=first, date_to=last), in_range)}


def recall(found: list[list[int]], exact: list[list[int]], k: int) -> float:
    return float(np.mean([len(set(f[:k]) & set(e[:k])) / k for f, e in zip(found, exact, strict=True)]))


def measure(db: Database, queries: list[np.ndarray], exact: Exact, k: int, sweep: list[int]) -> dict[str, object]:
    """Latencies and recall of meaning search (unfiltered and filtered) and of the keyword query."""
    dialect, n = db.engine.dialect.name, len(exact.rows)
    store = postgres.PgVectorStore() if dialect == "postgresql" else MemoryVectorStore()
    keywords, rng = keyword_index(dialect), np.random.default_rng(2)
    texts = [f"{rng.choice(WORDS)} {rng.choice(WORDS)[:3]}" for _ in range(len(queries))]
    library, out = Scope.of_user(1), {"load avg": os.getloadavg()}
    count = len(queries) - 2
    with db.make_session() as session:
        t0 = time.perf_counter()
        store.search(session, library, MODEL, queries[0], k, "image")  # the embedded index loads on first use
        out["first query (ms)"] = (time.perf_counter() - t0) * 1000

        def run(scope, vector_store=store):
            return lambda i: vector_store.search(session, scope, MODEL, queries[i], k, "image")

        out["vector"] = timed(run(library), count) + quality(session, run(library), queries, exact, None)
        for name, (flt, mask) in filters(n).items():
            scope = library.narrow(*flt.conditions(library))
            out[f"vector, {name}"] = timed(run(scope), count) + quality(session, run(scope), queries, exact, mask)
        for ef in sweep if dialect == "postgresql" else []:
            fn = run(library, postgres.PgVectorStore(ef_search=ef))
            out[f"vector, ef_search {ef}"] = timed(fn, count) + quality(session, fn, queries, exact, None)
        out["keyword"] = timed(lambda i: keywords.search(session, keywords.match(texts[i], "AND") or "x",
                                                         library.photo_ids(), 100), count)
        if dialect == "postgresql":
            out.update(sizes(session))
    return out


def quality(session, fn: Callable[[int], list], queries: list, exact: Exact, mask) -> tuple[float, float]:
    """recall@10 and @100 of fn's results over the first 20 queries."""
    picks = range(min(20, len(queries)))
    found = [[i for i, _ in fn(q)] for q in picks]
    truth = [exact.top(queries[q] / np.linalg.norm(queries[q]), 100, mask) for q in picks]
    return recall(found, truth, 10), recall(found, truth, 100)


def sizes(session) -> dict[str, str]:
    mib = "pg_size_pretty({}::bigint)"
    row = session.execute(text("SELECT " + ", ".join([
        mib.format("pg_database_size(current_database())"), mib.format("pg_total_relation_size('embeddings')"),
        mib.format(f"pg_relation_size('ix_embeddings_image_hnsw_{DIM}')"),
        f"(SELECT pg_get_indexdef('ix_embeddings_image_hnsw_{DIM}'::regclass))",
        "(SELECT extversion FROM pg_extension WHERE extname = 'vector')", "version()",
        "current_setting('shared_buffers')"]))).one()
    return {"database": row[0], "embeddings table": row[1], "HNSW index": row[2],
            "index": row[3].split(" USING ")[1], "pgvector": row[4], "server": row[5].split(" on ")[0],
            "shared_buffers": row[6]}


def postgres_url(data: Path, shared_buffers: str | None) -> tuple[object, str, bool]:
    """A pgserver cluster under data (kept), its bench database URL, and whether the database was there;
    restarted with `shared_buffers` when given (pgserver's default is PostgreSQL's, 128MB)."""
    import pgserver
    from pgserver._commands import pg_ctl

    server = pgserver.get_server(data, cleanup_mode=None)
    if shared_buffers:
        server.psql(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers}';")
        pg_ctl(["-w", "restart"], pgdata=server.pgdata, user=server.system_user)
    fresh = "bench" not in server.psql("SELECT datname FROM pg_database;")
    if fresh:
        server.psql("CREATE DATABASE bench;")
    return server, server.get_uri("bench").replace("postgresql://", "postgresql+psycopg://", 1), not fresh


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--backend", choices=("both", "postgres", "embedded"), default="both")
    parser.add_argument("--uniform", action="store_true", help="vectors uniform on the sphere, not clustered")
    parser.add_argument("--clustered", action="store_true", help="(the default; kept for old commands)")
    parser.add_argument("--k", type=int, default=VECTOR_K, help="results asked per query (the search service's)")
    parser.add_argument("--ef", default="", help="comma-separated hnsw.ef_search values to sweep (PostgreSQL)")
    parser.add_argument("--m", type=int, help="HNSW links per node (rebuilds the index of a kept cluster)")
    parser.add_argument("--ef-construction", type=int, help="HNSW build candidate list (rebuilds likewise)")
    parser.add_argument("--shared-buffers", help="restart PostgreSQL with this shared_buffers (e.g. 4GB)")
    parser.add_argument("--data", type=Path, help="keep the PostgreSQL cluster here and reuse it next time")
    args = parser.parse_args(argv)
    postgres.HNSW_M = args.m or postgres.HNSW_M
    postgres.HNSW_EF_CONSTRUCTION = args.ef_construction or postgres.HNSW_EF_CONSTRUCTION
    clustered, sweep = not args.uniform, [int(e) for e in args.ef.split(",") if e]
    print(f"load average {os.getloadavg()}", flush=True)
    start = time.perf_counter()
    exact = Exact(args.photos, clustered)
    mixture = Mixture(args.photos) if clustered else None
    qs = list(mixture.queries(args.queries + 2) if mixture else
              np.random.default_rng(2).normal(size=(args.queries + 2, DIM)).astype(np.float32))
    print(f"exact vectors: {time.perf_counter() - start:.0f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="shoebox-bench-") as tmp:
        results = {}
        if args.backend in ("both", "postgres"):
            server, url, kept = postgres_url(args.data or Path(tmp) / "pg", args.shared_buffers)
            db = Database(url)
            took = {} if kept else build(db, args.photos, clustered)
            if kept and (args.m or args.ef_construction):
                took["HNSW build (s)"] = index(db, rebuild=True)
            results["postgresql + pgvector"] = {**took, **measure(db, qs, exact, args.k, sweep)}
            db.dispose()
            if not args.data:
                server.cleanup()
            print(results["postgresql + pgvector"], flush=True)
        if args.backend in ("both", "embedded"):
            db = Database(f"sqlite:///{tmp}/b.db")
            results["embedded (SQLite + numpy)"] = {**build(db, args.photos, clustered),
                                                    **measure(db, qs, exact, args.k, [])}
            db.dispose()
    report(args, results)


def report(args, results: dict[str, dict]) -> None:
    kind = "uniform" if args.uniform else "clustered"
    print(f"\n| backend ({args.photos:,} photos, {kind}, top {args.k}) | query | p50 / p95 ms | recall@10 | "
          "recall@100 |\n|---|---|---|---|---|")
    for name, r in results.items():
        for key, value in r.items():
            if key.startswith("vector"):
                print(f"| {name} | {key} | {value[0]:.1f} / {value[1]:.1f} | {value[2]:.3f} | {value[3]:.3f} |")
        print(f"| {name} | keyword | {r['keyword'][0]:.1f} / {r['keyword'][1]:.1f} | | |")
        rest = {k: v for k, v in r.items() if not k.startswith(("vector", "keyword"))}
        print(f"{name}: " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                      for k, v in rest.items()))


if __name__ == "__main__":
    main()
