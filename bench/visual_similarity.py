"""How alike photos look to Shoebox: cosines of the looks (visual embeddings) the packaged EfficientNet-Lite0 gives
a photo's copies and edits, against unrelated real photos, which set the near-duplicate threshold
(shoebox.search.duplicates.VISUAL_MATCH); and how long grouping near-duplicates takes.

    .venv/bin/python -m bench.visual_similarity [--tag efficientnet-lite0] [--photos 10000]

Photos: scikit-image's, scikit-learn's and matplotlib's samples (shipped in the packages), decoded as the analysis
decodes them (longest side 384 px).
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import matplotlib
import numpy as np
import skimage
import sklearn
from PIL import Image, ImageEnhance, ImageOps

from shoebox.ai.images import MODEL_INPUT_SIZE
from shoebox.ai.tagger import Tagger
from shoebox.search import duplicates

SKIMAGE = Path(skimage.__file__).parent / "data"
PHOTOS = [SKIMAGE / name for name in (
    "astronaut.png chelsea.png coffee.png rocket.jpg horse.png motorcycle_left.png motorcycle_right.png camera.png "
    "page.png hubble_deep_field.jpg retina.jpg coins.png text.png brick.png grass.png gravel.png ihc.png color.png "
    "logo.png cell.png moon.png").split()] + [
    Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg",
    Path(sklearn.__file__).parent / "datasets" / "images" / "china.jpg",
    Path(sklearn.__file__).parent / "datasets" / "images" / "flower.jpg"]


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def edits(image: Image.Image) -> dict[str, Image.Image]:
    """The copies a library gathers (the first three are the tests'), then heavier edits."""
    w, h = image.size
    return {"resized to 256 px": image.resize((256, 256), Image.Resampling.LANCZOS),
            "mirrored": ImageOps.mirror(image), "JPEG q=60": jpeg(image, 60),
            "brighter (1.3)": ImageEnhance.Brightness(image).enhance(1.3),
            "less contrast (0.6)": ImageEnhance.Contrast(image).enhance(0.6),
            "cropped to 80 %": image.crop((w // 10, h // 10, w - w // 10, h - h // 10)),
            "greyscale": ImageOps.grayscale(image).convert("RGB"),
            "mirrored, 256 px, JPEG q=40": jpeg(ImageOps.mirror(image).resize((256, 256)), 40),
            "cropped to a 512x300 band": image.crop((0, 100, 512, 400)),
            "turned 90 degrees": image.rotate(90), "64 px thumbnail": image.resize((64, 64))}


def small(image: Image.Image) -> Image.Image:
    image = image.convert("RGB")
    image.thumbnail((MODEL_INPUT_SIZE, MODEL_INPUT_SIZE))
    return image


def looks(tagger: Tagger, images: list[Image.Image]) -> np.ndarray:
    return np.stack([tagged.look for tagged in tagger.tag_and_describe([small(image) for image in images])])


def measure_cosines(tagger: Tagger) -> None:
    photos = {path.stem: Image.open(path).convert("RGB") for path in PHOTOS}
    names = list(photos)
    everything = looks(tagger, list(photos.values()))
    astronaut = everything[names.index("astronaut")]
    changed = edits(photos["astronaut"])
    print(f"Looks by {tagger.visual_version}; near-duplicate threshold {duplicates.VISUAL_MATCH}\n")
    print("The astronaut against its copies and edits:")
    for name, cosine in zip(changed, looks(tagger, list(changed.values())) @ astronaut, strict=True):
        print(f"  {name:30s} {cosine:.3f}")
    print("\nThe astronaut against the other photos, nearest first:")
    row = sorted(zip(everything @ astronaut, names, strict=True), reverse=True)[1:]
    print("  " + ", ".join(f"{name} {cosine:.3f}" for cosine, name in row))
    cosines = everything @ everything.T
    pairs = sorted(((cosines[i, j], names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))),
                   reverse=True)
    values = np.array([pair[0] for pair in pairs])
    print(f"\nAll {len(pairs)} pairs of different photos: median {np.median(values):.3f}, "
          f"90th percentile {np.percentile(values, 90):.3f}, highest:")
    print("  " + ", ".join(f"{a}/{b} {cosine:.3f}" for cosine, a, b in pairs[:6]))


def measure_grouping(count: int, dim: int = 1280) -> None:
    """Grouping time over synthetic looks spread like the real ones (median pair cosine ~0.15), 1 % of them in
    pairs of copies (cosine ~0.98)."""
    rng = np.random.default_rng(1)
    base = rng.standard_normal(dim).astype(np.float32)
    base /= np.linalg.norm(base)  # a shared direction: unit noise around 0.42 * base gives cosines ~0.15
    vectors = 0.42 * base + rng.standard_normal((count, dim)).astype(np.float32) / np.sqrt(dim)
    originals, copies = rng.choice(count, (2, count // 200), replace=False)
    vectors[copies] = vectors[originals] + rng.standard_normal((len(copies), dim)).astype(np.float32) * 0.005
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sample = vectors[:200] @ vectors[:200].T
    start = time.perf_counter()
    pairs = duplicates._look_pairs(np.arange(count), vectors)
    print(f"\nGrouping {count} synthetic looks (median pair cosine {np.median(sample[np.triu_indices(200, 1)]):.2f}): "
          f"{time.perf_counter() - start:.2f} s, {len(pairs)} pairs at >= {duplicates.VISUAL_MATCH}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="efficientnet-lite0", help="TAG_MODEL to measure")
    parser.add_argument("--photos", type=int, default=10_000, help="synthetic looks to group (0: skip)")
    args = parser.parse_args(argv)
    measure_cosines(Tagger(args.tag))
    if args.photos:
        measure_grouping(args.photos)


if __name__ == "__main__":
    main()
