"""WebP thumbnails with EXIF orientation applied (a video's poster frame will come through here too, as the image
its format's opener gives).

An upload gets its small grid thumbnail at once, decoded at the smallest scale that gives it (a 12 MP JPEG at
1/8: 500 px); its 1440 px preview is rendered after (by the worker, or on first view), decoded at 1/2. A file
that cannot be decoded reduced (a PNG, a HEIC without a thumbnail, a RAW without a preview) is decoded whole
anyway, so both sizes come from that one decode."""

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
#: libwebp effort (0-6): the large preview is encoded at the fastest effort (it dominates its render time; the
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
        out[name] = _encode(image, name)
    return out, difference_hash(image)


def render_upload_thumbnails(image: Image.Image) -> tuple[dict[str, bytes], int]:
    """What an upload needs before it is acknowledged: the small thumbnail (and its difference hash), decoded at
    the smallest scale that gives it. Where the decoder cannot reduce, the whole picture is decoded anyway, and
    the preview comes from the same decode (rendering it later would decode the file whole a second time)."""
    if not reduces(image, SIZES["small"]):
        return render_thumbnails(image)
    small = decode_reduced(image, SIZES["small"])
    return {"small": _encode(small, "small")}, difference_hash(small)


def reduces(image: Image.Image, side: int) -> bool:
    """Whether the opened image's decoder gives it reduced to about `side` (libjpeg's 1/2 to 1/8 scale, a RAW's
    or HEIF's embedded preview) rather than whole; asked through `draft`, which stays set for the decode. Where
    it does not, the request is taken back (asked again at full size: a RAW would demosaic at `side`)."""
    whole = image.size
    if max(whole) <= side:
        return True
    scale = side / max(whole)
    image.draft("RGB", (max(1, round(whole[0] * scale)), max(1, round(whole[1] * scale))))
    if image.size != whole:
        return True
    image.draft("RGB", whole)
    return False


def render_thumbnail_from(path: Path, size: str) -> bytes:
    """One size rendered from a stored original, decoded at the scale that size needs (an upload's preview,
    or a missing or damaged thumbnail's repair); raises a MediaError where the original cannot be decoded."""
    with readable(), open_file(path) as (_fmt, image):
        return _encode(decode_reduced(image, SIZES[size]), size)


def render_thumbnails_from(path: Path) -> dict[str, bytes]:
    """Every size rendered again from a stored original (a missing or damaged thumbnail's repair); raises a
    MediaError where the original cannot be decoded."""
    with readable(), open_file(path) as (_fmt, image):
        return render_thumbnails(image)[0]


def _encode(image: Image.Image, size: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=_QUALITY[size], method=_METHOD[size])
    return buffer.getvalue()


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
