"""Playing clips: range requests, the rendition of clips browsers cannot play, shares, Trash and other users."""

from __future__ import annotations

import io

import av
import pytest

from shoebox.models import Photo
from tests.shares.conftest import first_key, make_share, token_of
from tests.video.clips import make_clip

PARIS = {"com.apple.quicktime.location.ISO6709": "+48.8584+002.2945+035.000/"}


@pytest.fixture
def clip(alice) -> dict:
    content = make_clip("mp4", seconds=2)
    return {**alice.get(f"/api/photos/{alice.upload_one('clip.mp4', content)['id']}").json, "content": content}


def test_a_playable_clip_is_served_whole_with_accept_ranges(alice, clip):
    reply = alice.get(clip["video_url"])
    assert reply.status_code == 200 and reply.data == clip["content"]
    assert reply.headers["Accept-Ranges"] == "bytes" and reply.mimetype == "video/mp4"


def test_a_range_request_gets_206_with_just_those_bytes(alice, clip):
    reply = alice.get(clip["video_url"], headers={"Range": "bytes=100-1099"})
    assert reply.status_code == 206 and reply.data == clip["content"][100:1100]
    assert reply.headers["Content-Range"] == f"bytes 100-1099/{len(clip['content'])}"


def test_an_open_ended_range_gets_the_rest_of_the_file(alice, clip):
    size = len(clip["content"])
    reply = alice.get(clip["video_url"], headers={"Range": f"bytes={size - 10}-"})
    assert reply.status_code == 206 and reply.data == clip["content"][-10:]


def test_a_range_past_the_end_is_416(alice, clip):
    size = len(clip["content"])
    reply = alice.get(clip["video_url"], headers={"Range": f"bytes={size + 10}-{size + 20}"})
    assert reply.status_code == 416 and reply.headers["Content-Range"] == f"bytes */{size}"


def test_a_conditional_request_for_an_unchanged_clip_is_304(alice, clip):
    etag = alice.get(clip["video_url"]).headers["ETag"]
    assert alice.get(clip["video_url"], headers={"If-None-Match": etag}).status_code == 304


def test_the_original_stays_downloadable(alice, clip):
    reply = alice.get(clip["original_url"])
    assert reply.data == clip["content"] and reply.mimetype == "video/mp4"


def test_a_photo_has_no_video(alice):
    photo = alice.upload_one("a.jpg")
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert detail["video_url"] is None
    reply = alice.get(f"/api/photos/{photo['id']}/video")
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_a_video"


def test_hevc_gets_an_h264_aac_rendition_made_by_the_worker(alice):
    photo = alice.upload_one("iphone.mov", make_clip("mov", seconds=2))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert detail["rendition"] == {"status": "done", "progress": 1.0, "reason": None}
    played = alice.get(detail["video_url"])
    assert played.status_code == 200 and played.mimetype == "video/mp4"
    with av.open(io.BytesIO(played.data)) as rendition:
        assert [s.codec_context.name for s in rendition.streams] == ["h264", "aac"]
        assert rendition.duration / av.time_base == pytest.approx(2.0, abs=0.1)
    assert alice.get(detail["original_url"]).mimetype == "video/quicktime"


def test_an_avi_plays_through_its_rendition_with_ranges(alice):
    photo = alice.upload_one("old.avi", make_clip("avi"))
    url = alice.get(f"/api/photos/{photo['id']}").json["video_url"]
    reply = alice.get(url, headers={"Range": "bytes=0-7"})
    assert reply.status_code == 206 and reply.data[4:8] == b"ftyp"


def test_until_its_rendition_is_made_the_clip_says_so(app, alice):
    app.extensions["library"].render_video = lambda photo_id: None  # the worker has not got to it
    photo = alice.upload_one("iphone.mov", make_clip("mov"))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert detail["rendition"]["status"] == "queued" and detail["video_url"] is None
    reply = alice.get(f"/api/photos/{photo['id']}/video")
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_playable_yet"
    jobs = alice.get("/api/jobs").json["renditions"]
    assert jobs["counts"]["queued"] == 1 and jobs["items"][0]["filename"] == "iphone.mov"


def test_the_jobs_page_counts_made_renditions(alice):
    alice.upload_one("iphone.mov", make_clip("mov"))
    assert alice.get("/api/jobs").json["renditions"]["counts"] == {"queued": 0, "running": 0, "done": 1,
                                                                   "failed": 0}


