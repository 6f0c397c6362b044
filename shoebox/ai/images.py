"""The one input every model shares: a photo decoded once (by media/), small, upright and RGB."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from shoebox.media.files import open_small

#: Longest side handed to the models; every model here resizes to 224-384 px itself.
MODEL_INPUT_SIZE = 384


def load_for_models(path: str | Path, size: int = MODEL_INPUT_SIZE) -> Image.Image:
    """Open a photo as an upright RGB image no larger than `size` on its longest side (decoded reduced, within
    the process's budget of full-size pixels)."""
    return open_small(path, size, "RGB")
