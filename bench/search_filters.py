"""Filtered meaning search at scale on SQLite: every filter's side (issue 18, target 3), old and new code alike.

Usage (see bench/README.md, "Filtered meaning search: every filter's side"):
    python bench/search_filters.py prepare --data DIR              # on a copy of a search_index.py library
    python bench/search_filters.py measure --data DIR [--code OLD_CHECKOUT] --queries 30

prepare: gives a library built by `bench/search_index.py build` (a copy: it writes) what the filters read, assigned
by a hash of the photo id so the filters are independent of each other and of the tags: cameras (10% "Canon EOS
R5" by Canon, 1% "Leica Q2" by Leica, the rest "Pixel 7" by Google; the camera filter is given a model, as the
facet list offers, or a brand, "canon", which matches makes and models both), formats (10% HEIC, 1% DNG, the rest
JPEG) and two albums of user 1 (10% "broad", 1% "narrow"). Dates are the library's own (a photo a minute): the
ranges are the whole days around its middle holding about 10% and 1% of it.
measure: `MemoryVectorStore.search` through the saved index (k = 500, as the service calls it: the scope narrowed
by `Filters.conditions`, the superset from `Filters.superset`, both inside the timing) for each filter and a few
combinations; p50 / p95 ms of wall and of this process's CPU. `--code DIR` runs another checkout's shoebox (a
`git archive` of the code before) on the same data, for old/new runs alternated on one data directory's copies.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = os.environ.get("SHOEBOX_BENCH_CODE")
sys.path.insert(0, CODE or str(ROOT))

import shoebox.search.filters  # noqa: E402,F401 - from CODE before bench.search_index puts ROOT first
from shoebox.db import Database  # noqa: E402
from shoebox.scope import Scope  # noqa: E402
from shoebox.search.ann import AnnFiles  # noqa: E402
from shoebox.search.embedded import MemoryVectorStore  # noqa: E402
from shoebox.search.filters import Filters  # noqa: E402

sys.path.insert(1, str(ROOT))
from bench.search_index import queries, settings  # noqa: E402

#: A bucket (0-999) of the photo id per assigned column, by a multiplicative hash of its own (the top bits of
#: id * an odd constant mod 2**32), so the columns are about independent: below 100 the broad value, then 1%.
HASHES = {column: f"((id * {factor}) % 4294967296) * 1000 / 4294967296"
          for column, factor in (("camera", 2654435761), ("format", 2246822519), ("album", 3266489917))}


def _bucketed(column_hash: str, broad: str, narrow: str, rest: str) -> str:
    return f"CASE WHEN {column_hash} < 100 THEN '{broad}' WHEN {column_hash} < 110 THEN '{narrow}' ELSE '{rest}' END"


def prepare(args: argparse.Namespace) -> None:
    meta = json.loads((args.data / "bench.json").read_text())
    user = meta["owners"][0]
    db = Database(settings(args.data).database_url)
    start = time.perf_counter()
    with db.engine.begin() as conn:
        camera, fmt, album = HASHES["camera"], HASHES["format"], HASHES["album"]
        conn.exec_driver_sql(
            f"UPDATE photos SET camera_make = {_bucketed(camera, 'Canon', 'Leica', 'Google')}, "
            f"camera_model = {_bucketed(camera, 'Canon EOS R5', 'Leica Q2', 'Pixel 7')}, "
            f"format = {_bucketed(fmt, 'HEIC', 'DNG', 'JPEG')}")
        for name, lo, hi in (("broad", 0, 100), ("narrow", 100, 110)):
            if meta.get(f"album_{name}"):  # prepared before: done again
                conn.exec_driver_sql(f"DELETE FROM album_photos WHERE album_id = {meta[f'album_{name}']}")
                conn.exec_driver_sql(f"DELETE FROM albums WHERE id = {meta[f'album_{name}']}")
            album_id = conn.exec_driver_sql(
                "INSERT INTO albums (user_id, name, photo_order, created_at, updated_at) "
                f"VALUES ({user}, '{name}', 'newest', datetime('now'), datetime('now')) RETURNING id").scalar()
            conn.exec_driver_sql(f"INSERT INTO album_photos (album_id, photo_id, added_at) SELECT {album_id}, id, "
                                 f"datetime('now') FROM photos WHERE user_id = {user} AND {album} >= {lo} "
                                 f"AND {album} < {hi}")
            meta[f"album_{name}"] = album_id
    meta["filters"] = True
    (args.data / "bench.json").write_text(json.dumps(meta))
    print(f"prepared in {time.perf_counter() - start:.0f} s")


def _days(photos: int, share: float) -> tuple[date, date]:
    """Whole days around the library's middle holding about `share` of its photos (one a minute from 2000-01-01)."""
    days = max(1, round(photos * share / 1440))
    first = date(2000, 1, 1) + timedelta(minutes=photos // 2) - timedelta(days=days // 2)
    return first, first + timedelta(days=days - 1)


def cases(meta: dict) -> dict[str, Filters]:
    broad, narrow = _days(meta["photos"], 0.1), _days(meta["photos"], 0.01)
    return {
        "10% tag": Filters(tag="sample"), "1% tag": Filters(tag="rare"),
        "10% camera": Filters(camera="Canon EOS R5"), "1% camera": Filters(camera="Leica Q2"),
        "10% camera by brand": Filters(camera="canon"),
        "10% format": Filters(format="heic"), "1% format": Filters(format="dng"),
        "10% album": Filters(album=meta["album_broad"]), "1% album": Filters(album=meta["album_narrow"]),
        "10% dates": Filters(date_from=broad[0], date_to=broad[1]),
        "1% dates": Filters(date_from=narrow[0], date_to=narrow[1]),
        "10% tag + 10% camera": Filters(tag="sample", camera="Canon EOS R5"),
        "10% camera + 10% dates": Filters(camera="Canon EOS R5", date_from=broad[0], date_to=broad[1]),
        "10% album + 1% format": Filters(album=meta["album_broad"], format="dng"),
    }


def _superset(filters: Filters, scope: Scope, session):
    """The filters' superset as the service asks for it (the code before took no arguments)."""
    try:
        return filters.superset(scope, session)
    except TypeError:
        return filters.superset()


def measure(args: argparse.Namespace) -> None:
    if args.code:
        env = {**os.environ, "SHOEBOX_BENCH_CODE": str(args.code.resolve())}
        rest = [a for a in sys.argv[1:] if a not in ("--code", str(args.code))]
        sys.exit(subprocess.call([sys.executable, __file__, *rest], env=env))
    meta = json.loads((args.data / "bench.json").read_text())
    db = Database(settings(args.data).database_url)
    whole, model = Scope.of_user(meta["owners"][0]), meta["model"]
    store = MemoryVectorStore(AnnFiles(args.data / "vectors"), min_photos=1)
    q = queries(args.data, args.queries + 3)
    out = {"code": CODE or str(ROOT), "data": str(args.data)}
    with db.make_session() as session:
        store.search(session, whole, model, q[0], 500, "text")  # maps the file

        def one(filters: Filters, vector) -> list:
            scope = whole.narrow(*filters.conditions(whole, session))
            return store.search(session, scope, model, vector, 500, "text", _superset(filters, whole, session))

        for name, filters in cases(meta).items():
            if args.only and args.only not in name:
                continue
            walls, cpus = [], []
            for i in range(args.queries + 3):
                wall, cpu = time.perf_counter(), time.process_time()
                found = one(filters, q[i])
                if i >= 3:
                    walls.append((time.perf_counter() - wall) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
            out[name] = {"wall": _p50_p95(walls), "cpu": _p50_p95(cpus), "hits": len(found)}
            print(name, out[name], flush=True)
    print(json.dumps(out))


def _p50_p95(samples: list[float]) -> list[float]:
    ordered = sorted(samples)
    return [round(ordered[len(ordered) // 2], 1), round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("prepare", "measure"):
        command = sub.add_parser(name)
        command.add_argument("--data", type=Path, required=True)
        command.add_argument("--queries", type=int, default=30)
        command.add_argument("--code", type=Path, help="measure: run this checkout's shoebox (the code before)")
        command.add_argument("--only", help="measure: only the filters whose name holds this")
    args = parser.parse_args(argv)
    {"prepare": prepare, "measure": measure}[args.command](args)


if __name__ == "__main__":
    main()
