"""WebP thumbnails, both sizes from one decode, with EXIF orientation applied."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

#: Longest side of each thumbnail, in pixels.
SIZES = {"large": 1440, "small": 256}
_QUALITY = {"large": 82, "small": 75}


def render_thumbnails(image: Image.Image) -> dict[str, bytes]:
    """Encode every size from one opened image, reading JPEGs at reduced scale (draft) to decode less."""
    largest = max(SIZES.values())
    if image.format == "JPEG":
        image.draft("RGB", (largest, largest))
    image = ImageOps.exif_transpose(image)
    image = _flatten(image)
    out: dict[str, bytes] = {}
    for name, side in sorted(SIZES.items(), key=lambda item: -item[1]):  # shrink from the previous size
        image = image.copy() if max(image.size) <= side else _shrunk(image, side)
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", quality=_QUALITY[name], method=2)
        out[name] = buffer.getvalue()
    return out


def render_thumbnails_from(path: Path) -> dict[str, bytes]:
    with Image.open(path) as image:
        return render_thumbnails(image)


def _shrunk(image: Image.Image, side: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return copy


def _flatten(image: Image.Image) -> Image.Image:
    """RGB or RGBA, the modes WebP keeps; palette and 16-bit images are converted, the first frame of animations."""
    if image.mode in ("RGB", "RGBA"):
        return image
    has_alpha = image.mode in ("LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")
