"""The map's points, the bbox search filter and memories on a generated library (default 300,000 photos).

Usage: python bench/map_memories.py --photos 300000 --repeat 7

Builds one user's library on SQLite in a temp folder (rows inserted in bulk, no files: every timed route reads
rows only): 85% of the photos have GPS, most of them near 40 cities (a Gaussian of about 5 km around each, the
way holidays and home cluster), the rest anywhere; dates spread over 20 years; a caption on each, as analysis
leaves one (so rows are as wide as in a real library). Then times each route through the Flask test client
(JSON encoding and compression included), median and worst of `--repeat` runs after one warm-up, with the size
of each answer. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from shoebox import create_app  # noqa: E402
from shoebox.models import Photo, User  # noqa: E402

PASSWORD = "correct horse battery"
START = datetime(2005, 1, 1)
DAYS = 20 * 365
BATCH = 20_000


def build(app, photos: int, seed: int) -> dict:
    """Register a user and insert `photos` photo rows for them; their headers."""
    client = app.test_client()
    reply = client.post("/api/auth/register", json={"email": "bench@example.com", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {reply.json['access_token']}"}
    rng = random.Random(seed)
    cities = _cities(rng)
    database = app.extensions["db"]
    with database.engine.begin() as connection:
        user_id = connection.execute(select(User.id)).scalar_one()
        for start in range(0, photos, BATCH):
            connection.execute(insert(Photo), [_row(rng, user_id, n, cities) for n in range(start, min(photos,
                                                                                                   start + BATCH))])
        connection.execute(text("ANALYZE"))
    return headers


def _row(rng: random.Random, user_id: int, n: int, cities) -> dict:
    lat = lon = None
    roll = rng.random()
    if roll < 0.75:
        city_lat, city_lon = rng.choice(cities)
        lat, lon = city_lat + rng.gauss(0, 0.05), city_lon + rng.gauss(0, 0.07)
    elif roll < 0.85:
        lat, lon = rng.uniform(-60, 70), rng.uniform(-180, 180)
    taken = START + timedelta(days=rng.randrange(DAYS), seconds=rng.randrange(86400))
    return {"user_id": user_id, "sha256": f"{n:064x}", "filename": f"IMG_{n:07d}.jpg", "format": "JPEG",
            "mime_type": "image/jpeg", "file_size": 3_000_000, "width": 4000, "height": 3000, "taken_at": taken,
            "taken_at_source": "exif", "gps_latitude": lat, "gps_longitude": lon,
            "location_source": "exif" if lat is not None else None, "status": "done",
            "caption": "a photo of people standing on a beach near the sea with boats and a mountain behind them",
            "caption_source": "ai", "created_at": taken, "updated_at": taken}


def timed(client, method: str, url: str, headers: dict, repeat: int, **kwargs) -> tuple[float, float, int, int]:
    """Median and worst milliseconds of `repeat` requests after a warm-up, and the answer's size raw and gzipped."""
    reply = client.open(url, method=method, headers=headers, **kwargs)
    assert reply.status_code < 300, (url, reply.status_code, reply.get_data(as_text=True)[:300])
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        reply = client.open(url, method=method, headers=headers, **kwargs)
        samples.append((time.perf_counter() - started) * 1000)
    body = reply.get_data()
    return statistics.median(samples), max(samples), len(body), len(gzip.compress(body))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATA_DIR": folder, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
                          "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none", "LOG_LEVEL": "WARNING",
                          "FACES_ENABLED": False, "OCR_ENABLED": False, "PLACES_ENABLED": False,
                          "REGISTRATION": "open"}, env_file=None)
        started = time.perf_counter()
        headers = build(app, args.photos, args.seed)
        print(f"built {args.photos:,} photos in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        client = app.test_client()
        year = START.year + 19
        routes = [
            ("map, whole world (grid cells)", "GET", "/api/places/points", {}),
            ("map, whole world, 50,000 points asked", "GET", "/api/places/points?limit=50000", {}),
            ("map, a country-sized view", "GET", "/api/places/points?bbox=-10,35,20,60", {}),
            ("map, one city", "GET", _city_bbox(args.seed), {}),
            ("grid of a cluster (search, bbox filter, 60)", "GET", "/api/search?sort=date&limit=60&bbox=-10,35,20,60",
             {}),
            ("on this day (20 earlier years)", "GET", f"/api/memories/on-this-day?date={year + 1}-07-14", {}),
            (f"year in review ({year}, 24 photos)", "POST", "/api/memories/year-in-review",
             {"json": {"year": year, "size": 24}}),
        ]
        print(f"| route ({args.photos:,} photos) | median ms | worst ms | answer | gzipped |")
        print("|---|---|---|---|---|")
        for name, method, url, kwargs in routes:
            median, worst, size, packed = timed(client, method, url, headers, args.repeat, **kwargs)
            print(f"| {name} | {median:.0f} | {worst:.0f} | {size / 1024:.0f} KiB | {packed / 1024:.0f} KiB |")
        app.extensions["db"].dispose()


def _city_bbox(seed: int) -> str:
    """A 0.4 x 0.4 degree box around the first city (about 5,500 photos at 300,000)."""
    lat, lon = _cities(random.Random(seed))[0]
    return f"/api/places/points?bbox={lon - 0.2:.4f},{lat - 0.2:.4f},{lon + 0.2:.4f},{lat + 0.2:.4f}"


def _cities(rng: random.Random) -> list[tuple[float, float]]:
    return [(rng.uniform(-45, 60), rng.uniform(-120, 150)) for _ in range(40)]


if __name__ == "__main__":
    main()
