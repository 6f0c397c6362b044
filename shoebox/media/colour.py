"""Where decoded pixels become the colours every output shares: thumbnails and models see sRGB in RGB(A).

Today a file's pixels are taken to be sRGB already and only their mode is converted; an embedded ICC profile
(Display P3 from phones, Adobe RGB from cameras) will be converted here, with `PIL.ImageCms`, once for all.
"""

from __future__ import annotations

import numpy as np
from PIL import Image


def to_srgb(image: Image.Image, mode: str) -> Image.Image:
    """The decoded `image` (or a band of it) in `mode` ("RGB" or "RGBA"), in sRGB: the one place a decoded
    image enters thumbnails and models. Returns `image` itself where nothing needs converting."""
    return image.convert(mode) if image.mode != mode else image


def to_rgb(image: Image.Image) -> Image.Image:
    """The image as 8-bit RGB; transparent areas become white instead of whatever colour hides under them."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        # 16-bit / float greyscale: scale to 0..255 instead of clipping.
        array = np.asarray(image, dtype=np.float32)
        top = float(array.max()) or 1.0
        return Image.fromarray((array * (255.0 / top)).clip(0, 255).astype(np.uint8)).convert("RGB")
    return image.convert("RGB")
