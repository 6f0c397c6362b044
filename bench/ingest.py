"""Non-AI ingest speed: hash, metadata and both thumbnails for N generated photos of one kind.

Usage: python bench/ingest.py [--kind jpeg|raw|raw-preview|heic] [--n 200] [--workers 2]
Kinds: 12-megapixel JPEGs (4000x3000); 24-megapixel DNGs (6000x4000 12-bit RGGB sensor data written with
tifffile), without a usable preview (demosaiced) or with a 1620x1080 embedded preview (as Canon, Sony and Nikon
write); 12-megapixel HEICs (4032x3024, as an iPhone writes, encoded with pillow-heif).
Times the folder-import path (`Library.prepare_files` on --workers threads, then `store`), and the
one-at-a-time path of a web upload (`Library.ingest`). Prints photos/second, the process's CPU time per photo
(steadier than wall time on a shared machine) and peak memory (max RSS); then the work an upload leaves to the
worker (the 1440 px previews rendered after the upload answered), timed apart. Generating the photos is not timed
(they are cached in bench/out/ingest, bench/out/ingest-raw...).
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shoebox import create_app  # noqa: E402
from shoebox.auth import service as accounts  # noqa: E402

SIZE = (4000, 3000)
RAW_SIZE = (6000, 4000)
HEIC_SIZE = (4032, 3024)
PREVIEW_SIZE = (1620, 1080)


def make_photos(folder: Path, n: int) -> list[Path]:
    """N distinct photo-like 12 MP JPEGs (smooth gradients and shapes, like a real photo compresses)."""
    base = Image.radial_gradient("L").resize(SIZE).convert("RGB")
    base = Image.merge("RGB", (base.getchannel(0), base.getchannel(0).rotate(90, expand=False), base.getchannel(0)))
    base = base.filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise(SIZE, 40).convert("RGB")  # sensor-like grain: real 12 MP JPEGs are 3-6 MB
    base = Image.blend(base, grain, 0.25)
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


def make_raws(folder: Path, n: int, preview: bool) -> list[Path]:
    """N distinct DNGs of 6000x4000 sensor data (a smooth scene, sensor noise), with or without a preview."""
    from tests.media.format_samples import bayer_mosaic, dng_bytes

    rng = np.random.default_rng(42)
    scene = bayer_mosaic(*RAW_SIZE)
    paths = []
    for i in range(n):
        path = folder / f"raw_{i:04d}.dng"
        if not path.exists():
            noisy = (scene + rng.integers(0, 64, scene.shape, dtype=np.uint16)).clip(0, 4095).astype(np.uint16)
            thumb = _preview_of(i) if preview else Image.new("RGB", (256, 171), (90, 90, 90))
            path.write_bytes(dng_bytes(noisy, thumb))
        paths.append(path)
    return paths


def _preview_of(i: int) -> Image.Image:
    return Image.radial_gradient("L").resize(PREVIEW_SIZE).convert("RGB").point(lambda v: (v + i) % 256)


def make_heics(folder: Path, n: int) -> list[Path]:
    """N distinct 12 MP HEICs, the JPEG scene re-encoded with pillow-heif (HEVC) at an iPhone's size."""
    import pillow_heif

    jpegs = make_photos(folder.parent / "ingest", n)
    paths = []
    for i, jpeg in enumerate(jpegs):
        path = folder / f"photo_{i:04d}.heic"
        if not path.exists():
            image = Image.open(jpeg).resize(HEIC_SIZE)
            pillow_heif.from_pillow(image).save(path, quality=80)
        paths.append(path)
    return paths


def photos_of(kind: str, n: int) -> list[Path]:
    folder = Path(__file__).resolve().parent / "out" / ("ingest" if kind == "jpeg" else f"ingest-{kind}")
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "jpeg":
        return make_photos(folder, n)
    if kind == "heic":
        return make_heics(folder, n)
    return make_raws(folder, n, preview=kind == "raw-preview")


def run(n: int, workers: int, kind: str = "jpeg") -> None:
    t0 = time.perf_counter()
    paths = photos_of(kind, n)
    with Image.open(paths[0]) if kind in ("jpeg", "heic") else _raw_size(paths[0]) as first:
        width, height = first.size
    print(f"{n} {kind} photos ready in {time.perf_counter() - t0:.1f}s "
          f"(avg {sum(p.stat().st_size for p in paths) / n / 1e6:.1f} MB, {width}x{height})")
    for label, ingest in ((f"import, {workers} threads", _import_parallel(workers)), ("upload, one at a time",
                                                                                           _ingest_each)):
        (elapsed, cpu), (after, after_cpu, rendered) = _timed(paths, ingest)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{label}: {n} photos in {elapsed:.2f}s = {n / elapsed:.1f} photos/s "
              f"({elapsed / n * 1000:.0f} ms each, CPU {cpu / n * 1000:.0f} ms each); "
              f"peak RSS so far {peak / 1024:.0f} MB")
        if rendered:
            print(f"  then the worker: {rendered} previews in {after:.2f}s "
                  f"(CPU {after_cpu / rendered * 1000:.0f} ms each)")


def _raw_size(path: Path):
    from shoebox.media.raw import open_raw

    return open_raw(path)


def _timed(paths: list[Path], ingest) -> float:
    with tempfile.TemporaryDirectory() as data:
        app = create_app({"DATA_DIR": data, "WORKER_IN_PROCESS": False, "CAPTION_MODEL": "none",
                          "TAG_MODEL": "none", "EMBED_MODEL": "none"}, env_file=None)
        db, library = app.extensions["db"], app.extensions["library"]
        with app.app_context(), db.transaction() as session:
            user = accounts.register(session, "bench@example.com", "benchmark password")
            start, cpu = time.perf_counter(), time.process_time()
            ingest(library, session, user.id, paths)
            timed = time.perf_counter() - start, time.process_time() - cpu
        worker = _render_previews(app)
        db.dispose()
    return timed, worker


def _render_previews(app) -> tuple[float, float, int]:
    """Run the preview jobs the ingest queued (not the analyses: no model is on here); (wall, CPU, count)."""
    huey = app.extensions["queue"].huey
    logging.getLogger("huey").setLevel(logging.WARNING)
    start, cpu, count = time.perf_counter(), time.process_time(), 0
    while (task := huey.dequeue()) is not None:
        if task.name == "render_preview":
            huey.execute(task)
            count += 1
    return time.perf_counter() - start, time.process_time() - cpu, count


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
    parser.add_argument("--kind", choices=["jpeg", "raw", "raw-preview", "heic"], default="jpeg")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    run(args.n, args.workers, args.kind)
