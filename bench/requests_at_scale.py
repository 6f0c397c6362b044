"""Every browsing request on a generated library of 300,000 photos (issue 18, target 7): p50/p95 per route.

Usage:
    python bench/requests_at_scale.py --photos 300000 --repeat 20 [--cache /tmp/shoebox-300k] [--code DIR]
        [--database-url postgresql+psycopg://...]  (a PostgreSQL copy made by `flask shoebox migrate-data`)

Builds one user's library on SQLite (rows inserted in bulk, no files: every timed route reads rows only) beside two
other users' smaller libraries (their ids before and after the big one's): photos over 20 years from 12 cameras
(one rare), four formats, two to four tags each out of 60 (Zipf-like, one rare), a city and country on most, a
caption from a few sentences (so keyword search has common and rare words), 2% favourites, 1% in Trash, an
album of 2,000 photos, all analysed; the keyword index filled as the ORM would. `--cache DIR` keeps the built
data folder there and copies it for each run (the same library for the old code and the new). Then times each
route through the Flask test client, `--repeat` requests after a warm-up, and prints a Markdown table.
`--code DIR` runs another checkout's code (the old one, `git archive main | tar -x -C DIR`) on the same data.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if "--code" in sys.argv:
    ROOT = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, or_, select, text  # noqa: E402

from shoebox import create_app  # noqa: E402
from shoebox.cursors import encode_keyset, encode_offset  # noqa: E402
from shoebox.models import Album, AlbumPhoto, Photo, PhotoTag, User, place_key  # noqa: E402

PASSWORD = "correct horse battery"
START = datetime(2006, 1, 1)
DAYS = 20 * 365
BATCH = 20_000
PAGE = 50
DEEP_PAGE = 1000
CAMERAS = [("Canon", "Canon EOS 5D Mark IV"), ("Canon", "Canon EOS R6"), ("NIKON CORPORATION", "NIKON D750"),
           ("SONY", "ILCE-7M3"), ("Apple", "iPhone 12"), ("Apple", "iPhone 15 Pro"), ("samsung", "SM-G991B"),
           ("Google", "Pixel 7"), ("FUJIFILM", "X-T4"), ("OLYMPUS", "E-M10"), ("Panasonic", "DMC-GX80")]
RARE_CAMERA = ("Leica Camera AG", "LEICA Q2")
FORMATS = [("JPEG", "image/jpeg", 0.85), ("HEIC", "image/heic", 0.1), ("PNG", "image/png", 0.04),
           ("WEBP", "image/webp", 0.01)]
TAGS = ["beach", "mountain", "dog", "cat", "snow", "sunset"] + [f"tag{n:02d}" for n in range(54)]
RARE_TAG = "lighthouse"
CITIES = [("Paris", "Île-de-France", "France"), ("Lyon", "Auvergne-Rhône-Alpes", "France"),
          ("Berlin", "Berlin", "Germany"), ("Madrid", "Madrid", "Spain"), ("Rome", "Lazio", "Italy"),
          ("London", "England", "United Kingdom"), ("Oslo", "Oslo", "Norway"), ("Lisbon", "Lisbon", "Portugal"),
          ("New York", "New York", "United States"), ("Kyoto", "Kyoto", "Japan")]
SENTENCES = ["a photo of people standing on a beach near the sea with boats", "a dog running in a park",
             "a mountain covered in snow under a blue sky", "a plate of food on a wooden table",
             "a city street at night with cars and lights", "a child playing with a ball in a garden",
             "a sunset over the water with clouds", "a group of friends smiling at a party"]
RARE_SENTENCE = "a red lighthouse on a rocky coast"


def build(app, photos: int, seed: int) -> dict:
    """Three users (two small libraries around the big one); the big one's headers and facts for the routes."""
    client = app.test_client()
    tokens = []
    for email in ("before@example.com", "bench@example.com", "after@example.com"):
        reply = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        tokens.append(reply.json["access_token"])
    rng = random.Random(seed)
    database = app.extensions["db"]
    with database.engine.begin() as connection:
        users = list(connection.scalars(select(User.id).order_by(User.id)))
        for user_id, count in zip(users, (5000, photos, 5000), strict=True):
            _fill(connection, rng, user_id, count)
        owner = users[1]
        connection.execute(insert(Album), [{"user_id": owner, "name": "Holiday", "created_at": START,
                                            "updated_at": START}])
        album = connection.scalar(select(Album.id).where(Album.user_id == owner))
        ids = list(connection.scalars(select(Photo.id).where(Photo.user_id == owner)))
        connection.execute(insert(AlbumPhoto), [{"album_id": album, "photo_id": i, "added_at": START}
                                                for i in rng.sample(ids, 2000)])
        _fill_keyword_index(connection)
        connection.execute(text("ANALYZE"))
    return {"token": tokens[1]}


