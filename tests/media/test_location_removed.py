"""A copy of a photo file handed to someone else can lose where it was taken: every GPS and place field of its
EXIF, XMP and IPTC goes, the pixels and the rest of the metadata stay; a format exiv2 cannot rewrite gets no copy."""

from __future__ import annotations

import io

import exiv2
import pytest
from PIL import Image

from shoebox.media.metadata import location_keys, without_location
from tests.conftest import make_image
from tests.people.conftest import gps_jpeg


def with_place_names(data: bytes) -> bytes:
    """The file with a city and GPS in its XMP and a city and country in its IPTC, as photo editors write them."""
    image = exiv2.ImageFactory.open(data)
    image.readMetadata()
    image.xmpData()["Xmp.photoshop.City"] = "Paris"
    image.xmpData()["Xmp.exif.GPSLatitude"] = "48,51.4N"
    image.iptcData()["Iptc.Application2.City"] = "Paris"
    image.iptcData()["Iptc.Application2.CountryName"] = "France"
    image.exifData()["Exif.Image.Make"] = "FUJIFILM"
    image.writeMetadata()
    return bytes(image.io().mmap())


def keys(data: bytes) -> set[str]:
    image = exiv2.ImageFactory.open(data)
    image.readMetadata()
    return {datum.key() for block in (image.exifData(), image.xmpData(), image.iptcData()) for datum in block}


def test_gps_and_place_names_leave_a_jpeg_and_the_rest_stays():
    original = with_place_names(gps_jpeg(48.8566, 2.3522))
    assert {"Exif.GPSInfo.GPSLatitude", "Xmp.photoshop.City", "Iptc.Application2.City"} <= keys(original)
    cleaned = without_location(original)
    assert location_keys(cleaned) == []
    assert not any("GPS" in key or "City" in key or "Country" in key for key in keys(cleaned))
    assert "Exif.Image.Make" in keys(cleaned)
    assert Image.open(io.BytesIO(cleaned)).tobytes() == Image.open(io.BytesIO(original)).tobytes()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF"])
def test_gps_leaves_the_other_formats_exiv2_rewrites(fmt):
    exif = Image.open(io.BytesIO(gps_jpeg(48.8566, 2.3522))).getexif()
    original = make_image(fmt, size=(32, 32), exif=exif)
    assert location_keys(original)
    assert location_keys(without_location(original)) == []


def test_a_file_without_location_comes_back_unchanged():
    original = make_image("JPEG", size=(32, 32))
    assert without_location(original) == original


def test_a_format_exiv2_cannot_rewrite_gets_no_copy():
    avif = make_image("AVIF", size=(32, 32)) if "AVIF" in Image.SAVE else None
    assert without_location(b"not a picture") is None
    if avif is not None:
        assert without_location(avif) is None
