"""What the kept counts' triggers cost the writes: bulk edits and inserts of 5,000 photos in a 300,000-photo library.

Usage:
    python bench/bulk_edits.py --cache /tmp/shoebox-300k [--code DIR] [--count 5000]

On a copy of bench/requests_at_scale.py's library (`--cache`, built there if missing), times through the Flask
test client one bulk edit after another on the same `--count` photos of the big library (add a tag, remove it,
favourite, a date shift of 40 days, Trash, restore), then inserts `--count` photo rows with three tags each as
requests_at_scale builds them (what an upload writes, without its files). Each is one transaction; the triggers
fire per row. Then checks that the timeline with each kept filter answers as the counting path does.
`--code DIR` runs another checkout's code (the old one) on the same data, for a before/after.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import requests_at_scale as scale  # noqa: E402  (reads --code before the app's imports)
from sqlalchemy import insert, select  # noqa: E402

from shoebox import create_app  # noqa: E402
from shoebox.library.timeline import month_counts  # noqa: E402
from shoebox.models import Photo, PhotoTag, User  # noqa: E402
from shoebox.scope import Scope  # noqa: E402
from shoebox.search.filters import parse_filters  # noqa: E402

CHECKED = ({"tag": "beach"}, {"tag": "trip"}, {"camera": "canon"}, {"format": "HEIC"}, {"favourite": "true"})


def edits(client, headers: dict, ids: list[int]) -> list[tuple[str, str, str, dict]]:
    return [("add a tag", "patch", "/api/photos", {"ids": ids, "add_tags": ["trip"]}),
            ("remove it", "patch", "/api/photos", {"ids": ids, "remove_tags": ["trip"]}),
            ("favourite", "patch", "/api/photos", {"ids": ids, "favourite": True}),
            ("shift 40 days", "patch", "/api/photos", {"ids": ids, "shift_seconds": 40 * 86400}),
            ("to Trash", "post", "/api/trash", {"ids": ids}),
            ("restore", "post", "/api/trash/restore", {"ids": ids})]


def insert_rows(app, owner: int, count: int) -> float:
    """Seconds to insert `count` photo rows and three tags each, as one transaction."""
    rng = random.Random(7)
    database = app.extensions["db"]
    started = time.perf_counter()
    with database.engine.begin() as connection:
        first = connection.scalar(select(Photo.id).order_by(Photo.id.desc()).limit(1))
        connection.execute(insert(Photo), [{**scale._row(rng, owner, n), "sha256": f"{n:064x}"}
                                           for n in range(count)])
        connection.execute(insert(PhotoTag), [{"photo_id": first + 1 + n, "name": name, "source": "ai",
                                               "hidden": False} for n in range(count)
                                              for name in ("beach", "dog", f"tag{n % 50:02d}")])
    return time.perf_counter() - started


def check(app, client, headers: dict, owner: int) -> None:
    """The timeline with each kept filter answers as the counting path does."""
    with app.extensions["db"].make_session() as session:
        for args in CHECKED:
            filters, scope = parse_filters(args), Scope.of_user(owner)
            counted = month_counts(session, scope.narrow(*filters.conditions(scope, session)))
            query = "&".join(f"{key}={value}" for key, value in args.items())
            answered = [(m["month"], m["count"]) for m in client.get(f"/api/timeline?{query}", headers=headers)
                        .json["months"]]
            assert answered == counted, (args, answered[:3], counted[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--code", help="run this checkout's code instead (read before the imports)")
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scale.prepare(Path(folder), args.cache, 300_000, 18)
        app = create_app({**scale.CONFIG, "DATA_DIR": folder}, env_file=None)
        client = app.test_client()
        reply = client.post("/api/auth/login", json={"email": "bench@example.com", "password": scale.PASSWORD})
        headers = {"Authorization": f"Bearer {reply.json['access_token']}"}
        with app.extensions["db"].engine.connect() as connection:
            owner = connection.scalar(select(User.id).where(User.email == "bench@example.com"))
            ids = sorted(random.Random(5).sample(list(connection.scalars(select(Photo.id).where(
                Photo.user_id == owner, Photo.trashed_at.is_(None)))), args.count))
        print(f"code {scale.ROOT}, {args.count:,} photos each", file=sys.stderr)
        print("| bulk write | seconds |\n|---|---|")
        for name, method, url, body in edits(client, headers, ids):
            started = time.perf_counter()
            reply = getattr(client, method)(url, json=body, headers=headers)
            assert reply.status_code < 300, (name, reply.status_code, reply.get_data(as_text=True)[:200])
            print(f"| {name} | {time.perf_counter() - started:.2f} |", flush=True)
        print(f"| insert rows + 3 tags each | {insert_rows(app, owner, args.count):.2f} |")
        check(app, client, headers, owner)
        app.extensions["db"].dispose()


if __name__ == "__main__":
    main()