def _fill(connection, rng: random.Random, user_id: int, count: int) -> None:
    first = connection.scalar(select(Photo.id).order_by(Photo.id.desc()).limit(1)) or 0
    for start in range(0, count, BATCH):
        rows = [_row(rng, user_id, n) for n in range(start, min(count, start + BATCH))]
        connection.execute(insert(Photo), rows)
    tags = []
    for photo_id in range(first + 1, first + count + 1):
        names = {TAGS[min(int(rng.paretovariate(0.8)) - 1, len(TAGS) - 1)] for _ in range(rng.randint(2, 4))}
        if rng.random() < 0.001:
            names.add(RARE_TAG)
        tags += [{"photo_id": photo_id, "name": name, "source": "ai", "hidden": False} for name in names]
    for start in range(0, len(tags), BATCH * 2):
        connection.execute(insert(PhotoTag), tags[start:start + BATCH * 2])


def _row(rng: random.Random, user_id: int, n: int) -> dict:
    make, model = RARE_CAMERA if rng.random() < 0.001 else rng.choice(CAMERAS)
    fmt, mime = rng.choices([(f, m) for f, m, _w in FORMATS], weights=[w for *_x, w in FORMATS])[0]
    city, region, country = rng.choice(CITIES) if rng.random() < 0.8 else (None, None, None)
    taken = START + timedelta(days=rng.randrange(DAYS), seconds=rng.randrange(86400))
    caption = RARE_SENTENCE if rng.random() < 0.001 else rng.choice(SENTENCES)
    return {"user_id": user_id, "sha256": f"{user_id:08x}{n:056x}", "filename": f"IMG_{n:07d}.jpg", "format": fmt,
            "mime_type": mime, "file_size": 3_000_000, "width": 4000, "height": 3000, "taken_at": taken,
            "taken_at_source": "exif", "camera_make": make, "camera_model": model, "city": city, "region": region,
            "country": country, "place_key": place_key(city, region, country), "status": "done",
            "caption": caption, "caption_source": "ai", "favourite": rng.random() < 0.02,
            "trashed_at": taken if rng.random() < 0.01 else None, "created_at": taken, "updated_at": taken}


def _fill_keyword_index(connection) -> None:
    """photo_fts as the ORM's re-index writes it (shoebox.search.keyword), for every photo at once."""
    connection.execute(text(
        "INSERT INTO photo_fts(rowid, caption, tags, note, filename, camera, people, place, ocr) "
        "SELECT p.id, p.caption, (SELECT group_concat(t.name, ' ') FROM photo_tags t WHERE t.photo_id = p.id "
        "AND NOT t.hidden), p.note, p.filename, trim(coalesce(p.camera_make, '') || ' ' || "
        "coalesce(p.camera_model, '')), NULL, trim(coalesce(p.city, '') || ' ' || coalesce(p.region, '') || ' ' || "
        "coalesce(p.country, '')), NULL FROM photos p"))


