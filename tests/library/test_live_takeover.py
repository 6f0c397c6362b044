"""A Live Photo's clip browsers cannot play (an iPhone's HEVC MOV) gets an H.264 rendition from the worker, and a MOV
stored before its still keeps, once the still takes it in, its rendition and what the user gave it."""

from __future__ import annotations

import io
import zipfile

import av

from shoebox.maintenance import Checker
from shoebox.media.live import QUICKTIME_CONTENT_ID
from tests.media.live_samples import CONTENT_ID, apple_mov, apple_still
from tests.video.clips import make_clip


def hevc_mov() -> bytes:
    """An iPhone Live Photo's MOV as most iPhones record it: HEVC, with the still's content identifier."""
    return make_clip("mov", seconds=1, size=(160, 120), tags={QUICKTIME_CONTENT_ID: CONTENT_ID})


def codecs(data: bytes) -> list[str]:
    with av.open(io.BytesIO(data)) as clip:
        return [stream.codec_context.name for stream in clip.streams.video]


def test_an_hevc_live_photo_clip_plays_as_h264_after_the_worker(alice):
    still = alice.upload_one("IMG_0100.HEIC", apple_still(CONTENT_ID, fmt="HEIF"))
    movie = hevc_mov()
    alice.upload(("IMG_0100.MOV", movie))
    url = alice.get(f"/api/photos/{still['id']}").json["motion_url"]

    played = alice.get(url)
    assert played.status_code == 200 and played.mimetype == "video/mp4"
    assert codecs(played.data) == ["h264"]
    assert alice.get(f"{url}&download=1").data == movie  # the original stays downloadable
    assert codecs(movie) == ["hevc"]


def test_until_its_rendition_is_made_an_hevc_clip_plays_as_it_is_and_the_jobs_page_shows_it(app, alice):
    app.extensions["library"].render_video = lambda photo_id: None  # the worker has not got to it
    still = alice.upload_one("IMG_0101.JPG", apple_still(CONTENT_ID))
    movie = hevc_mov()
    alice.upload(("IMG_0101.MOV", movie))

    played = alice.get(alice.get(f"/api/photos/{still['id']}").json["motion_url"])
    assert played.data == movie and "immutable" not in played.headers["Cache-Control"]
    jobs = alice.get("/api/jobs").json["renditions"]
    assert jobs["counts"]["queued"] == 1 and jobs["items"][0]["photo_id"] == still["id"]


def test_a_mov_taken_over_by_its_still_keeps_its_rendition(app, alice):
    video = alice.upload_one("IMG_0102.MOV", hevc_mov())
    made = alice.get(alice.get(f"/api/photos/{video['id']}").json["video_url"]).data
    assert codecs(made) == ["h264"]
    app.extensions["library"].render_video = lambda photo_id: None  # no second rendition is needed

    still = alice.upload_one("IMG_0102.JPG", apple_still(CONTENT_ID))
    assert alice.get(alice.get(f"/api/photos/{still['id']}").json["motion_url"]).data == made
    checker = Checker(app.extensions["db"], app.extensions["library"].storage, app.extensions["queue"])
    assert checker.check().clean  # neither lost nor left over as an orphan


def test_a_mov_taken_over_while_its_rendition_waits_gets_it_made_for_the_still(app, alice):
    library = app.extensions["library"]
    render = library.render_video
    library.render_video = lambda photo_id: None
    alice.upload_one("IMG_0103.MOV", hevc_mov())
    library.render_video = render

    still = alice.upload_one("IMG_0103.JPG", apple_still(CONTENT_ID))
    assert codecs(alice.get(alice.get(f"/api/photos/{still['id']}").json["motion_url"]).data) == ["h264"]


def test_a_mov_taken_over_by_its_still_keeps_its_albums_tags_and_favourite(alice):
    video = alice.upload_one("IMG_0104.MOV", apple_mov(CONTENT_ID))
    album = alice.post("/api/albums", json={"name": "Beach"}).json
    alice.post(f"/api/albums/{album['id']}/photos", json={"ids": [video["id"]]})
    alice.patch(f"/api/photos/{video['id']}", json={"tags": ["waves"], "favourite": True})

    still = alice.upload_one("IMG_0104.JPG", apple_still(CONTENT_ID))
    assert [p["id"] for p in alice.get(f"/api/albums/{album['id']}/photos").json["items"]] == [still["id"]]
    detail = alice.get(f"/api/photos/{still['id']}").json
    assert detail["favourite"] is True and "waves" in detail["tags"]


def test_the_zip_download_holds_a_live_photos_mov_beside_its_still(alice):
    still_data, movie = apple_still(CONTENT_ID), apple_mov(CONTENT_ID)
    still = alice.upload_one("IMG_0105.JPG", still_data)
    alice.upload(("IMG_0105.MOV", movie))
    other = alice.upload_one("img_0105.mov", make_clip("mp4", seconds=1))  # a clip of its own, named alike

    reply = alice.post("/api/photos/download", data={"ids": f"{still['id']},{other['id']}"})
    assert reply.status_code == 200
    with zipfile.ZipFile(io.BytesIO(reply.data)) as archive:
        assert archive.namelist() == ["IMG_0105.JPG", "IMG_0105.MOV", "img_0105 (2).mov"]
        assert archive.read("IMG_0105.JPG") == still_data and archive.read("IMG_0105.MOV") == movie
