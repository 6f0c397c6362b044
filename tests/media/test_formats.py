"""One list of formats (shoebox.media.formats.FORMATS): what the upload API takes, what `flask shoebox import`
picks up, what the upload page's file picker offers and what the API description names are the same."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from PIL import Image

from shoebox.media.formats import FORMATS, Format
from tests.conftest import PASSWORD, make_image
from tests.media.format_samples import make_dng
from tests.video.clips import make_clip

ALL_EXTENSIONS = [ext for fmt in FORMATS for ext in fmt.extensions]
ALL_MIME_TYPES = [mime for fmt in FORMATS for mime in fmt.mime_types]
#: The formats a test can write: every image format (Pillow and its plug-ins), and DNG of the RAW families.
WRITABLE = [fmt for fmt in FORMATS if fmt.kind == "image" or fmt.name == "DNG"]


def sample(fmt: Format, size=(64, 48), color=(200, 40, 40)) -> bytes:
    """A file of the format; a DNG stands for every RAW family (RAWs are known by content, not by name); a short
    clip of a video format (its title makes each colour's clip other bytes)."""
    if fmt.kind == "video":
        return make_clip(fmt.name.lower(), seconds=0.2, size=size, tags={"title": str(color)}, audio=False)
    return make_dng(size) if fmt.kind == "raw" else make_image(fmt.name, size=size, color=color)


class _UploadInput(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.accept: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "input" and "data-upload-input" in attributes:
            self.accept = attributes.get("accept")


@pytest.mark.parametrize("fmt", WRITABLE, ids=lambda fmt: fmt.name)
def test_every_listed_format_is_taken_by_the_upload_api_with_its_name_and_type(alice, fmt):
    photo = alice.upload_one(f"picture{fmt.extensions[0]}", sample(fmt))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert (detail["format"], detail["mime_type"], detail["width"]) == (fmt.name, fmt.mime_type, 64)


def test_a_jpeg_holding_several_pictures_is_taken_as_a_jpeg(alice):
    # Many cameras write a JPEG with a second, preview picture (MPO); Pillow names it "MPO". It used to be
    # refused as "MPO images are not supported", although the picker and the import offered .jpg.
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "MPO", save_all=True,
                                           append_images=[Image.new("RGB", (32, 24), "blue")])
    photo = alice.upload_one("camera.jpg", buffer.getvalue())
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert (detail["format"], detail["mime_type"], detail["width"]) == ("JPEG", "image/jpeg", 64)


def test_the_upload_picker_offers_exactly_the_formats_the_api_takes(client, alice):
    client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD})
    page = _UploadInput()
    page.feed(client.get("/").get_data(as_text=True))
    assert page.accept is not None
    assert sorted(page.accept.split(",")) == sorted({*ALL_EXTENSIONS, *ALL_MIME_TYPES})


def test_import_picks_up_every_listed_extension_and_skips_the_rest(app, alice, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    by_extension = {ext: fmt for fmt in FORMATS for ext in fmt.extensions}
    for number, (ext, fmt) in enumerate(by_extension.items()):
        (folder / f"photo{number}{ext.upper() if number % 2 else ext}").write_bytes(
            sample(fmt, size=(64 + 2 * number, 48) if fmt.kind == "raw" else (64, 48), color=(number * 4, 60, 90)))
    (folder / "icon.ico").write_bytes(make_image("ICO", size=(16, 16)))
    (folder / "notes.txt").write_text("hello")
    result = app.test_cli_runner().invoke(args=["shoebox", "import", str(folder), "--user", alice.email])
    assert result.exit_code == 0, result.output
    assert f"Imported {len(by_extension)}, duplicates 0, failed 0, skipped (not photos or videos) 2." in result.output


def test_the_api_description_names_the_types_the_upload_takes(client):
    upload = client.get("/api/openapi.json").json["paths"]["/api/photos"]["post"]["requestBody"]
    content_type = upload["content"]["multipart/form-data"]["encoding"]["files"]["contentType"]
    assert sorted(content_type.split(", ")) == sorted(set(ALL_MIME_TYPES))
