"""Damage a decoder does not report: a decoded image with rows it never filled is refused, not thumbnailed black.

With `ImageFile.LOAD_TRUNCATED_IMAGES` off (as Shoebox keeps it: it is process-wide, so turning it on for one
file would turn it on for every decode running beside it), Pillow refuses files whose data ends early: JPEG
(also at draft scale, where libjpeg still reads the whole entropy-coded stream), GIF, TIFF, WebP, BMP, HEIF.
One case slips through: a PNG whose compressed stream is complete but short (a file damaged before it was
compressed, or rewritten by a broken tool). Pillow's zlib decoder stops at the end of the stream without
checking that every row came (the check is commented out in its ZipDecode.c), so the rows never decoded stay as
the zero-filled memory they started as: black. That is looked for here, cheaply: only where the decoded image's
last row is all zero bytes (or the PNG is interlaced, whose passes leave other rows empty) is the compressed
stream inflated again to count its bytes against what the header promises.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image

from shoebox.media.errors import DamagedFile

#: Samples per pixel of each PNG colour type.
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
#: Adam7 passes: first column, first row, column step, row step.
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_PIECE = 1 << 20


def ensure_complete(image: Image.Image) -> None:
    """Raise DamagedFile where the loaded `image` (opened from a file) has rows its decoder never filled."""
    if image.format != "PNG" or not getattr(image, "filename", None):
        return
    if not image.info.get("interlace") and _last_row_filled(image):
        return
    if not png_complete(Path(image.filename)):
        raise DamagedFile("the image is damaged: its picture data ends before its last row")


def _last_row_filled(image: Image.Image) -> bool:
    row = image.crop((0, image.height - 1, image.width, image.height)).tobytes()
    return bool(row.strip(b"\x00"))


def png_complete(path: Path) -> bool:
    """Whether the PNG's IDAT stream inflates to every byte its header's size, depth and interlacing need."""
    inflater = zlib.decompressobj()
    expected, produced = None, 0
    with path.open("rb") as file:
        file.seek(8)
        while produced < (expected or 1):
            head = file.read(8)
            if len(head) < 8:
                break
            length, kind = struct.unpack(">I4s", head)
            if kind == b"IHDR":
                expected = _png_bytes(file.read(length))
                file.seek(4, 1)
            elif kind == b"IDAT" and expected is not None:
                produced += _inflated(inflater, file, length)
                file.seek(4, 1)
            elif kind == b"IEND":
                break
            else:
                file.seek(length + 4, 1)
    return expected is not None and produced >= expected


def _inflated(inflater, file, length: int) -> int:
    """How many bytes `length` bytes of the stream inflate to, a megabyte of output at a time."""
    produced = 0
    while length > 0:
        data = file.read(min(length, _PIECE))
        if not data:
            break
        length -= len(data)
        try:
            produced += len(inflater.decompress(data, _PIECE))
            while inflater.unconsumed_tail:
                produced += len(inflater.decompress(inflater.unconsumed_tail, _PIECE))
        except zlib.error:
            return produced
    return produced


def _png_bytes(header: bytes) -> int:
    """Bytes of filtered scanlines a PNG of this IHDR holds (one filter byte per row)."""
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", header[:13])
    bits = depth * _CHANNELS.get(colour, 4)
    if not interlace:
        return height * (1 + (width * bits + 7) // 8)
    total = 0
    for x0, y0, dx, dy in _ADAM7:
        columns, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if columns > 0 and rows > 0:
            total += rows * (1 + (columns * bits + 7) // 8)
    return total
