"""A big generated library, fast: photo rows inserted straight into the database (no decoding, no analysis) and a
tiny real WebP for each thumbnail, hard-linked from a few shared files. Used by bench/timeline.py (50,000 photos)
and the timeline's browser tests (a few thousand)."""

from __future__ import annotations

import io
import os
import random
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import insert

from shoebox.db import Database
from shoebox.library.storage import THUMB_SIZES, Storage
from shoebox.models import Photo

CHUNK = 5000
#: Months in which the generated library holds a burst of photos (a holiday): one month much bigger than the rest.
BUSY_SHARE = 0.08


def _thumbnail(colour: tuple[int, int, int], label: str, side: int) -> bytes:
    image = Image.new("RGB", (side, side), colour)
    ImageDraw.Draw(image).text((side // 8, side // 3), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=60)
    return buffer.getvalue()


def _shared_thumbnails(root: Path, months: int) -> dict[tuple[int, str], Path]:
    """One small and one large WebP per month colour, to hard-link from."""
    folder = root / "bench-shared"
    folder.mkdir(parents=True, exist_ok=True)
    shared = {}
    for month in range(months):
        colour = ((month * 67) % 200 + 30, (month * 131) % 200 + 30, (month * 29) % 200 + 30)
        for size, side in (("small", 64), ("large", 256)):
            path = folder / f"{month}-{size}.webp"
            path.write_bytes(_thumbnail(colour, str(month), side))
            shared[(month, size)] = path
    return shared


def taken_times(count: int, newest: datetime, years: float, seed: int) -> list[datetime]:
    """`count` dates, newest first, over `years`: evenly spread with jitter, and a burst in one month."""
    rng = random.Random(seed)
    span = timedelta(days=365.25 * years).total_seconds()
    busy = int(count * BUSY_SHARE)
    burst_start = newest - timedelta(days=365.25 * years / 3)
    times = [newest - timedelta(seconds=rng.uniform(0, span)) for _ in range(count - busy)]
    times += [burst_start - timedelta(seconds=rng.uniform(0, 20 * 86400)) for _ in range(busy)]
    return sorted((t.replace(microsecond=0) for t in times), reverse=True)


def fill_library(database_url: str, data_dir: Path, user_id: int, count: int, *, newest: datetime | None = None,
                 years: float = 10, seed: int = 0, thumbnails: bool = True) -> list[datetime]:
    """Insert `count` photos for `user_id` (with thumbnails on disk unless told not to); return their dates,
    newest first."""
    newest = newest or datetime(2026, 6, 30, 18, 0, 0)
    times = taken_times(count, newest, years, seed)
    storage = Storage(data_dir)
    shared = _shared_thumbnails(Path(data_dir), 12) if thumbnails else {}
    rows = []
    for n, taken in enumerate(times):
        sha = f"{seed:08x}{n:056x}"
        month = taken.month - 1
        for size in THUMB_SIZES if thumbnails else ():
            target = storage.thumbnail_path(user_id, sha, size)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(shared[(month, size)], target)
        rows.append({"user_id": user_id, "sha256": sha, "filename": f"IMG_{n:06d}.jpg", "format": "JPEG",
                     "mime_type": "image/jpeg", "file_size": 2_000_000, "width": 4000, "height": 3000,
                     "taken_at": taken, "taken_at_source": "exif", "status": "done", "created_at": newest,
                     "updated_at": newest})
    database = Database(database_url)
    try:
        for start in range(0, len(rows), CHUNK):
            with database.transaction() as session:
                session.execute(insert(Photo), rows[start:start + CHUNK])
    finally:
        database.dispose()
    return times