def test_a_clip_that_cannot_be_converted_is_marked_failed_with_why(app, alice):
    app.extensions["library"].render_video = lambda photo_id: None
    photo = alice.upload_one("iphone.mov", make_clip("mov"))
    storage = app.extensions["library"].storage
    with app.app_context():
        row = app.extensions["db"].session().get(Photo, photo["id"])
        storage.original_path(row.user_id, row.sha256).write_bytes(b"\x00\x00\x00\x08wide" + b"\x00" * 64)
    app.extensions["queue"].enqueue_rendition(photo["id"])
    rendition = alice.get(f"/api/photos/{photo['id']}").json["rendition"]
    assert rendition["status"] == "failed" and "cannot be converted" in rendition["reason"]


def test_another_users_clip_is_404_on_every_route(alice, bob, clip):
    for url in (clip["video_url"], clip["original_url"], clip["thumbnail_url"], f"/api/photos/{clip['id']}"):
        assert bob.get(url).status_code == 404, url


def test_a_trashed_clip_does_not_play(alice, clip):
    alice.delete(f"/api/photos/{clip['id']}")
    assert alice.get(clip["video_url"]).status_code == 404


def test_a_share_plays_the_clip_through_its_own_route_without_its_location(alice, client):
    photo = alice.upload_one("paris.mp4", make_clip("mp4", tags=PARIS))
    token = token_of(make_share(alice, ids=[photo["id"]]))
    item = client.get(f"/api/shared/{token}/photos").json["items"][0]
    assert item["media_type"] == "video" and item["duration"] == pytest.approx(2.0, abs=0.05)
    assert item["video_url"].startswith(f"/api/shared/{token}/photos/{item['key']}/video")
    played = client.get(item["video_url"])
    assert played.status_code == 200 and b"48.8584" not in played.data
    assert client.get(item["video_url"], headers={"Range": "bytes=0-9"}).status_code == 206


def test_a_share_that_shows_the_location_plays_the_original(alice, client):
    content = make_clip("mp4", tags=PARIS)
    photo = alice.upload_one("paris.mp4", content)
    token = token_of(make_share(alice, ids=[photo["id"]], show_location=True))
    assert client.get(f"/api/shared/{token}/photos/{first_key(client, token)}/video").data == content


def test_a_shared_video_download_is_streamed_from_disk_in_ranges(alice, client):
    """A link that shows the location offers a video's original as stored: sent from the file (a 2 GB video is never
    held in memory), in ranges so a broken download resumes, and 304 when the browser has it."""
    content = make_clip("mp4", seconds=2, tags=PARIS)
    photo = alice.upload_one("paris.mp4", content)
    token = token_of(make_share(alice, ids=[photo["id"]], show_location=True, allow_download=True))
    [item] = client.get(f"/api/shared/{token}/photos").json["items"]

    whole = client.get(item["original_url"])
    assert whole.status_code == 200 and whole.data == content
    assert whole.headers["Content-Disposition"] == "attachment; filename=paris.mp4"
    part = client.get(item["original_url"], headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.data == content[100:1100]
    assert client.get(item["original_url"], headers={"If-None-Match": whole.headers["ETag"]}).status_code == 304


def test_a_share_does_not_play_a_clip_it_does_not_hold(alice, client, clip):
    other = alice.upload_one("other.mp4", make_clip("mp4", seconds=3))
    token = token_of(make_share(alice, ids=[other["id"]]))
    key = first_key(client, token)
    assert client.get(f"/api/shared/{token}/photos/{key}x/video").status_code == 404
    assert client.get(f"/api/shared/{token}/photos/{clip['id']}/video").status_code == 404


def test_clips_go_into_albums_and_favourites(alice, clip):
    album = alice.post("/api/albums", json={"name": "Summer"}).json
    assert alice.post(f"/api/albums/{album['id']}/photos", json={"ids": [clip["id"]]}).status_code in (200, 201)
    assert [p["id"] for p in alice.get(f"/api/albums/{album['id']}/photos").json["items"]] == [clip["id"]]
    alice.patch(f"/api/photos/{clip['id']}", json={"favourite": True})
    favourites = alice.get("/api/photos?favourite=true").json["items"]
    assert [(p["id"], p["media_type"]) for p in favourites] == [(clip["id"], "video")]
