"""End-to-end analysis speed: the real job (decode once, every configured model, store results) over
N 12-megapixel photos, batched (ANALYSIS_BATCH_SIZE) vs one photo per job, with time per part and peak memory.

Usage: python bench/analyze.py [--n 32] [--batch 8] [--all] [--photos real|synthetic]
Models are the offline defaults (packaged EfficientNet-Lite0 tags + MiniLM text embedding; the BLIP
captioner cannot be downloaded here, so it is off); `--all` adds faces, OCR and places. The photos: "real"
(default) are scikit-image's sample photos (a face, a cat, a cup, a rocket, a horse, a scanned page) each cropped
differently, enlarged to 4000x3000 with sensor-like grain and GPS in their EXIF; "synthetic" are bench/ingest.py's
gradients and shapes. Per part: wall seconds spent in it (parts that overlap on threads add up to more than the
run), and the process's CPU time per photo (steadier than wall time on a shared machine). Per-model figures:
bench/analyze_models.py.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from PIL import ExifTags, Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shoebox.jobs.analysis as analysis  # noqa: E402
import shoebox.jobs.parts as parts  # noqa: E402
from bench.ingest import SIZE, make_photos  # noqa: E402
from shoebox import create_app  # noqa: E402
from shoebox.ai.registry import clear_cache  # noqa: E402
from shoebox.auth import service as accounts  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
#: skimage sample -> how it fills 4000x3000: "cover" crops a photo, "contain" keeps a whole page on paper.
SAMPLES = {"astronaut": "cover", "chelsea": "cover", "coffee": "cover", "rocket": "cover", "horse": "cover",
           "page": "contain"}
CITIES = [(48.8566, 2.3522), (35.6895, 139.6917), (40.7128, -74.0060), (-33.8688, 151.2093), (51.5074, -0.1278)]

#: Wall and process CPU seconds per part of the job, summed over the run (filled by the wrappers below; the CPU
#: time of parts that overlap on threads is counted in each).
SPENT: Counter[str] = Counter()
SPENT_CPU: Counter[str] = Counter()
_spent_lock = threading.Lock()


def make_real_photos(folder: Path, n: int) -> list[Path]:
    """N distinct real-looking 12 MP JPEGs (made once): skimage's photos, each a different crop, with grain and
    a GPS position."""
    from skimage import data

    folder.mkdir(parents=True, exist_ok=True)
    paths, rng = [], random.Random(7)
    for i in range(n):
        path = folder / f"real_{i:04d}.jpg"
        if not path.exists():
            name = list(SAMPLES)[i % len(SAMPLES)]
            image = Image.fromarray(getattr(data, name)()).convert("RGB")
            _enlarged(image, SAMPLES[name], rng).save(path, quality=90, exif=_gps_exif(CITIES[i % len(CITIES)]))
        paths.append(path)
    return paths


def _enlarged(image: Image.Image, fit: str, rng: random.Random) -> Image.Image:
    if fit == "cover":
        crop = rng.uniform(0.75, 1.0)
        w, h = round(image.width * crop), round(image.height * crop)
        x, y = rng.randrange(image.width - w + 1), rng.randrange(image.height - h + 1)
        big = ImageOps.fit(image.crop((x, y, x + w, y + h)), SIZE, Image.Resampling.BICUBIC)
    else:
        big = Image.new("RGB", SIZE, tuple(rng.randrange(225, 245) for _ in range(3)))
        inner = ImageOps.contain(image, (round(SIZE[0] * rng.uniform(0.8, 1.0)), SIZE[1]), Image.Resampling.BICUBIC)
        big.paste(inner, ((SIZE[0] - inner.width) // 2, (SIZE[1] - inner.height) // 2))
    grain = Image.effect_noise(SIZE, 24).convert("RGB")  # a camera's noise: real 12 MP JPEGs are 3-6 MB
    return Image.blend(big, grain, 0.12)


def _gps_exif(position: tuple[float, float]) -> Image.Exif:
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    lat, lon = position
    gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(abs(lat))
    gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(abs(lon))
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees, rest = int(value), (value - int(value)) * 60
    return float(degrees), float(int(rest)), round((rest - int(rest)) * 60, 2)


def _timed_call(label: str, call):
    def run(*args, **kwargs):
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return call(*args, **kwargs)
        finally:
            with _spent_lock:
                SPENT[label] += time.perf_counter() - started
                SPENT_CPU[label] += time.process_time() - cpu
    return run


def instrument() -> None:
    """Time each part's predict, the decode and the save (works on old and new job code alike)."""
    parts.PIPELINE = tuple(replace(part, predict=_timed_call(f"{part.name}/{part.reads}", part.predict))
                           for part in parts.PIPELINE)
    analysis.load_for_models = _timed_call("decode", analysis.load_for_models)
    analysis.Analyzer._save = _timed_call("save", analysis.Analyzer._save)


