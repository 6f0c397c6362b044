"""Decode a photo small, within a process-wide budget of full-size pixels: the one way thumbnails and models
read pixels.

A JPEG is decoded at reduced scale by libjpeg (`draft`). Other formats (PNG has no reduced decode) must be
decoded whole: a 0.6 MB single-colour 14000x14000 PNG is 784 MB of pixels. So every decode holds its share of
a `PixelBudget` (by default the decompression-bomb limit, `Image.MAX_IMAGE_PIXELS`: one image at the limit,
or several smaller ones, at a time), the full-size image is shrunk a band of rows at a time (a palette or
16-bit image is never converted whole), and its pixels are freed before the budget is given back.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import ExifTags, Image

from shoebox.media.colour import eight_bit, icc_profile, to_srgb, value_range, working_mode
from shoebox.media.integrity import ensure_complete
from shoebox.media.profiles import implied_profile

#: Pixels decoded at full size at once when the decompression-bomb limit is switched off.
DEFAULT_BUDGET = 200_000_000
#: Pixels converted and reduced in one band while shrinking (16 MB in RGBA).
BAND_PIXELS = 1 << 22
#: Pillow stores big images in blocks of this size. Pillow's 16 MB default is under glibc's 32 MB ceiling for
#: its moving mmap threshold: after the first big image is freed, later blocks come from per-thread heaps that
#: keep the memory (measured: three 14000x14000 PNGs uploaded at once and decoded one at a time still peaked at
#: 2.6 GB; 1.2 GB with 64 MB blocks). Blocks above the ceiling are always mapped, and unmapped when freed.
BLOCK_SIZE = 64 << 20
Image.core.set_block_size(BLOCK_SIZE)

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PixelBudget:
    """A first-come, first-served weighted semaphore over decoded pixels: decodes run side by side while their
    pixels fit the budget; one bigger than the whole budget runs alone."""

    def __init__(self, total: int | None = None) -> None:
        self._total = total
        self._used = 0
        self._waiting: deque[object] = deque()
        self._changed = threading.Condition()

    @property
    def total(self) -> int:
        """The fixed total, or else the decompression-bomb limit in force (create_app sets it from Settings)."""
        return self._total or Image.MAX_IMAGE_PIXELS or DEFAULT_BUDGET

    @contextmanager
    def hold(self, pixels: int) -> Iterator[None]:
        """Wait for room for `pixels` (in arrival order, so a big decode is not starved by small ones)."""
        ticket = object()
        with self._changed:
            self._waiting.append(ticket)
            self._changed.wait_for(lambda: self._waiting[0] is ticket
                                   and self._used + min(pixels, self.total) <= self.total)
            cost = min(pixels, self.total)
            self._waiting.popleft()
            self._used += cost
            self._changed.notify_all()  # the next in line may fit beside this one
        try:
            yield
        finally:
            with self._changed:
                self._used -= cost
                self._changed.notify_all()


#: Shared by every thread of the process: ingest, imports, thumbnail repairs and the analysis worker.
BUDGET = PixelBudget()


def decode_reduced(image: Image.Image, side: int, mode: str | None = None, budget: PixelBudget = BUDGET,
                   resample: Image.Resampling = Image.Resampling.BILINEAR) -> Image.Image:
    """An upright copy of an opened image in `mode` (default: RGB, or RGBA where the image has transparency),
    in sRGB, no larger than `side` on its longest side. The whole file is decoded (a damaged one raises), and the
    opened image is closed, its full-size pixels freed, before this returns."""
    turn = _TRANSPOSE.get(orientation(image))
    profile = icc_profile(image) or implied_profile(exif_of(image))  # a camera's Adobe RGB names no profile
    if max(image.size) > side:
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale, pillow-heif picks an embedded thumbnail no smaller than asked
        # (other formats ignore it): ask in the photo's own proportions, so a landscape photo's height is not kept
        # larger than needed. At any scale libjpeg reads the whole entropy-coded stream, so a file cut short is
        # still refused.
        scale = side / max(image.size)
        image.draft("RGB", (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    with budget.hold(image.width * image.height):
        try:
            image.load()
            ensure_complete(image)
            reduced = fit(_reduced(image, max(1, max(image.size) // (2 * side))), side, resample)
            reduced = reduced.copy() if reduced is image else reduced
        finally:
            image.close()
    # Colours last, on the fewest pixels: a profile's transform costs 13-25 ms a megapixel here.
    converted = to_srgb(reduced, mode or _flat_mode(reduced), profile)
    return converted.transpose(turn) if turn is not None else converted


def fit(image: Image.Image, side: int, resample: Image.Resampling = Image.Resampling.BILINEAR) -> Image.Image:
    """`image` resized to no more than `side` on its longest side (never enlarged); `image` itself if it fits."""
    if max(image.size) <= side:
        return image
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # Box-reduce to within 2x of the target, then the filter: for these ratios bilinear looks like Lanczos at a
    # third of the cost (measured: 22 ms vs 40 ms bicubic for 2000x1500 -> 1440).
    return image.resize(size, resample, reducing_gap=2.0)


def _reduced(image: Image.Image, factor: int) -> Image.Image:
    """`image` in its 8-bit working mode, reduced `factor` times by box averaging, a band of rows at a time (a
    16-bit image is scaled with the range of the whole image, not of each band)."""
    values = value_range(image)
    if factor == 1 and values is None:
        return eight_bit(image)
    width, height = image.size
    out = Image.new(working_mode(image), (-(-width // factor), -(-height // factor)))
    rows = factor * max(1, BAND_PIXELS // (width * factor))  # a multiple of factor: bands meet on box edges
    for top in range(0, height, rows):
        band = eight_bit(image.crop((0, top, width, min(height, top + rows))), values)
        out.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return out


def _flat_mode(image: Image.Image) -> str:
    """RGB or RGBA, the modes WebP and the models take: RGBA where the 8-bit working image has alpha."""
    return "RGBA" if image.mode in ("RGBA", "LA") else "RGB"


def exif_of(image: Image.Image) -> Image.Exif:
    """The EXIF an opened image carries, read without decoding its pixels (empty where the block is damaged).
    For a PNG without EXIF before its pixels, Pillow would decode the whole picture, outside any budget, to look
    for one after them: that one is not read (encoders, Pillow's among them, write it before the pixels)."""
    try:
        if image.format == "PNG" and "exif" not in image.info:
            return Image.Image.getexif(image)
        return image.getexif()
    except Exception:  # corrupt EXIF: the pixels may still be fine
        return Image.Exif()


def orientation(image: Image.Image) -> int | None:
    """The EXIF orientation (1-8) of an opened image, None where it has none."""
    return exif_of(image).get(ExifTags.Base.Orientation)


def upright_size(image: Image.Image) -> tuple[int, int]:
    """Width and height of an opened image as shown, after its EXIF orientation (5-8 turn it a quarter)."""
    return (image.height, image.width) if orientation(image) in (5, 6, 7, 8) else image.size


def limit_pixels(pixels: int) -> None:
    """Refuse to open images of more than `pixels` (Pillow's decompression-bomb limit; also the budget's size)."""
    Image.MAX_IMAGE_PIXELS = pixels