def routes(app, owner_id: int) -> list[tuple[str, str | list[str]]]:
    """(name, url) of every timed request."""
    with app.extensions["db"].engine.connect() as connection:
        visible = [Photo.user_id == owner_id, Photo.trashed_at.is_(None)]
        deep = connection.execute(select(Photo.taken_at, Photo.id).where(*visible)
                                  .order_by(Photo.taken_at.desc(), Photo.id.desc())
                                  .offset(PAGE * DEEP_PAGE - 1).limit(1)).first()
        deep = deep or (datetime(2000, 1, 1), 1)  # a small library: past its end
        middle = connection.scalar(select(Photo.id).where(*visible).order_by(Photo.id)
                                   .offset(100).limit(1))
        album = connection.scalar(select(Album.id).where(Album.user_id == owner_id))
        canon = connection.execute(select(Photo.taken_at, Photo.id).where(*visible, or_(
            func.lower(Photo.camera_model).like("%canon%"), func.lower(Photo.camera_make).like("%canon%")))
            .order_by(Photo.taken_at.desc(), Photo.id.desc()).offset(PAGE * DEEP_PAGE - 1).limit(1)).first()
    cursor, offset = encode_keyset(*deep), encode_offset(PAGE * DEEP_PAGE)
    # a search without words hands out keyset cursors now; the old code only offset ones (it refuses the other)
    search = f"/api/search?sort=date&limit={PAGE}&"
    canon_deep = [search + f"camera=canon&cursor={encode_keyset(*canon)}"] if canon else []
    return [
        ("list, first page", f"/api/photos?limit={PAGE}"),
        (f"list, page {DEEP_PAGE} (cursor)", f"/api/photos?limit={PAGE}&cursor={cursor}"),
        ("list, 200", "/api/photos?limit=200"),
        ("detail", f"/api/photos/{middle}"),
        ("timeline (month counts)", "/api/timeline"),
        ("timeline + tag=beach", "/api/timeline?tag=beach"),
        ("timeline + favourite=true", "/api/timeline?favourite=true"),
        ("timeline + camera=canon", "/api/timeline?camera=canon"),
        ("timeline + format=HEIC", "/api/timeline?format=HEIC"),
        ("timeline + tag=beach, a year", "/api/timeline?tag=beach&from=2012-01-01&to=2012-12-31"),
        ("facets", "/api/facets"),
        ("jobs progress", "/api/jobs"),
        ("suggest tag 'be'", "/api/suggest?field=tag&prefix=be"),
        ("filter camera=canon", search + "camera=canon"),
        ("filter camera=leica (rare)", search + "camera=leica"),
        ("filter tag=beach", search + "tag=beach"),
        (f"filter tag={RARE_TAG} (rare)", search + f"tag={RARE_TAG}"),
        ("filter one month (from/to)", search + "from=2015-06-01&to=2015-06-30"),
        ("filter format=HEIC", search + "format=HEIC"),
        ("filter place=paris", search + "place=paris"),
        ("filter favourite=true", search + "favourite=true"),
        ("filter album", search + f"album={album}"),
        ("filter camera + tag", search + "camera=iphone&tag=dog"),
        ("filter tag + a year", search + "tag=snow&from=2012-01-01&to=2012-12-31"),
        ("filter format + favourite", search + "format=PNG&favourite=true"),
        (f"filter camera=canon, page {DEEP_PAGE}", [*canon_deep, search + f"camera=canon&cursor={offset}"]),
        ("listing + tag=beach", f"/api/photos?limit={PAGE}&tag=beach"),
        ("listing + camera=leica", f"/api/photos?limit={PAGE}&camera=leica"),
        ("keyword 'beach' (common)", f"/api/search?limit={PAGE}&q=beach"),
        ("keyword 'lighthouse' (rare)", f"/api/search?limit={PAGE}&q=lighthouse"),
        ("keyword 'dog park'", f"/api/search?limit={PAGE}&q=dog+park"),
        ("keyword 'beach' + camera", f"/api/search?limit={PAGE}&q=beach&camera=canon"),
        ("keyword 'beach' by date", f"/api/search?limit={PAGE}&q=beach&sort=date"),
        (f"keyword 'beach', page {DEEP_PAGE}", f"/api/search?limit={PAGE}&q=beach&cursor={offset}"),
        (f"keyword 'beach', page {DEEP_PAGE} (page {DEEP_PAGE - 1}'s cursor)", _scrolled("beach")),
    ]


