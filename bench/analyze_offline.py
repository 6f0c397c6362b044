"""Offline understanding speed: faces, OCR and geocoding per photo per second on 12-megapixel JPEGs.

    python bench/analyze_offline.py --n 10 [--ocr-sweep]

The photos are scikit-image's sample photos enlarged to 4000x3000 and saved as JPEG (quality 90) under
bench/out/photos12mp/ (made once). Each timing covers the full path a job takes: open the JPEG, decode
with Pillow's draft() at the size the model needs, scale down, run the model.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shoebox.ai.faces import FaceAnalyzer  # noqa: E402
from shoebox.ai.ocr import TextReader  # noqa: E402
from shoebox.ai.places import PlaceResolver  # noqa: E402

SIZE = (4000, 3000)
OUT = Path(__file__).resolve().parent / "out" / "photos12mp"
# name -> how to fill 4000x3000: "cover" crops a photo, "contain" keeps a whole page on white.
PHOTOS = {"astronaut": "cover", "coffee": "cover", "rocket": "cover", "chelsea": "cover",
          "page": "contain", "text": "contain"}
PAGE_WORDS = ["region", "segmentation", "markers", "coins", "background", "pixels", "label",
              "unambiguously", "object", "extreme", "histogram", "values"]
CITIES = [(48.8566, 2.3522), (35.6895, 139.6917), (40.7128, -74.0060), (-33.8688, 151.2093),
          (51.5074, -0.1278), (52.52, 13.405), (-22.9068, -43.1729), (1.3521, 103.8198)]


def make_photos() -> list[Path]:
    """The 12 MP JPEGs, made from skimage's data on first use."""
    from skimage import data

    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fit in PHOTOS.items():
        path = OUT / f"{name}.jpg"
        if not path.exists():
            image = Image.fromarray(getattr(data, name)()).convert("RGB")
            if fit == "cover":
                big = ImageOps.fit(image, SIZE, Image.Resampling.BICUBIC)
            else:
                big = Image.new("RGB", SIZE, (235, 235, 235))
                inner = ImageOps.contain(image, SIZE, Image.Resampling.BICUBIC)
                big.paste(inner, ((SIZE[0] - inner.width) // 2, (SIZE[1] - inner.height) // 2))
            big.save(path, quality=90)
        paths.append(path)
    return paths


def decode(path: Path, longest: int) -> Image.Image:
    """Open a JPEG decoded by draft() at the smallest 1/2^k scale still at least `longest` on its long side."""
    image = Image.open(path)
    scale = max(image.size) / longest
    image.draft("RGB", (round(image.width / scale), round(image.height / scale)))
    return ImageOps.exif_transpose(image.convert("RGB"))


def timed(paths: list[Path], n: int, work) -> tuple[float, list]:
    """Seconds per photo (median over n photos) and the results."""
    times, results = [], []
    for path in itertools.islice(itertools.cycle(paths), n):
        start = time.perf_counter()
        results.append(work(path))
        times.append(time.perf_counter() - start)
    return statistics.median(times), results


def per_photo(paths: list[Path], work) -> str:
    """Milliseconds for each photo once, e.g. "astronaut 170, page 900"."""
    parts = []
    for path in paths:
        start = time.perf_counter()
        work(path)
        parts.append(f"{path.stem} {(time.perf_counter() - start) * 1000:.0f}")
    return "ms each: " + ", ".join(parts)


def report(label: str, seconds: float, extra: str = "") -> None:
    print(f"{label:<36} {seconds * 1000:9.2f} ms/photo {1 / seconds:10.1f} photos/s  {extra}")


def bench_decode(paths: list[Path], n: int) -> None:
    for side in (800, 1600):
        seconds, _ = timed(paths, n, lambda p, s=side: decode(p, s).size)
        report(f"decode only (draft, >= {side} px)", seconds)


def bench_faces(paths: list[Path], n: int) -> None:
    analyzer = FaceAnalyzer()
    start = time.perf_counter()
    analyzer.loaded()
    print(f"faces: load {time.perf_counter() - start:.2f} s")
    seconds, found = timed(paths, n, lambda p: (p.stem, len(analyzer.faces(decode(p, analyzer.max_side)))))
    report("faces (draft -> 800 px -> dlib)", seconds, "faces " + str(dict(sorted(set(found)))))
    print(" " * 38 + per_photo(paths, lambda p: analyzer.faces(decode(p, analyzer.max_side))))


def bench_ocr(paths: list[Path], n: int, sides: list[int]) -> None:
    for side in sides:
        reader = TextReader(max_side=side)
        start = time.perf_counter()
        reader.loaded()
        load = time.perf_counter() - start
        seconds, _ = timed(paths, n, lambda p, r=reader, s=side: r.read(decode(p, s)))
        page = reader.read(decode(OUT / "page.jpg", side)).text.lower()
        words = sum(word in page for word in PAGE_WORDS)
        report(f"ocr (draft -> {side} px -> RapidOCR)", seconds,
               f"load {load:.2f} s; page words read {words}/{len(PAGE_WORDS)}")
        print(" " * 38 + per_photo(paths, lambda p, r=reader, s=side: r.read(decode(p, s))))


def bench_places(n: int) -> None:
    resolver = PlaceResolver()
    start = time.perf_counter()
    resolver.loaded()
    print(f"places: load {time.perf_counter() - start:.2f} s")
    coords = list(itertools.islice(itertools.cycle(CITIES), n))
    start = time.perf_counter()
    for lat, lon in coords:
        resolver.resolve(lat, lon)
    report("places (one call per photo)", (time.perf_counter() - start) / n)
    many = list(itertools.islice(itertools.cycle(CITIES), 10_000))
    start = time.perf_counter()
    resolver.resolve_many(many)
    report("places (resolve_many, 10,000)", (time.perf_counter() - start) / len(many))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="photos timed per part (cycling through the set)")
    parser.add_argument("--ocr-sweep", action="store_true", help="also time OCR at other working sizes")
    args = parser.parse_args()
    paths = make_photos()
    print(f"{len(paths)} photos {SIZE[0]}x{SIZE[1]} JPEG in {OUT}; n={args.n}")
    bench_decode(paths, args.n)
    bench_faces(paths, args.n)
    bench_ocr(paths, args.n, [960, 1280, 1600, 2000] if args.ocr_sweep else [TextReader().max_side])
    bench_places(args.n)


if __name__ == "__main__":
    main()
