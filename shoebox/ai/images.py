"""Decode a photo once, small, upright and RGB: the one input every model shares."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from shoebox.library.decoding import decode_reduced

#: Longest side handed to the models; every model here resizes to 224-384 px itself.
MODEL_INPUT_SIZE = 384


def load_for_models(path: str | Path, size: int = MODEL_INPUT_SIZE) -> Image.Image:
    """Open a photo as an upright RGB image no larger than `size` on its longest side (decoded reduced, within
    the process's budget of full-size pixels)."""
    with Image.open(path) as img:
        rgb = decode_reduced(img, size, "RGB")
    rgb.thumbnail((size, size), Image.Resampling.BICUBIC)
    return rgb
