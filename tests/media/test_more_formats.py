"""Formats photographers have beyond JPEG: JPEG XL, animations that keep playing, and the formats Shoebox refuses
(PSD, JPEG 2000, HEIF coded with JPEG), each named in the refusal."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from tests.conftest import make_image, make_jpeg
from tests.media.format_samples import (
    jxl_header_claiming,
    make_animation,
    make_dng,
    make_heif_coded_with,
    make_jxl,
    make_psd,
)
from tests.media.pages import shown_on_photo_page


def test_a_jpeg_xl_photo_is_taken_with_its_camera_metadata(alice):
    exif = Image.Exif()
    exif[271], exif[272], exif[306] = "Fujifilm", "X-T5", "2024:03:02 10:11:12"
    photo = alice.upload_one("DSCF0001.jxl", make_jxl((320, 240), exif))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert (detail["format"], detail["mime_type"], detail["width"], detail["height"]) == ("JXL", "image/jxl", 320, 240)
    assert (detail["camera_model"], detail["taken_at"]) == ("X-T5", "2024-03-02T10:11:12")
    small = Image.open(io.BytesIO(alice.get(photo["thumbnail_url"]).data)).convert("RGB")
    assert small.size == (256, 192) and small.getpixel((10, 10))[0] > 200  # the yellow top-left quarter


def test_a_jpeg_xl_claiming_too_many_pixels_is_refused_before_it_is_decoded(alice):
    # The JPEG XL plug-in decodes every pixel as it opens a file: a few bytes could ask for gigabytes.
    started = time.perf_counter()
    reply = alice.upload(("bomb.jxl", jxl_header_claiming(40_000, 40_000)))
    assert reply.status_code == 413 and reply.json["errors"][0]["error"]["code"] == "image_too_large"
    assert "40000x40000" in reply.json["errors"][0]["error"]["message"]
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("name, data, message", [
    ("layers.psd", make_psd(), "PSD (Photoshop) files are not supported"),
    ("scan.jp2", make_image("JPEG2000", size=(64, 48)), "JPEG 2000 files are not supported"),
    ("camera.heif", make_heif_coded_with(b"jpeg"), "HEIF files coded with JPEG are not supported"),
], ids=["psd", "jpeg2000", "heif-jpeg"])
def test_a_refused_format_is_named_in_a_415(alice, name, data, message):
    reply = alice.upload((name, data))
    assert reply.status_code == 415
    error = reply.json["errors"][0]["error"]
    assert error["code"] == "unsupported_type" and error["message"] == f"{name}: {message}" + (
        " (only HEVC-coded HEIF/HEIC can be decoded)" if name.endswith(".heif") else "")


def test_a_batch_of_every_kind_stores_the_good_and_names_each_refused(alice):
    reply = alice.upload(("a.jpg", make_jpeg()), ("b.psd", make_psd()), ("c.dng", make_dng((1200, 800))),
                         ("d.heif", make_heif_coded_with(b"jpeg")), ("e.jxl", make_jxl()),
                         ("f.gif", make_animation("GIF")))
    assert reply.status_code == 201
    assert [photo["filename"] for photo in reply.json["photos"]] == ["a.jpg", "c.dng", "e.jxl", "f.gif"]
    assert [(error["filename"], error["error"]["code"]) for error in reply.json["errors"]] == [
        ("b.psd", "unsupported_type"), ("d.heif", "unsupported_type")]


@pytest.mark.parametrize("fmt, name", [("GIF", "party.gif"), ("WEBP", "party.webp"), ("PNG", "party.png")],
                         ids=["gif", "webp", "apng"])
def test_an_animation_is_marked_animated_and_its_thumbnails_are_its_first_frame(alice, fmt, name):
    photo = alice.upload_one(name, make_animation(fmt))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert detail["animated"] is True
    for url in (photo["thumbnail_url"], detail["large_url"]):
        still = Image.open(io.BytesIO(alice.get(url).data))
        assert getattr(still, "n_frames", 1) == 1
        red, green, blue = still.convert("RGB").getpixel((5, 5))
        assert red > 200 and green < 60 and blue < 60  # the first frame is red


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_a_still_image_of_a_format_that_animates_is_not_marked_animated(alice, fmt):
    photo = alice.upload_one(f"still.{fmt.lower()}", make_image(fmt, size=(96, 64)))
    assert alice.get(f"/api/photos/{photo['id']}").json["animated"] is False


def test_the_photo_page_plays_an_animation_from_its_original(client, alice):
    photo = alice.upload_one("party.gif", make_animation("GIF"))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert shown_on_photo_page(client, alice, photo["id"]) == detail["original_url"]
    original = alice.get(detail["original_url"])
    assert original.mimetype == "image/gif" and Image.open(io.BytesIO(original.data)).n_frames == 3


def test_the_photo_page_shows_a_still_photo_from_its_large_rendition(client, alice):
    photo = alice.upload_one("still.gif", make_image("GIF", size=(96, 64)))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert shown_on_photo_page(client, alice, photo["id"]) == detail["large_url"]