def _scrolled(words: str):
    """The url of page DEEP_PAGE by the cursor page DEEP_PAGE - 1 hands out (read by its offset), as a client
    scrolling gets it (a tail cursor since ranked pages seek; the old code's: an offset one)."""
    def url(client, headers: dict) -> str:
        before = f"/api/search?limit={PAGE}&q={words}"
        reply = client.get(before + f"&cursor={encode_offset(PAGE * (DEEP_PAGE - 1))}", headers=headers)
        return before + f"&cursor={reply.json['next_cursor']}"
    return url


def timed(client, urls: str | list[str], headers: dict, repeat: int) -> tuple[float, float, int]:
    """p50 and p95 milliseconds of `repeat` requests after a warm-up, and how many items the answer had (of the
    first of `urls` the code takes)."""
    for url in [urls] if isinstance(urls, str) else urls:
        reply = client.get(url, headers=headers)
        if reply.status_code != 400:
            break
    assert reply.status_code == 200, (url, reply.status_code, reply.get_data(as_text=True)[:300])
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    answer = reply.json
    items = len(answer.get("items", [])) if isinstance(answer, dict) else 0
    return statistics.median(samples), p95, items


CONFIG = {"WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
          "EMBED_MODEL": "none", "LOG_LEVEL": "WARNING", "FACES_ENABLED": False, "OCR_ENABLED": False,
          "PLACES_ENABLED": False, "REGISTRATION": "open", "AUTH_RATE_LIMIT_PER_MINUTE": 100_000}


def prepare(folder: Path, cache: Path | None, photos: int, seed: int) -> None:
    """The data folder: a copy of the cached one, else built (and cached when asked)."""
    if cache and (cache / "shoebox.db").exists():
        shutil.copytree(cache, folder, dirs_exist_ok=True)
        return
    app = create_app({**CONFIG, "DATA_DIR": str(folder)}, env_file=None)
    started = time.perf_counter()
    build(app, photos, seed)
    app.extensions["db"].dispose()
    print(f"built {photos:,} photos in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if cache:
        shutil.copytree(folder, cache, dirs_exist_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--cache", type=Path, help="keep the built data folder here and reuse it")
    parser.add_argument("--code", help="run this checkout's code instead (read before the imports)")
    parser.add_argument("--only", help="time only the routes whose name contains this")
    parser.add_argument("--database-url", help="time this PostgreSQL copy of the library (`flask shoebox "
                                               "migrate-data` of a cached folder's database) instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if not args.database_url:
            prepare(Path(folder), args.cache, args.photos, args.seed)
        started = time.perf_counter()
        where = {"DATABASE_URL": args.database_url} if args.database_url else {}
        app = create_app({**CONFIG, "DATA_DIR": folder, **where}, env_file=None)  # migrates to this code's head
        print(f"started (migrations) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        client = app.test_client()
        reply = client.post("/api/auth/login", json={"email": "bench@example.com", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {reply.json['access_token']}"}
        with app.extensions["db"].engine.connect() as connection:
            owner = connection.scalar(select(User.id).where(User.email == "bench@example.com"))
        print(f"{args.photos:,} photos, {args.repeat} requests each, load average {os.getloadavg()[0]:.1f}, "
              f"code {ROOT}", file=sys.stderr)
        print(f"| route ({args.photos:,} photos) | p50 ms | p95 ms | items |")
        print("|---|---|---|---|")
        for name, url in routes(app, owner):
            if args.only and args.only not in name:
                continue
            url = url(client, headers) if callable(url) else url
            p50, p95, items = timed(client, url, headers, args.repeat)
            print(f"| {name} | {p50:.1f} | {p95:.1f} | {items} |", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f}", file=sys.stderr)
        app.extensions["db"].dispose()


if __name__ == "__main__":
    main()
