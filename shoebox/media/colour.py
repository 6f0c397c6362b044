"""Where decoded pixels become the colours every output shares: thumbnails and models see 8-bit sRGB in RGB(A).

Two steps, both here and nowhere else:
- `eight_bit`: any decoded mode to an 8-bit one with the same channels (L, LA, RGB, RGBA or CMYK). 16-bit and
  32-bit greyscale (I;16*, I, F) are scaled to 0..255 from the range of their container, as a browser shows such a
  file; Pillow's own `convert` would clip every value above 255 to white.
- `to_srgb`: the file's embedded ICC profile (Display P3 from phones, Adobe RGB from cameras, a CMYK press
  profile) to sRGB with LittleCMS (`PIL.ImageCms`), on the image already shrunk (a transform costs 13-25 ms a
  megapixel here). Transforms are built once per profile (keyed by the hash of its bytes); a profile that is
  sRGB already is found out once and skipped after; a broken profile falls back to no conversion, never a failure.
The original file is never touched: only the decoded copy is converted.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections import OrderedDict

import numpy as np
from PIL import Image, ImageCms

log = logging.getLogger(__name__)

#: 8-bit modes a profile can be applied to (with the ICC colour space each needs) and that WebP/models reach
#: by a plain `convert`.
_PROFILE_SPACE = {"RGB": "RGB ", "RGBA": "RGB ", "L": "GRAY", "CMYK": "CMYK"}
_HIGH_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")
_SRGB = ImageCms.createProfile("sRGB")
#: Transforms kept (a phone library has one or two profiles; a scanned archive a few more).
_CACHE_SIZE = 32
_cache: OrderedDict[tuple[bytes, str, str], ImageCms.ImageCmsTransform | None] = OrderedDict()
_cache_lock = threading.Lock()

ValueRange = tuple[float, float]


def working_mode(image: Image.Image) -> str:
    """The 8-bit mode `eight_bit` gives this image: same channels, alpha kept, palette expanded."""
    mode = image.mode
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return mode
    if mode in _HIGH_BIT or mode == "1":
        return "L"
    if mode in ("La",):
        return "LA"
    if mode in ("PA", "RGBa") or (mode == "P" and "transparency" in image.info):
        return "RGBA"
    return "RGB"  # P, YCbCr, LAB, HSV, RGBX


def value_range(image: Image.Image) -> ValueRange | None:
    """The range of values that maps to black..white for a high-bit greyscale image (None for 8-bit ones).
    16-bit modes use the whole 16-bit range; 32-bit integers that fit 16 bits (how Pillow hands out some 16-bit
    files) too; float images in 0..1 are taken as 0..1; anything else is stretched from its darkest value to its
    brightest."""
    if image.mode not in _HIGH_BIT:
        return None
    if image.mode.startswith("I;16"):
        return (0.0, 65535.0)
    low, high = image.getextrema()
    if image.mode == "I" and low >= 0 and high <= 65535:
        return (0.0, 65535.0)
    if image.mode == "F" and low >= 0 and high <= 1:
        return (0.0, 1.0)
    return (float(low), float(high) if high > low else float(low) + 1.0)


def eight_bit(image: Image.Image, values: ValueRange | None = None) -> Image.Image:
    """`image` in its `working_mode`, high-bit values scaled from `values` (default: this image's own
    `value_range`; pass the whole image's when converting it a band at a time). `image` itself if already 8-bit."""
    mode = working_mode(image)
    if image.mode == mode:
        return image
    if image.mode not in _HIGH_BIT:
        return image.convert(mode)
    low, high = values or value_range(image)
    array = np.asarray(image, dtype=np.float32)
    scaled = (array - low) * (255.0 / (high - low)) + 0.5
    return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8), "L")


def icc_profile(image: Image.Image) -> bytes | None:
    """The ICC profile a file embeds (JPEG APP2, PNG iCCP, TIFF, WebP, HEIF, AVIF), None where it has none."""
    profile = image.info.get("icc_profile")
    return profile if isinstance(profile, bytes) and profile else None


def to_srgb(image: Image.Image, mode: str, profile: bytes | None = None) -> Image.Image:
    """The decoded `image` in `mode` ("RGB" or "RGBA"), its colours converted from `profile` (the file's ICC
    profile, see `icc_profile`) to sRGB: the one place a decoded image's colours enter thumbnails and models.
    Returns `image` itself where nothing needs converting."""
    image = eight_bit(image)
    transform = srgb_transform(profile, image.mode) if profile else None
    if transform is not None:
        try:
            image = ImageCms.applyTransform(image, transform)
        except (ImageCms.PyCMSError, ValueError, OSError):  # keep the unconverted colours rather than fail
            log.warning("colour profile could not be applied; colours kept as they are", exc_info=True)
    return image.convert(mode) if image.mode != mode else image


def srgb_transform(profile: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A cached transform from `profile` to sRGB for images in `mode` (RGBA keeps its alpha), or None where
    none is needed or possible: a profile for other channels than the image's, an sRGB one, a broken one."""
    if mode not in _PROFILE_SPACE:
        return None
    key = (hashlib.sha256(profile).digest(), mode, _out_mode(mode))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    transform = _build(profile, mode)  # outside the lock: a few ms; two threads may both build one
    with _cache_lock:
        _cache[key] = transform
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return transform


def _out_mode(mode: str) -> str:
    return "RGBA" if mode == "RGBA" else "RGB"


def _build(profile: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        if source.profile.xcolor_space != _PROFILE_SPACE[mode]:
            return None  # e.g. a grey profile on an RGB image: the file contradicts itself
        # Perceptual intent (LittleCMS uses relative colorimetric for matrix profiles such as P3 and Adobe RGB);
        # NOCACHE: the transform is shared by threads, and LittleCMS's one-pixel cache is not thread-safe.
        transform = ImageCms.buildTransform(source, _SRGB, mode, _out_mode(mode),
                                            renderingIntent=ImageCms.Intent.PERCEPTUAL,
                                            flags=ImageCms.Flags.NOCACHE)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError, AttributeError):
        log.warning("an embedded colour profile could not be read; its colours are taken as sRGB", exc_info=True)
        return None
    return None if _is_identity(transform, mode) else transform


def _is_identity(transform: ImageCms.ImageCmsTransform, mode: str) -> bool:
    """True for a profile that is sRGB already (most camera JPEGs that embed one): converting would change
    nothing but cost time. Checked once per profile on a grid of colours."""
    if mode not in ("RGB", "RGBA"):
        return False
    steps = np.linspace(0, 255, 16, dtype=np.uint8)
    grid = np.stack(np.meshgrid(steps, steps, steps, indexing="ij"), -1).reshape(64, 64, 3)
    probe = Image.fromarray(grid, "RGB").convert(mode)
    converted = ImageCms.applyTransform(probe, transform)
    difference = np.abs(np.asarray(converted, dtype=np.int16) - np.asarray(probe, dtype=np.int16))
    return int(difference.max()) <= 1


def to_rgb(image: Image.Image) -> Image.Image:
    """The image as 8-bit RGB; transparent areas become white instead of whatever colour hides under them."""
    if image.mode == "RGB":
        return image
    image = eight_bit(image)
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
