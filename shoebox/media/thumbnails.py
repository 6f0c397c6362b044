"""WebP thumbnails, both sizes from one decode, with EXIF orientation applied (a video's poster frame will
come through here too, as the image its format's opener gives)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from shoebox.media.decoding import decode_reduced, fit
from shoebox.media.errors import readable
from shoebox.media.formats import open_file

#: Longest side of each thumbnail, in pixels.
SIZES = {"large": 1440, "small": 256}
_QUALITY = {"large": 82, "small": 75}
#: libwebp effort (0-6): the large preview is encoded at the fastest effort (it dominates ingest time; the
#: files come out ~10% bigger), the small grid thumbnail at a higher one (it is tiny and loaded by the hundred).
_METHOD = {"large": 0, "small": 4}
#: Longest side of the full-size rendition (WebP's own limit): a photo the viewer cannot show as it is (HEIC, RAW,
#: TIFF, JPEG XL) is shown zoomed in from this, upright and in sRGB like the thumbnails.
FULL_SIDE = 16383
_FULL_QUALITY = 88


def render_thumbnails(image: Image.Image) -> tuple[dict[str, bytes], int]:
    """Encode every size from one opened image, decoded reduced (and closed: its full-size pixels freed at
    once); return them with the picture's difference hash."""
    image = decode_reduced(image, max(SIZES.values()))
    out: dict[str, bytes] = {}
    for name, side in sorted(SIZES.items(), key=lambda item: -item[1]):  # shrink from the previous size
        image = fit(image, side)
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", quality=_QUALITY[name], method=_METHOD[name])
        out[name] = buffer.getvalue()
    return out, difference_hash(image)


def render_thumbnails_from(path: Path) -> dict[str, bytes]:
    """Every size rendered again from a stored original (a missing or damaged thumbnail's repair); raises a
    MediaError where the original cannot be decoded."""
    with readable(), open_file(path) as (_fmt, image):
        return render_thumbnails(image)[0]


def render_full_from(path: Path) -> bytes:
    """The full-size WebP rendition of a stored original; raises a MediaError where it cannot be decoded."""
    with readable(), open_file(path) as (_fmt, image):
        image = decode_reduced(image, FULL_SIDE)
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=_FULL_QUALITY, method=0)  # the fastest effort: it is made while one waits
    return buffer.getvalue()


def difference_hash(image: Image.Image) -> int:
    """64-bit dHash: brightness gradients of a 9x8 greyscale; near-identical pictures differ in few bits.
    Returned as a signed 64-bit integer so it fits a SQL BIGINT."""
    pixels = image.convert("L").resize((9, 8), Image.Resampling.BILINEAR).tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return bits - (1 << 64) if bits >= 1 << 63 else bits