def library_with(paths: list[Path], data: str, batch: int, all_parts: bool):
    """An app on `data` with the photos ingested (not analysed yet) and the models loaded."""
    clear_cache()
    app = create_app({"DATA_DIR": data, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                      "CAPTION_MODEL": "none", "ANALYSIS_BATCH_SIZE": batch, "FACES_ENABLED": all_parts,
                      "OCR_ENABLED": all_parts, "PLACES_ENABLED": all_parts}, env_file=None)
    db, library = app.extensions["db"], app.extensions["library"]
    with db.transaction() as session:
        user = accounts.register(session, "bench@example.com", "benchmark password")
        ids = [library.store(session, user.id, prepared).photo.id
               for _path, prepared in library.prepare_files(paths, set(), 2)]
    analyzer = app.extensions["queue"].analyzer
    analyzer.models().unavailable()  # load every model before timing
    return analyzer, ids


def timed(analyzer, ids: list[int], batch: int) -> tuple[float, float]:
    """Wall and process CPU seconds to analyse `ids` in jobs of `batch`."""
    wall, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(ids), batch):
        analyzer.run_task(ids[first:first + batch])
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(paths: list[Path], batch: int, all_parts: bool) -> tuple[float, float, dict[str, tuple[float, float]]]:
    with tempfile.TemporaryDirectory() as data:
        analyzer, ids = library_with(paths, data, batch, all_parts)
        timed(analyzer, ids[:batch], batch)  # warm-up: first inference allocates
        SPENT.clear()
        SPENT_CPU.clear()
        wall, cpu = timed(analyzer, ids, batch)
        return wall, cpu, {name: (SPENT[name], SPENT_CPU[name]) for name in sorted(SPENT)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--all", action="store_true", help="also faces, OCR and places")
    parser.add_argument("--photos", choices=("real", "synthetic"), default="real")
    parser.add_argument("--only", type=int, choices=(0, 1), default=None,
                        help="measure only batch --batch (0) or only one photo per job (1)")
    args = parser.parse_args()
    if args.photos == "real":
        paths = make_real_photos(OUT / "analyze-real", args.n)
    else:
        (OUT / "ingest").mkdir(parents=True, exist_ok=True)
        paths = make_photos(OUT / "ingest", args.n)
    instrument()
    batches = (args.batch, 1) if args.only is None else ((args.batch,) if args.only == 0 else (1,))
    results = {}
    for batch in batches:
        load = os.getloadavg()[0]
        wall, cpu, spent = measure(paths, batch, args.all)
        results[batch] = wall
        per_part = ", ".join(f"{name} {wall_s / args.n * 1000:.0f}/{cpu_s / args.n * 1000:.0f}"
                             for name, (wall_s, cpu_s) in spent.items())
        print(f"batch {batch}: {args.n} photos in {wall:.2f}s = {args.n / wall:.2f} photos/s; "
              f"CPU {cpu / args.n * 1000:.0f} ms/photo; load {load:.1f} -> {os.getloadavg()[0]:.1f}")
        print(f"  ms/photo by part (wall/CPU; save includes embedding/words): {per_part}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if len(results) == 2:
        print(f"batched speed-up: {results[1] / results[args.batch]:.2f}x")
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
