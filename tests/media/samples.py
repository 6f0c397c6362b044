"""Files real cameras, phones and other software write, and the damaged or exotic ones they sometimes leave,
built in the tests (nothing large is committed)."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageFile

#: Each failure a decoder plug-in has been seen to raise for one file.
DECODER_ERRORS: dict[str, Callable[[], BaseException]] = {
    "NotImplementedError": lambda: NotImplementedError("Unimplemented pixel format"),
    "struct.error": lambda: struct.error("unpack requires a buffer of 4 bytes"),
    "ValueError": lambda: ValueError("buffer is not large enough"),
    "OSError": lambda: OSError("decoder error -2"),
    "SyntaxError": lambda: SyntaxError("not a valid file"),
    "EOFError": lambda: EOFError("no more images"),
    "IndexError": lambda: IndexError("list index out of range"),
    "ZeroDivisionError": lambda: ZeroDivisionError("division by zero"),
    "MemoryError": lambda: MemoryError(),
    "DecompressionBombError": lambda: Image.DecompressionBombError("Image size exceeds limit"),
    "RuntimeError": lambda: RuntimeError("Failed to decode frame 0: Decoding of color planes failed"),
    "PluginError": lambda: PluginError("the plug-in's own exception"),
}


class PluginError(Exception):
    """An exception class of a plug-in's own."""


def gradient(size=(160, 120)) -> Image.Image:
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    return Image.fromarray(np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], -1).astype(np.uint8))


def encoded(image: Image.Image, fmt: str, **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def dds_with_unknown_pixel_format() -> bytes:
    """A DirectDraw Surface whose FourCC Pillow does not know: `Image.open` raises NotImplementedError."""
    pixel_format = struct.pack("<4I", 32, 0x4, int.from_bytes(b"ZZZZ", "little"), 0)  # DDPF_FOURCC, "ZZZZ"
    header = struct.pack("<3I", 0x1007, 64, 64) + bytes(12) + bytes(44) + pixel_format + bytes(40)
    return b"DDS " + struct.pack("<I", 124) + header


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


#: Adam7 passes: first column, first row, column step, row step (PNG specification, 8.2).
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def png(pixels: np.ndarray, colour_type: int, depth: int = 8, interlaced: bool = False,
        keep: float = 1.0) -> bytes:
    """A PNG written byte by byte (Pillow cannot write 16-bit colour or interlaced files): `pixels` (height x
    width [x channels], uint8 or uint16), each row with filter 0. `keep` < 1: only that share of the scanlines is
    compressed, a complete zlib stream that is short of the picture."""
    height, width = pixels.shape[:2]
    passes = ADAM7 if interlaced else ((0, 0, 1, 1),)
    rows = [row for x0, y0, dx, dy in passes for row in pixels[y0::dy, x0::dx] if row.size]
    sample = ">u2" if depth == 16 else "u1"
    scanlines = b"".join(b"\0" + row.astype(sample).tobytes() for row in rows)
    scanlines = scanlines[:int(len(scanlines) * keep)]
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, int(interlaced))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(scanlines))
            + png_chunk(b"IEND", b""))


# -- a decoder plug-in that fails as told ---------------------------------------------------------------------
#: A hostile file: b"HOSTILE:<open|load>:<error name>" then padding. Its format says PNG, one Shoebox takes, so
#: a failure at "load" comes from the decoder, after every check of the header has passed.
MAGIC = b"HOSTILE:"


def hostile_file(stage: str, error: str) -> bytes:
    return (MAGIC + f"{stage}:{error}".encode()).ljust(64, b" ") + bytes(512)


class _HostileImage(ImageFile.ImageFile):
    format = "PNG"
    format_description = "test plug-in that fails as its file says"

    def _open(self) -> None:
        stage, error = self.fp.read(64)[len(MAGIC):].strip().decode().split(":")
        if stage == "open":
            raise DECODER_ERRORS[error]()
        self._size, self._mode = (64, 48), "RGB"
        self.tile = [ImageFile._Tile("hostile", (0, 0, 64, 48), 0, error)]


class _HostileDecoder(ImageFile.PyDecoder):
    def decode(self, buffer):
        raise DECODER_ERRORS[self.args[0]]()


def register_hostile_plugin() -> Callable[[], None]:
    """Teach Pillow the hostile format (asked last, after Pillow's own); returns what undoes it."""
    Image.init()
    Image.register_open("HOSTILE", _HostileImage, lambda prefix: prefix.startswith(MAGIC))
    Image.register_decoder("hostile", _HostileDecoder)

    def unregister() -> None:
        Image.ID.remove("HOSTILE")
        Image.OPEN.pop("HOSTILE", None)
        Image.DECODERS.pop("hostile", None)

    return unregister
