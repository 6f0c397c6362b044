"""probe: what a file is (kind, format, MIME type, size as shown) from its header alone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from shoebox.media.errors import NotMedia, UnsupportedFormat
from shoebox.media.files import Probe, probe
from tests.conftest import make_image, make_jpeg


def test_probe_tells_kind_format_type_and_the_size_as_shown(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    path = tmp_path / "rotated.jpg"
    path.write_bytes(make_jpeg(size=(400, 200), exif=exif))

    assert probe(path) == Probe(kind="image", format="JPEG", mime_type="image/jpeg", width=200, height=400)


def test_probe_names_a_phone_photo_by_its_family(tmp_path: Path) -> None:
    path = tmp_path / "phone.heic"
    path.write_bytes(make_image("HEIF", size=(320, 240)))

    assert probe(path) == Probe(kind="image", format="HEIF", mime_type="image/heic", width=320, height=240)


def test_probe_refuses_a_file_that_is_no_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("this is a text file, not a photo")

    with pytest.raises(NotMedia):
        probe(path)


def test_probe_refuses_an_image_format_shoebox_does_not_take(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "ICO")
    path = tmp_path / "icon.ico"
    path.write_bytes(buffer.getvalue())

    with pytest.raises(UnsupportedFormat, match="ICO \\(icon\\) files are not supported"):
        probe(path)
