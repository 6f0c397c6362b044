"""Uploading and importing clips: each container, its metadata, its poster frame, duplicates and bad files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from tests.video.clips import make_clip, write_clip

PARIS = {"com.apple.quicktime.location.ISO6709": "+48.8584+002.2945+035.000/",
         "com.apple.quicktime.make": "Apple", "com.apple.quicktime.model": "iPhone 15 Pro",
         "com.apple.quicktime.creationdate": "2023-05-01T14:30:00+0200"}
#: (file name, container kind, stored format, MIME type, codec, whether browsers play the original)
CONTAINERS = [
    ("clip.mp4", "mp4", "MP4", "video/mp4", "h264", True),
    ("iphone.mov", "mov", "MOV", "video/quicktime", "hevc", False),
    ("clip.m4v", "m4v", "M4V", "video/x-m4v", "h264", True),
    ("phone.3gp", "3gp", "3GP", "video/3gpp", "h264", False),
    ("clip.webm", "webm", "WEBM", "video/webm", "vp9", True),
    ("old.avi", "avi", "AVI", "video/x-msvideo", "mpeg4", False),
]


@pytest.mark.parametrize("name, kind, fmt, mime, codec, playable", CONTAINERS)
def test_each_container_is_stored_as_a_video_with_its_metadata(alice, name, kind, fmt, mime, codec, playable):
    photo = alice.upload_one(name, make_clip(kind, seconds=2, size=(320, 240)))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert (detail["media_type"], detail["format"], detail["mime_type"]) == ("video", fmt, mime)
    assert (detail["video_codec"], detail["frame_rate"]) == (codec, 25.0)
    assert (detail["width"], detail["height"]) == (320, 240)
    assert detail["duration"] == pytest.approx(2.0, abs=0.05)
    assert (detail["rendition"] is None) is playable


def test_a_rotated_phone_clip_has_its_upright_size_and_poster(alice):
    photo = alice.upload_one("portrait.mp4", make_clip("mp4", size=(320, 240), rotation=90))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert (detail["width"], detail["height"]) == (240, 320)
    poster = Image.open(io.BytesIO(alice.get(f"/api/photos/{photo['id']}/thumbnail?size=large").data))
    assert poster.height > poster.width


def test_quicktime_date_place_and_camera_are_read(alice):
    photo = alice.upload_one("paris.mov", make_clip("mp4", tags=PARIS))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert (detail["taken_at"], detail["taken_at_offset"], detail["taken_at_source"]) == (
        "2023-05-01T14:30:00", "+02:00", "qt")
    assert detail["gps"] == {"latitude": 48.8584, "longitude": 2.2945, "altitude": 35.0}
    assert (detail["camera_make"], detail["camera_model"]) == ("Apple", "iPhone 15 Pro")


def test_utc_creation_time_is_the_date_when_no_local_one_is_given(alice):
    clip = make_clip("webm", tags={"creation_time": "2021-08-09T07:08:09.000000Z"})
    detail = alice.get(f"/api/photos/{alice.upload_one('a.webm', clip)['id']}").json
    assert (detail["taken_at"], detail["taken_at_offset"]) == ("2021-08-09T07:08:09", "+00:00")


def test_a_clip_without_a_date_falls_back_to_the_file_time_like_photos(alice):
    data = {"files": [(io.BytesIO(make_clip("avi")), "old.avi")], "last_modified": ["1262347200000"],
            "last_modified_offset": ["60"]}
    reply = alice.post("/api/photos", data=data, content_type="multipart/form-data")
    detail = alice.get(f"/api/photos/{reply.json['photos'][0]['id']}").json
    assert (detail["taken_at"], detail["taken_at_source"]) == ("2010-01-01T13:00:00", "file")


def test_the_poster_skips_a_black_opening(alice):
    photo = alice.upload_one("fade-in.mp4", make_clip("mp4", seconds=4, dark_seconds=1.5))
    poster = Image.open(io.BytesIO(alice.get(f"/api/photos/{photo['id']}/thumbnail?size=small").data))
    assert ImageStat.Stat(poster.convert("L")).mean[0] > 40


def test_listing_shows_the_duration_for_the_grid_badge(alice):
    alice.upload_one("clip.mp4", make_clip("mp4", seconds=3))
    alice.upload_one("photo.jpg")
    items = {item["filename"]: item for item in alice.get("/api/photos").json["items"]}
    assert items["clip.mp4"]["media_type"] == "video" and items["clip.mp4"]["duration"] == pytest.approx(3, abs=0.05)
    assert items["photo.jpg"]["media_type"] == "image" and items["photo.jpg"]["duration"] is None


def test_the_same_clip_again_is_a_duplicate(alice):
    clip = make_clip("mp4")
    first = alice.upload_one("a.mp4", clip)
    again = alice.upload(("b.mp4", clip)).json["photos"][0]
    assert again["id"] == first["id"] and again["duplicate"] is True


def test_a_clip_cut_short_is_refused_and_nothing_is_stored(app, alice):
    clip = make_clip("mp4")
    reply = alice.upload(("cut.mp4", clip[: len(clip) // 3]))
    assert reply.status_code == 400 and reply.json["errors"][0]["error"]["code"] == "corrupt_image"
    assert alice.get("/api/photos").json["items"] == []
    assert not list((Path(app.config["SETTINGS"].DATA_DIR) / "originals").rglob("*.*"))


def test_a_video_signature_over_garbage_is_refused(alice):
    reply = alice.upload(("evil.mp4", b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\xff" * 4000))
    assert reply.status_code in (400, 415) and alice.get("/api/photos").json["items"] == []


def test_sound_only_mp4_is_refused_as_unsupported(alice):
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        out.add_stream("aac", rate=48000)
    reply = alice.upload(("voice.m4a", buffer.getvalue()))
    assert reply.status_code in (400, 415) and alice.get("/api/photos").json["items"] == []


def test_a_text_file_named_mp4_is_refused(alice):
    reply = alice.upload(("notes.mp4", b"just some text, not a video at all"))
    assert reply.status_code == 415


def test_videos_may_be_larger_than_the_photo_limit(tmp_path):
    from tests.backends import make_app
    from tests.conftest import Account, make_image

    app = make_app({"DATA_DIR": str(tmp_path / "d"), "TESTING": True, "WORKER_IN_PROCESS": False,
                    "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
                    "MAX_UPLOAD_MB": 1, "MAX_VIDEO_MB": 5})
    user = Account(app, "v@example.com")
    big_clip = make_clip("mp4", seconds=1, size=(480, 320), noise=True, audio=False)
    noise = make_image("BMP", size=(800, 600))  # ~1.4 MB: over the photos' 1 MB
    assert len(big_clip) > 1 << 20 and user.upload(("big.mp4", big_clip)).status_code == 201
    assert user.upload(("big.bmp", noise)).status_code == 413
    app.extensions["db"].dispose()


def test_folder_import_takes_clips(app, alice, tmp_path):
    folder = tmp_path / "camera roll"
    folder.mkdir()
    write_clip(folder / "a.mp4", "mp4")
    write_clip(folder / "b.MOV", "mov")
    (folder / "notes.txt").write_text("hello")
    result = app.test_cli_runner().invoke(args=["shoebox", "import", str(folder), "--user", alice.email])
    assert "Imported 2, duplicates 0, failed 0, skipped (not photos or videos) 1." in result.output, result.output
    assert {item["media_type"] for item in alice.get("/api/photos").json["items"]} == {"video"}
