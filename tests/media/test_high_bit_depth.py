"""Issue 15, item 4: 16-bit (and 32-bit) images keep their tones in thumbnails and model inputs, scaled from the
range of their container as a browser shows them, instead of every value above 255 clipped to white."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shoebox.media.files import open_small
from tests.media.samples import encoded, png

#: A mid grey in 16 bits, and what it is in 8 (30000 * 255 / 65535 = 116.7).
GREY_16, GREY_8 = 30000, 117
TOLERANCE = 4  # the thumbnails are lossy WebP


def _grey16(dtype: str = "<u2", value: int = GREY_16, size=(96, 64)) -> Image.Image:
    """A 16-bit grey picture: a band of `value` between a black and a white one."""
    pixels = np.full((size[1], size[0]), value, dtype=np.uint16)
    edge = size[0] // 6
    pixels[:, :edge], pixels[:, -edge:] = 0, 65535
    return Image.fromarray(pixels.astype(dtype))


def _thumbnail_grey(alice, name: str, data: bytes) -> tuple[int, int, int]:
    photo = alice.upload_one(name, data)
    reply = alice.get(f"/api/photos/{photo['id']}/thumbnail?size=large")
    thumbnail = Image.open(io.BytesIO(reply.data)).convert("RGB")
    return thumbnail.getpixel((thumbnail.width // 2, thumbnail.height // 2))


def _assert_grey(found, expected: int) -> None:
    assert all(abs(channel - expected) <= TOLERANCE for channel in found), found


@pytest.mark.parametrize("fmt, dtype, mode", [("PNG", "<u2", "I;16"), ("TIFF", "<u2", "I;16"),
                                              ("TIFF", ">u2", "I;16B")])
def test_a_16_bit_greyscale_photo_keeps_its_grey(alice, fmt, dtype, mode):
    data = encoded(_grey16(dtype), fmt)
    assert Image.open(io.BytesIO(data)).mode == mode  # what Pillow opens it as
    _assert_grey(_thumbnail_grey(alice, f"scan.{fmt.lower()}", data), GREY_8)


def test_a_dark_16_bit_photo_stays_dark_rather_than_stretched(alice):
    pixels = np.full((64, 96), 4000, dtype=np.uint16)  # nothing brighter than 6% anywhere
    _assert_grey(_thumbnail_grey(alice, "dark.png", encoded(Image.fromarray(pixels), "PNG")), 16)


def test_32_bit_integer_greyscale_with_16_bit_values_is_scaled_as_16_bit(alice):
    data = encoded(Image.fromarray(np.asarray(_grey16()).astype(np.int32)), "TIFF")
    assert Image.open(io.BytesIO(data)).mode == "I"
    _assert_grey(_thumbnail_grey(alice, "scan.tif", data), GREY_8)


def test_floating_point_greyscale_from_0_to_1_is_scaled_to_the_full_range(alice):
    data = encoded(Image.fromarray(np.asarray(_grey16()).astype(np.float32) / 65535), "TIFF")
    assert Image.open(io.BytesIO(data)).mode == "F"
    _assert_grey(_thumbnail_grey(alice, "scan.tif", data), GREY_8)


@pytest.mark.parametrize("colour_type, channels", [(2, 3), (6, 4)])
def test_a_16_bit_colour_png_keeps_its_colour(alice, colour_type, channels):
    pixels = np.zeros((64, 96, channels), dtype=np.uint16)
    pixels[..., :3] = (50000, 30000, 10000)  # 195, 117, 39 in 8 bits
    if channels == 4:
        pixels[..., 3] = 65535
    found = _thumbnail_grey(alice, "scan.png", png(pixels, colour_type, depth=16))
    assert all(abs(a - b) <= TOLERANCE for a, b in zip(found, (195, 117, 39), strict=True)), found


def test_a_16_bit_colour_tiff_keeps_its_colour(alice):
    tifffile = pytest.importorskip("tifffile")  # comes with scikit-image (requirements-dev.txt)
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, np.full((64, 96, 3), (50000, 30000, 10000), dtype=np.uint16), photometric="rgb")
    found = _thumbnail_grey(alice, "scan.tif", buffer.getvalue())
    assert all(abs(a - b) <= TOLERANCE for a, b in zip(found, (195, 117, 39), strict=True)), found


def test_a_large_16_bit_photo_is_scaled_alike_when_shrunk_a_band_at_a_time(tmp_path: Path):
    path = tmp_path / "big.png"
    _grey16(size=(1200, 900)).save(path)
    small = open_small(path, 64)  # reduced 9 times, a band of rows at a time
    _assert_grey(small.getpixel((small.width // 2, small.height // 2)), GREY_8)
    assert small.getpixel((0, 0)) == (0, 0, 0) and small.getpixel((small.width - 1, 0)) == (255, 255, 255)
