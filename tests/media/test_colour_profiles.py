"""Issue 15, item 5: an embedded ICC profile (Display P3 from phones, Adobe RGB from cameras) is converted to
sRGB in thumbnails and model inputs; the original keeps its own bytes and profile."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pillow_heif  # noqa: F401  (lets the tests write HEIF)
import pytest
from PIL import ExifTags, Image

from shoebox.media.colour import srgb_transform
from shoebox.media.files import open_small
from shoebox.media.profiles import matrix_profile
from tests.media.icc import ADOBE_GAMMA, ADOBE_RGB, DISPLAY_P3, SRGB, expected_srgb
from tests.media.samples import encoded

P3 = matrix_profile(DISPLAY_P3, "Display P3")
ADOBE = matrix_profile(ADOBE_RGB, "Adobe RGB (1998)", gamma=ADOBE_GAMMA)
#: sRGB's own red written in Display P3: a phone's saturated red, which must come out as sRGB red.
P3_RED = (234, 51, 35)
#: A leafy green in Adobe RGB: shown as sRGB without conversion it is a dull, washed-out green.
ADOBE_GREEN = (100, 200, 100)
TOLERANCE = 6  # the thumbnails are lossy WebP


def _flat(colour, size=(320, 240), mode="RGB") -> Image.Image:
    return Image.new(mode, size, colour)


def _thumbnail_colours(alice, name: str, data: bytes) -> dict[str, tuple[int, ...]]:
    photo = alice.upload_one(name, data)
    colours = {}
    for size in ("large", "small"):
        thumbnail = Image.open(io.BytesIO(alice.get(f"/api/photos/{photo['id']}/thumbnail?size={size}").data))
        colours[size] = thumbnail.getpixel((thumbnail.width // 2, thumbnail.height // 2))
    return colours


def _close(found, expected) -> bool:
    return all(abs(a - b) <= TOLERANCE for a, b in zip(found, expected, strict=False))


def test_the_reference_says_a_p3_red_is_srgb_red():
    assert expected_srgb(P3_RED, DISPLAY_P3) == (255, 0, 0)


@pytest.mark.parametrize("fmt, name", [("JPEG", "IMG_0001.jpg"), ("HEIF", "IMG_0002.heic"), ("PNG", "shot.png"),
                                       ("WEBP", "shot.webp")])
def test_a_saturated_display_p3_red_is_saturated_srgb_red_in_both_thumbnails(alice, fmt, name):
    colours = _thumbnail_colours(alice, name, encoded(_flat(P3_RED), fmt, icc_profile=P3, quality=95))
    for found in colours.values():
        assert _close(found, (255, 0, 0)), colours


def test_an_adobe_rgb_green_is_converted_not_shown_washed_out(alice):
    expected = expected_srgb(ADOBE_GREEN, ADOBE_RGB, ADOBE_GAMMA)
    assert not _close(expected, ADOBE_GREEN)  # the conversion is one a test can see
    colours = _thumbnail_colours(alice, "_DSC0001.jpg", encoded(_flat(ADOBE_GREEN), "JPEG", icc_profile=ADOBE,
                                                                quality=95))
    assert all(_close(found, expected) for found in colours.values()), (colours, expected)


def test_the_original_keeps_its_bytes_and_its_profile(alice):
    data = encoded(_flat(P3_RED), "JPEG", icc_profile=P3)
    photo = alice.upload_one("IMG_0003.jpg", data)
    original = alice.get(f"/api/photos/{photo['id']}/original").data
    assert hashlib.sha256(original).digest() == hashlib.sha256(data).digest()
    assert Image.open(io.BytesIO(original)).info["icc_profile"] == P3


def test_model_inputs_are_converted_too(tmp_path: Path):
    path = tmp_path / "IMG_0004.jpg"
    _flat(P3_RED, size=(1600, 1200)).save(path, quality=95, icc_profile=P3)
    assert _close(open_small(path, 384).getpixel((10, 10)), (255, 0, 0))


def test_transparency_is_kept_through_the_conversion(alice):
    data = encoded(_flat((*P3_RED, 128), mode="RGBA"), "PNG", icc_profile=P3)
    colours = _thumbnail_colours(alice, "sticker.png", data)
    assert all(_close(found, (255, 0, 0, 128)) and len(found) == 4 for found in colours.values()), colours


def test_an_srgb_profile_leaves_the_colours_as_they_are(alice):
    srgb = matrix_profile(SRGB, "sRGB IEC61966-2.1")
    colours = _thumbnail_colours(alice, "web.jpg", encoded(_flat(P3_RED), "JPEG", icc_profile=srgb, quality=95))
    assert all(_close(found, P3_RED) for found in colours.values()), colours


def test_a_broken_profile_is_ignored_and_the_photo_taken(alice):
    data = encoded(_flat(P3_RED), "JPEG", icc_profile=P3[:200] + b"\xff" * 300, quality=95)
    colours = _thumbnail_colours(alice, "odd.jpg", data)
    assert all(_close(found, P3_RED) for found in colours.values()), colours


def test_a_profile_for_other_channels_than_the_pictures_is_ignored(alice):
    data = encoded(_flat(128, mode="L"), "JPEG", icc_profile=P3, quality=95)  # an RGB profile on a grey picture
    colours = _thumbnail_colours(alice, "grey.jpg", data)
    assert all(_close(found, (128, 128, 128)) for found in colours.values()), colours


def test_a_transform_is_built_once_per_profile():
    assert srgb_transform(P3, "RGB") is srgb_transform(bytes(bytearray(P3)), "RGB") is not None
    assert srgb_transform(ADOBE, "RGB") is not srgb_transform(P3, "RGB")


def _camera_exif(color_space: int, interop_index: str | None) -> Image.Exif:
    """EXIF as a camera writes it: ColorSpace, and the DCF interoperability index (R98 sRGB, R03 Adobe RGB)."""
    exif = Image.Exif()
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.ColorSpace] = color_space
    if interop_index:
        details[ExifTags.IFD.Interop] = {ExifTags.Interop.InteropIndex: interop_index}
    return exif


@pytest.mark.parametrize("color_space, index", [(0xFFFF, "R03"), (2, None)])
def test_a_cameras_adobe_rgb_jpeg_without_a_profile_is_converted_as_adobe_rgb(alice, color_space, index):
    data = encoded(_flat(ADOBE_GREEN), "JPEG", exif=_camera_exif(color_space, index).tobytes(), quality=95)
    expected = expected_srgb(ADOBE_GREEN, ADOBE_RGB, ADOBE_GAMMA)
    colours = _thumbnail_colours(alice, "_MG_0001.JPG", data)
    assert all(_close(found, expected) for found in colours.values()), (colours, expected)


def test_a_cameras_srgb_jpeg_is_left_as_it_is(alice):
    data = encoded(_flat(ADOBE_GREEN), "JPEG", exif=_camera_exif(1, "R98").tobytes(), quality=95)
    colours = _thumbnail_colours(alice, "IMG_0001.JPG", data)
    assert all(_close(found, ADOBE_GREEN) for found in colours.values()), colours
