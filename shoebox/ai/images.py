"""Decode a photo once, small, upright and RGB: the one input every model shares."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

#: Longest side handed to the models; every model here resizes to 224-384 px itself.
MODEL_INPUT_SIZE = 384


def load_for_models(path: str | Path, size: int = MODEL_INPUT_SIZE) -> Image.Image:
    """Open a photo as an upright RGB image no larger than `size` on its longest side."""
    with Image.open(path) as img:
        if img.format == "JPEG":
            # draft() lets libjpeg decode at 1/2, 1/4 or 1/8 scale: far faster on big photos. Ask for the
            # photo's own proportions: a square request would keep a landscape photo's height too large.
            scale = size / max(img.size)
            img.draft("RGB", (max(1, round(img.width * scale)), max(1, round(img.height * scale))))
        upright = ImageOps.exif_transpose(img)
        rgb = upright.convert("RGB")
    rgb.thumbnail((size, size), Image.Resampling.BICUBIC)
    return rgb
