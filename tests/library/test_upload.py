"""Uploading photos: formats, duplicates, stored originals, thumbnails and bad files."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pillow_heif  # noqa: F401  (lets the test write HEIF)
import pytest
from PIL import Image

from tests.conftest import make_image, make_jpeg


def data_files(app) -> list[Path]:
    root = Path(app.config["SETTINGS"].DATA_DIR)
    return sorted(p for area in ("originals", "thumbs") for p in (root / area).rglob("*") if p.is_file())


@pytest.mark.parametrize("fmt, mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"),
                                       ("GIF", "image/gif"), ("TIFF", "image/tiff"), ("BMP", "image/bmp")])
def test_each_supported_format_is_stored_with_its_true_type(alice, fmt, mime):
    photo = alice.upload_one(f"picture.{fmt.lower()}", make_image(fmt))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert (detail["format"], detail["mime_type"]) == (fmt, mime)
    assert (detail["width"], detail["height"]) == (640, 480)


def test_heic_photo_is_accepted(alice):
    heic = make_image("HEIF", size=(320, 240))
    detail = alice.get(f"/api/photos/{alice.upload_one('phone.heic', heic)['id']}").json
    assert detail["format"] == "HEIF" and detail["mime_type"] == "image/heic"
    assert alice.get(f"/api/photos/{detail['id']}/thumbnail?size=small").status_code == 200


def test_many_files_in_one_request_are_all_stored(alice):
    reply = alice.upload(*[(f"p{i}.jpg", make_jpeg(color=(i * 40, 10, 10))) for i in range(4)])
    assert reply.status_code == 201
    assert [p["filename"] for p in reply.json["photos"]] == ["p0.jpg", "p1.jpg", "p2.jpg", "p3.jpg"]
    assert len(alice.get("/api/photos").json["items"]) == 4


def test_original_is_kept_byte_for_byte_under_its_sha256(app, alice):
    content = make_jpeg()
    photo = alice.upload_one("a.jpg", content)
    original = alice.get(f"/api/photos/{photo['id']}/original")
    assert original.data == content and original.mimetype == "image/jpeg"
    assert hashlib.sha256(content).hexdigest() in [p.name for p in data_files(app)]


def test_same_bytes_again_return_the_existing_photo_as_duplicate(app, alice):
    content = make_jpeg()
    first = alice.upload_one("a.jpg", content)
    again = alice.upload(("renamed.jpg", content)).json["photos"][0]
    assert again["id"] == first["id"] and again["duplicate"] is True and first["duplicate"] is False
    assert len(alice.get("/api/photos").json["items"]) == 1
    assert len(data_files(app)) == 3  # one original, two thumbnails


def test_thumbnails_are_webp_of_both_sizes_with_long_cache_and_etag(alice):
    photo = alice.upload_one("big.jpg", make_jpeg(size=(3000, 2000)))
    urls = {"small": photo["thumbnail_url"], "large": alice.get(f"/api/photos/{photo['id']}").json["large_url"]}
    sizes = {}
    for size, url in urls.items():
        reply = alice.get(url)
        assert reply.status_code == 200 and reply.mimetype == "image/webp"
        assert "max-age=31536000" in reply.headers["Cache-Control"] and reply.headers["ETag"]
        sizes[size] = Image.open(io.BytesIO(reply.data)).size
        again = alice.get(url, headers={"If-None-Match": reply.headers["ETag"]})
        assert again.status_code == 304
    assert sizes == {"small": (256, 171), "large": (1440, 960)}


def test_unknown_thumbnail_size_is_a_clear_error(alice):
    photo = alice.upload_one()
    reply = alice.get(f"/api/photos/{photo['id']}/thumbnail?size=huge")
    assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_size"


def test_exif_orientation_is_applied_to_thumbnails(alice):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    photo = alice.upload_one("rotated.jpg", make_jpeg(size=(400, 200), exif=exif))
    thumb = Image.open(io.BytesIO(alice.get(f"/api/photos/{photo['id']}/thumbnail?size=small").data))
    assert thumb.size == (128, 256)
    assert alice.get(f"/api/photos/{photo['id']}").json["orientation"] == 6


BAD_FILES = [
    ("notes.jpg", b"this is a text file, not a photo", 415, "not_an_image"),
    ("empty.jpg", b"", 400, "empty_file"),
    ("broken.jpg", make_jpeg()[:600], 400, "corrupt_image"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 415,
     "not_an_image"),
    ("page.html", b"<html><script>alert(1)</script></html>", 415, "not_an_image"),
]


@pytest.mark.parametrize("name, content, status, code", BAD_FILES)
def test_bad_file_gets_a_clear_error_naming_it_and_leaves_nothing(app, alice, name, content, status, code):
    reply = alice.upload((name, content))
    assert reply.status_code == status
    (error,) = reply.json["errors"]
    assert error["filename"] == name and error["error"]["code"] == code and name in error["error"]["message"]
    assert data_files(app) == [] and alice.get("/api/photos").json["items"] == []
    assert list((Path(app.config["SETTINGS"].DATA_DIR) / "tmp").iterdir()) == []


def test_unsupported_image_type_is_refused(alice):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "ICO")
    reply = alice.upload(("icon.ico", buffer.getvalue()))
    assert reply.status_code == 415 and reply.json["errors"][0]["error"]["code"] == "unsupported_type"


def test_decompression_bomb_is_refused_without_decoding_it(app, alice):
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    reply = alice.upload(("bomb.png", buffer.getvalue()))
    assert reply.status_code == 413
    assert reply.json["errors"][0]["error"]["code"] == "image_too_large" and data_files(app) == []


def test_file_over_the_upload_limit_is_refused(tmp_path):
    from tests.backends import make_app
    from tests.conftest import Account

    app = make_app({"DATA_DIR": str(tmp_path), "MAX_UPLOAD_MB": 1, "JOBS_IMMEDIATE": True,
                      "WORKER_IN_PROCESS": False})
    user = Account(app, "carol@example.com")
    reply = user.upload(("huge.bmp", make_image("BMP", size=(1000, 800))))  # 2.4 MB
    assert reply.status_code == 413 and "huge.bmp" in reply.json["errors"][0]["error"]["message"]
    assert data_files(app) == []


def test_a_batch_with_one_bad_file_still_stores_the_good_ones(alice):
    reply = alice.upload(("good.jpg", make_jpeg()), ("bad.jpg", b"garbage"), ("good2.png", make_image("PNG")))
    assert reply.status_code == 201
    assert [p["filename"] for p in reply.json["photos"]] == ["good.jpg", "good2.png"]
    assert [e["filename"] for e in reply.json["errors"]] == ["bad.jpg"]


def test_upload_without_files_is_a_clear_error(alice):
    reply = alice.post("/api/photos", data={}, content_type="multipart/form-data")
    assert reply.status_code == 400 and reply.json["error"]["code"] == "no_files"


def test_file_name_with_a_path_keeps_only_the_name(alice):
    assert alice.upload_one("../../etc/evil.jpg")["filename"] == "evil.jpg"
