"""Micro benchmark of the model layer alone: load time and images (or texts) per second, batched vs one at a time.

Runs the models that can be had offline (packaged EfficientNet-Lite0 tagger, packaged MiniLM text embedder),
plus any model given by a path or id in CAPTION_MODEL / TAG_MODEL / EMBED_MODEL style arguments.

    python -m bench.analyze_models   (or PYTHONPATH=. python bench/analyze_models.py)
    [--photos 16] [--batch 8] [--caption PATH] [--tag NAME] [--embed NAME]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from shoebox.ai.base import ModelUnavailable
from shoebox.ai.captioner import Captioner
from shoebox.ai.embedder import ImageTextEmbedder, TextEmbedder, is_image_text_model
from shoebox.ai.images import load_for_models
from shoebox.ai.tagger import Tagger
from shoebox.config import Settings


def synthetic_photos(count: int, size: tuple[int, int] = (4000, 3000)) -> list[Image.Image]:
    """Decoded, model-sized photos from a large noisy JPEG written to a temp file (decode cost included once)."""
    import tempfile

    rng = np.random.default_rng(0)
    path = Path(tempfile.mkdtemp()) / "big.jpg"
    small = rng.integers(0, 255, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
    Image.fromarray(small).resize(size, Image.Resampling.BILINEAR).save(path, quality=90)
    started = time.perf_counter()
    photos = [load_for_models(path) for _ in range(count)]
    print(f"decode 4000x3000 JPEG -> {photos[0].size}: {(time.perf_counter() - started) / count * 1000:.0f} ms/photo")
    return photos


def rate(run: Callable[[list[Any]], Any], items: list[Any], batch: int) -> tuple[float, float]:
    """Items per second batched (`batch` at a time) and one at a time, after one warm-up call."""
    run(items[:1])
    started = time.perf_counter()
    for start in range(0, len(items), batch):
        run(items[start : start + batch])
    batched = len(items) / (time.perf_counter() - started)
    started = time.perf_counter()
    for item in items:
        run([item])
    return batched, len(items) / (time.perf_counter() - started)


def report(label: str, model: Any, method: str, items: list[Any], batch: int) -> None:
    started = time.perf_counter()
    try:
        model.loaded()
    except ModelUnavailable as exc:
        print(f"{label}: unavailable ({exc})")
        return
    load_s = time.perf_counter() - started
    model.batch_size = len(items)  # the bench slices batches itself
    batched, single = rate(getattr(model, method), items, batch)
    print(
        f"{label}: load {load_s:.1f} s; {batched:.1f}/s batched ({batch}), {single:.1f}/s one at a time "
        f"(x{batched / single:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=16)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--caption", default="")
    parser.add_argument("--tag", default="efficientnet-lite0")
    parser.add_argument("--embed", default="sentence-transformers/all-MiniLM-L6-v2")
    parser.add_argument("--threads", type=int, default=0,
                        help="PyTorch threads per call (default: the worker's MODEL_THREADS, 1 on 2 cores)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads or Settings().model_threads())
    print(f"torch threads: {torch.get_num_threads()}")
    photos = synthetic_photos(args.photos)
    texts = [f"a photo of a dog on the beach number {n}, dog, beach, sea" for n in range(args.photos * 4)]
    if args.caption:
        report(f"caption {args.caption}", Captioner(args.caption), "caption", photos, args.batch)
    report(f"tag {args.tag}", Tagger(args.tag), "tag", photos, args.batch)
    if is_image_text_model(args.embed):
        report(f"embed images {args.embed}", ImageTextEmbedder(args.embed), "embed_images", photos, args.batch)
    else:
        report(f"embed texts {args.embed}", TextEmbedder(args.embed), "embed_texts", texts, args.batch * 4)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
