"""Files from cameras and other software, made inside the tests: a DNG (a real RAW that LibRaw demosaics), a PSD,
a HEIF whose picture is coded with JPEG, animations, and a JPEG XL header that promises too many pixels."""

from __future__ import annotations

import io
import struct

import numpy as np
import pillow_jxl  # noqa: F401  (lets Pillow write JPEG XL)
import tifffile
from PIL import Image

_EXIF_PLACEHOLDER = 34664
#: The colour of the embedded preview make_dng writes (the sensor data is a red/green/blue gradient, never this).
PREVIEW_COLOUR = (30, 60, 220)


def bayer_mosaic(width: int, height: int) -> np.ndarray:
    """A 12-bit RGGB sensor readout of a smooth scene: red grows to the right, green downwards."""
    y, x = np.mgrid[0:height, 0:width]
    red = (x * 3000 // width + 500).astype(np.uint16)
    green = (y * 3000 // height + 500).astype(np.uint16)
    mosaic = np.full((height, width), 1500, np.uint16)  # blue
    mosaic[0::2, 0::2] = red[0::2, 0::2]
    mosaic[0::2, 1::2] = green[0::2, 1::2]
    mosaic[1::2, 0::2] = green[1::2, 0::2]
    return mosaic


def make_dng(size: tuple[int, int] = (1200, 800), preview: tuple[int, int] = (8, 8), orientation: int = 1,
             make: str = "Shoebox", model: str = "Bayer One", date: str = "2021:06:05 14:30:00",
             colour_space: int = 1) -> bytes:
    """A DNG laid out as cameras and Adobe's converter write it: the first directory a small RGB preview (what
    Pillow sees: it used to be taken for an 8x8 TIFF), the sensor's CFA data in a sub-directory, and an EXIF
    directory with the date taken and the colour space the camera was set to (1 sRGB, 2 Adobe RGB)."""
    dng = dng_bytes(bayer_mosaic(*size), Image.new("RGB", preview, PREVIEW_COLOUR), orientation, make, model, date,
                    exif_ifd=True)
    return with_exif(dng, date, colour_space)


def with_exif(dng: bytes, taken: str, colour_space: int) -> bytes:
    """`dng` (little-endian, written with the placeholder tag) with an EXIF directory appended (DateTimeOriginal
    and ColorSpace), and the placeholder made the ExifIFD pointer to it."""
    data = bytearray(dng)
    first = struct.unpack_from("<I", data, 4)[0]
    (count,) = struct.unpack_from("<H", data, first)
    for entry in range(first + 2, first + 2 + 12 * count, 12):
        if struct.unpack_from("<H", data, entry)[0] == _EXIF_PLACEHOLDER:
            data += b"\0" * (len(data) % 2)  # directories start on a word boundary
            directory = len(data)
            struct.pack_into("<HHII", data, entry, 34665, 4, 1, directory)  # ExifIFD, LONG
            text = taken.encode("ascii") + b"\0"
            data += struct.pack("<H", 2)
            data += struct.pack("<HHII", 0x9003, 2, len(text), directory + 2 + 2 * 12 + 4)  # DateTimeOriginal
            data += struct.pack("<HHIHH", 0xA001, 3, 1, colour_space, 0)  # ColorSpace, SHORT
            data += struct.pack("<I", 0) + text  # no next directory, then the date's text
            return bytes(data)
    raise ValueError("the DNG has no ExifIFD entry to point")


def dng_bytes(mosaic: np.ndarray, preview: Image.Image, orientation: int = 1, make: str = "Shoebox",
              model: str = "Bayer One", date: str = "2021:06:05 14:30:00", exif_ifd: bool = False) -> bytes:
    """A DNG of 12-bit RGGB sensor data `mosaic` with an uncompressed RGB `preview` in its first directory."""
    identity = (1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1)  # ColorMatrix1, as rationals
    first = [(50706, "B", 4, (1, 4, 0, 0), True), (50707, "B", 4, (1, 1, 0, 0), True),  # DNG version
             (50708, "s", 0, f"{make} {model}", True), (271, "s", 0, make, True), (272, "s", 0, model, True),
             (274, "H", 1, orientation, True), (306, "s", 0, date, True),
             (50721, "2i", 9, identity, True), (50778, "H", 1, 21, True), (50728, "2I", 3, (1,) * 6, True)]
    # tifffile writes no ExifIFD pointer itself: a placeholder one tag number below it, where the sorted
    # directory keeps it, becomes one in with_exif_colour_space.
    first += [(_EXIF_PLACEHOLDER, "I", 1, 0, True)] if exif_ifd else []
    sensor = [(33421, "H", 2, (2, 2), True), (33422, "B", 4, (0, 1, 1, 2), True), (50717, "I", 1, 4095, True)]
    buffer = io.BytesIO()
    with tifffile.TiffWriter(buffer) as tif:
        tif.write(np.asarray(preview.convert("RGB")), photometric="rgb", subfiletype=1, subifds=1, extratags=first)
        tif.write(mosaic, photometric=32803, subfiletype=0, extratags=sensor)  # 32803: colour filter array
    return buffer.getvalue()


def make_psd(size: tuple[int, int] = (64, 48)) -> bytes:
    """A flat 8-bit RGB Photoshop file (Pillow reads PSD but cannot write one)."""
    width, height = size
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    sections = struct.pack(">III", 0, 0, 0)  # colour mode data, image resources, layers: none
    pixels = bytes([200]) * (width * height) + bytes([40]) * (2 * width * height)  # red, green, blue planes
    return header + sections + struct.pack(">H", 0) + pixels  # 0: raw, uncompressed


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full_box(kind: bytes, version: int, payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", version << 24) + payload)


def make_heif_coded_with(item_type: bytes = b"jpeg", size: tuple[int, int] = (64, 48)) -> bytes:
    """A HEIF (ISO/IEC 23008-12) whose primary picture is coded with JPEG (item type "jpeg"), as some cameras
    and converters write: libheif opens it, and decodes it only where it was built with a JPEG decoder."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "JPEG")
    coded = buffer.getvalue()
    ftyp = _box(b"ftyp", b"mif1" + b"\0\0\0\0" + b"mif1heic")
    hdlr = _full_box(b"hdlr", 0, b"\0\0\0\0pict" + b"\0" * 13)
    pitm = _full_box(b"pitm", 0, struct.pack(">H", 1))
    iinf = _full_box(b"iinf", 0, struct.pack(">H", 1) + _full_box(b"infe", 2, struct.pack(">HH", 1, 0) + item_type
                                                                  + b"\0"))
    ispe = _full_box(b"ispe", 0, struct.pack(">II", *size))
    iprp = _box(b"iprp", _box(b"ipco", ispe) + _full_box(b"ipma", 0, struct.pack(">IHBB", 1, 1, 1, 0x81)))

    def meta(offset: int) -> bytes:
        iloc = _full_box(b"iloc", 0, struct.pack(">BBHHHHII", 0x44, 0, 1, 1, 0, 1, offset, len(coded)))
        return _full_box(b"meta", 0, hdlr + pitm + iloc + iinf + iprp)

    offset = len(ftyp) + len(meta(0)) + 8
    return ftyp + meta(offset) + _box(b"mdat", coded)


def make_animation(fmt: str, colours=("red", "lime", "blue"), size: tuple[int, int] = (96, 64)) -> bytes:
    """A looping animation of one flat colour a frame, 200 ms each, in GIF, WEBP or PNG (APNG)."""
    frames = [Image.new("RGB", size, colour) for colour in colours]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=200, loop=0)
    return buffer.getvalue()


def make_jxl(size: tuple[int, int] = (320, 240), exif: Image.Exif | None = None) -> bytes:
    """A real JPEG XL (written by pillow-jxl-plugin's encoder)."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (40, 140, 90))
    image.paste((250, 200, 40), (0, 0, size[0] // 2, size[1] // 2))
    image.save(buffer, "JXL", **({"exif": exif.tobytes()} if exif is not None else {}))
    return buffer.getvalue()


def jxl_header_claiming(width: int, height: int) -> bytes:
    """A bare JPEG XL codestream whose SizeHeader claims width x height, followed by nothing a decoder can use:
    what a decompression bomb looks like before its pixels are decoded."""
    bits, position = 0, 0
    for value, count in ((0, 1), (3, 2), (height - 1, 30), (0, 3), (3, 2), (width - 1, 30)):  # not small, ratio 0
        bits |= value << position
        position += count
    return b"\xff\x0a" + bits.to_bytes(16, "little") + b"\0" * 64

