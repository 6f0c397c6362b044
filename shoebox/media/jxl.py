"""JPEG XL through `pillow-jxl-plugin`, behind a size check.

The plug-in decodes every pixel inside `Image.open` (measured: a 5 KB 12000x12000 JXL took 5 s and 490 MB before
any size could be checked). So it is taken out of Pillow's list of openers, and `open_jxl` reads the picture's
size from the codestream header first (ISO/IEC 18181-1 SizeHeader: a few bits after the signature), refuses one
over the decompression-bomb limit, and decodes the rest holding its share of the pixel budget.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import IO

from PIL import Image, UnidentifiedImageError
from pillow_jxl import JpegXLImagePlugin

from shoebox.media.decoding import BUDGET
from shoebox.media.errors import TooManyPixels

Image.OPEN.pop(JpegXLImagePlugin.JXLImageFile.format, None)
if JpegXLImagePlugin.JXLImageFile.format in Image.ID:
    Image.ID.remove(JpegXLImagePlugin.JXLImageFile.format)

_CODESTREAM = b"\xff\x0a"
_CONTAINER = b"\x00\x00\x00\x0cJXL \x0d\x0a\x87\x0a"
#: Width:height of SizeHeader's `ratio` 1-7.
_RATIOS = {1: (1, 1), 2: (12, 10), 3: (4, 3), 4: (3, 2), 5: (16, 9), 6: (5, 4), 7: (2, 1)}
_U32_BITS = (9, 13, 18, 30)
_MAX_BOXES = 64


def open_jxl(path: Path) -> Image.Image:
    """A JPEG XL file decoded (the plug-in cannot do less) once its header shows it within the pixel limit;
    UnidentifiedImageError for any other file."""
    with open(path, "rb") as fp:
        size = jxl_size(fp)
    if size is None:
        raise UnidentifiedImageError(f"{path} is not a JPEG XL file")
    pixels = size[0] * size[1]
    if Image.MAX_IMAGE_PIXELS and pixels > Image.MAX_IMAGE_PIXELS:
        raise TooManyPixels(f"{size[0]}x{size[1]} is more than the {Image.MAX_IMAGE_PIXELS // 1_000_000} "
                            f"megapixel limit")
    with BUDGET.hold(pixels):
        return JpegXLImagePlugin.JXLImageFile(path)


def jxl_size(fp: IO[bytes]) -> tuple[int, int] | None:
    """Width and height from a JPEG XL file's header (bare codestream or ISO BMFF container), None where the
    file is not one."""
    head = fp.read(16)
    if head.startswith(_CODESTREAM):
        return _size_header(head[2:])
    if not head.startswith(_CONTAINER):
        return None
    codestream = _first_codestream(fp)
    return _size_header(codestream[2:]) if codestream and codestream.startswith(_CODESTREAM) else None


def _first_codestream(fp: IO[bytes]) -> bytes | None:
    """The first bytes of the container's codestream: a `jxlc` box, or the first `jxlp` part (after its index)."""
    offset = 0
    for _ in range(_MAX_BOXES):
        fp.seek(offset)
        header = fp.read(16)
        if len(header) < 8:
            return None
        length, kind = struct.unpack(">I4s", header[:8])
        start = offset + 8
        if length == 1:  # a 64-bit length follows
            length, start = struct.unpack(">Q", header[8:16])[0], offset + 16
        if kind in (b"jxlc", b"jxlp"):
            fp.seek(start + (4 if kind == b"jxlp" else 0))
            return fp.read(16)
        if length == 0 or length < start - offset:  # "to the end of the file" or broken: no codestream box
            return None
        offset += length
    return None


class _Bits:
    """Reads a JPEG XL header: bits least significant first."""

    def __init__(self, data: bytes) -> None:
        self.value = int.from_bytes(data, "little")
        self.position = 0

    def read(self, count: int) -> int:
        bits = (self.value >> self.position) & ((1 << count) - 1)
        self.position += count
        return bits

    def u32(self) -> int:
        return 1 + self.read(_U32_BITS[self.read(2)])


def _size_header(data: bytes) -> tuple[int, int] | None:
    if len(data) < 9:
        return None
    bits = _Bits(data)
    small = bits.read(1)
    height = (bits.read(5) + 1) * 8 if small else bits.u32()
    ratio = bits.read(3)
    if ratio:
        numerator, denominator = _RATIOS[ratio]
        return height * numerator // denominator, height
    width = (bits.read(5) + 1) * 8 if small else bits.u32()
    return width, height
