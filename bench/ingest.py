"""Non-AI ingest speed: hash, metadata and both thumbnails for N generated 12-megapixel JPEGs.

Usage: python bench/ingest.py [--n 200] [--workers 2]
Times the folder-import path (`Library.prepare_files` on --workers threads, then `store`), and the
one-at-a-time path of a web upload (`Library.ingest`). Prints photos/second and peak memory (max RSS);
generating the photos is not timed (they are cached in bench/out/ingest).
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shoebox import create_app  # noqa: E402
from shoebox.auth import service as accounts  # noqa: E402

SIZE = (4000, 3000)


def make_photos(folder: Path, n: int) -> list[Path]:
    """N distinct photo-like 12 MP JPEGs (smooth gradients and shapes, like a real photo compresses)."""
    base = Image.radial_gradient("L").resize(SIZE).convert("RGB")
    base = Image.merge("RGB", (base.getchannel(0), base.getchannel(0).rotate(90, expand=False), base.getchannel(0)))
    base = base.filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise(SIZE, 24).convert("RGB")  # sensor-like grain: real 12 MP JPEGs are 3-6 MB
    base = Image.blend(base, grain, 0.12)
    paths = []
    rng = random.Random(42)
    for i in range(n):
        path = folder / f"photo_{i:04d}.jpg"
        if not path.exists():
            image = base.copy()
            draw = ImageDraw.Draw(image)
            for _ in range(12):
                x, y = rng.randrange(SIZE[0]), rng.randrange(SIZE[1])
                draw.ellipse((x, y, x + rng.randrange(200, 900), y + rng.randrange(200, 900)),
                             fill=tuple(rng.randrange(256) for _ in range(3)))
            image.save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


def run(n: int, workers: int) -> None:
    cache = Path(__file__).resolve().parent / "out" / "ingest"
    cache.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    paths = make_photos(cache, n)
    print(f"{n} photos ready in {time.perf_counter() - t0:.1f}s "
          f"(avg {sum(p.stat().st_size for p in paths) / n / 1e6:.1f} MB, {SIZE[0]}x{SIZE[1]})")
    for label, ingest in ((f"import, {workers} threads", _import_parallel(workers)), ("upload, one at a time",
                                                                                           _ingest_each)):
        elapsed = _timed(paths, ingest)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{label}: {n} photos in {elapsed:.2f}s = {n / elapsed:.1f} photos/s "
              f"({elapsed / n * 1000:.0f} ms each); peak RSS so far {peak / 1024:.0f} MB")


def _timed(paths: list[Path], ingest) -> float:
    with tempfile.TemporaryDirectory() as data:
        app = create_app({"DATA_DIR": data, "WORKER_IN_PROCESS": False, "CAPTION_MODEL": "none",
                          "TAG_MODEL": "none", "EMBED_MODEL": "none"}, env_file=None)
        db, library = app.extensions["db"], app.extensions["library"]
        with app.app_context(), db.transaction() as session:
            user = accounts.register(session, "bench@example.com", "benchmark password")
            start = time.perf_counter()
            ingest(library, session, user.id, paths)
            elapsed = time.perf_counter() - start
        db.dispose()
    return elapsed


def _import_parallel(workers: int):
    def ingest(library, session, user_id, paths):
        for _path, prepared in library.prepare_files(paths, set(), workers):
            library.store(session, user_id, prepared)
            prepared.discard()
    return ingest


def _ingest_each(library, session, user_id, paths):
    for path in paths:
        with path.open("rb") as stream:
            library.ingest(session, user_id, io.BufferedReader(stream), path.name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    run(args.n, args.workers)
