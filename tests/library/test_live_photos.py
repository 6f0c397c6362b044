"""Live Photos and Motion Photos: a still and its clip are one item that plays its clip (shoebox/library/live.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from shoebox.maintenance import Checker
from shoebox.media.live import QUICKTIME_CONTENT_ID, is_playable
from shoebox.models import Photo
from tests.conftest import make_jpeg
from tests.library.test_trash import trashed_days_ago
from tests.media.live_samples import CONTENT_ID, apple_mov, apple_still, clip, motion_photo

PARIS = {"com.apple.quicktime.location.ISO6709": "+48.8584+002.2945/"}


def clip_path(app, photo: dict):
    library = app.extensions["library"]
    with app.extensions["db"].make_session() as session:
        return library.live.clip_file(session.get(Photo, photo["id"]))


@pytest.fixture
def motion(alice):
    """alice's Motion Photo (as uploaded) and the MP4 inside it."""
    data, movie = motion_photo("container")
    return alice.upload_one("PXL_20240501_100000000.MP.jpg", data), movie


def test_a_motion_photo_is_one_item_whose_clip_plays(alice, motion):
    photo, movie = motion
    listed = alice.get("/api/photos").json["items"]

    assert [item["id"] for item in listed] == [photo["id"]]
    assert listed[0]["motion"] == "motion"
    reply = alice.get(listed[0]["motion_url"])
    assert reply.status_code == 200 and reply.mimetype == "video/mp4"
    assert reply.data == movie


def test_the_clip_is_served_in_ranges_for_seeking(alice, motion):
    photo, movie = motion
    reply = alice.get(photo["motion_url"], headers={"Range": "bytes=100-199"})

    assert reply.status_code == 206
    assert reply.data == movie[100:200]
    assert reply.headers["Content-Range"] == f"bytes 100-199/{len(movie)}"


def test_the_original_of_a_motion_photo_is_the_file_as_uploaded(alice, motion):
    photo, _movie = motion
    detail = alice.get(f"/api/photos/{photo['id']}").json

    original = alice.get(detail["original_url"]).data
    assert len(original) == detail["file_size"] and original.endswith(_movie)


def test_a_still_that_does_not_move_has_no_clip(alice):
    photo = alice.upload_one("plain.jpg", make_jpeg())

    assert photo["motion"] is None and photo["motion_url"] is None
    reply = alice.get(f"/api/photos/{photo['id']}/motion")
    assert reply.status_code == 404 and reply.json["error"]["code"] == "no_clip"


def test_another_users_clip_is_not_found(alice, bob, motion):
    photo, _movie = motion

    assert bob.get(photo["motion_url"]).status_code == 404


def test_a_clip_is_served_on_a_share_link_without_its_location(app, alice):
    located = clip("mov", metadata={"com.apple.quicktime.location.ISO6709": "+48.8584+002.2945/"},
                   options={"movflags": "use_metadata_tags"})
    data, movie = motion_photo("container", located)
    photo = alice.upload_one("PXL_20240502.MP.jpg", data)
    assert b"+48.8584" in movie
    share = alice.post("/api/shares", json={"ids": [photo["id"]], "show_location": False}).json
    token = share["url"].rsplit("/", 1)[1]
    shared = app.test_client().get(f"/api/shared/{token}/photos").json["items"][0]

    reply = app.test_client().get(shared["motion_url"])
    assert reply.status_code == 200 and reply.mimetype == "video/mp4"
    assert is_playable(reply.data) and b"+48.8584" not in reply.data


def test_a_live_photo_shared_without_its_location_plays_in_ranges_from_a_clean_copy(app, alice):
    """The MOV says where it was taken; the link that hides the location plays a copy without its metadata, made
    once on disk and streamed in ranges (Safari plays no clip without them), deleted with the photo."""
    still = alice.upload_one("IMG_0001.JPG", apple_still())
    alice.upload_one("IMG_0001.MOV", clip("mov", metadata={QUICKTIME_CONTENT_ID: CONTENT_ID, **PARIS},
                                          options={"movflags": "use_metadata_tags"}))
    token = alice.post("/api/shares", json={"ids": [still["id"]], "show_location": False}).json["url"].rsplit("/")[-1]
    [shared] = app.test_client().get(f"/api/shared/{token}/photos").json["items"]
    guest = app.test_client()

    whole = guest.get(shared["motion_url"])
    assert whole.status_code == 200 and is_playable(whole.data)
    assert b"+48.8584" not in whole.data and b"+48.8584" in clip_path(app, still).read_bytes()
    part = guest.get(shared["motion_url"], headers={"Range": "bytes=10-109"})
    assert part.status_code == 206 and part.data == whole.data[10:110]
    with app.extensions["db"].make_session() as session:
        row = session.get(Photo, still["id"])
        copy = app.extensions["library"].storage.clean_copy_path(row.user_id, row.motion_sha256)
    assert copy.is_file()
    alice.delete(f"/api/photos/{still['id']}")
    assert alice.post("/api/trash/delete", json={"ids": [still["id"]]}).status_code == 200
    assert not copy.exists()


def test_a_share_link_answers_404_for_a_still_without_a_clip(app, alice):
    photo = alice.upload_one("plain.jpg", make_jpeg())
    share = alice.post("/api/shares", json={"ids": [photo["id"]]}).json
    token = share["url"].rsplit("/", 1)[1]
    shared = app.test_client().get(f"/api/shared/{token}/photos").json["items"][0]

    assert shared["motion_url"] is None
    assert app.test_client().get(f"/api/shared/{token}/photos/{shared['key']}/motion").status_code == 404


def test_a_trashed_motion_photo_keeps_its_clip_until_deleted_for_good(app, alice, motion):
    photo, _movie = motion
    path = clip_path(app, photo)
    alice.delete(f"/api/photos/{photo['id']}")

    assert path.is_file()
    assert alice.get(f"/api/photos/{photo['id']}/motion").status_code == 404
    alice.post("/api/trash/restore", json={"ids": [photo["id"]]})
    assert alice.get(f"/api/photos/{photo['id']}/motion").status_code == 200

    alice.delete(f"/api/photos/{photo['id']}")
    trashed_days_ago(app, photo["id"], 31)
    alice.post("/api/trash/delete", json={"ids": [photo["id"]]})
    assert not path.exists()


def test_the_check_counts_a_clip_as_its_stills_and_finds_it_missing(app, alice, motion):
    photo, _movie = motion
    checker = Checker(app.extensions["db"], app.extensions["library"].storage, app.extensions["queue"])
    assert checker.check().clean

    clip_path(app, photo).unlink()
    assert dict(checker.check().counts()) == {"missing_original": 1}


def test_the_clip_of_a_motion_photo_uploaded_alone_again_is_that_photo(alice, motion):
    photo, movie = motion
    with_clip = alice.upload(("clip.mp4", movie))

    # Until videos are taken on their own, the bytes of a stored clip are known: the still comes back.
    if with_clip.status_code == 201:
        assert with_clip.json["photos"][0]["id"] == photo["id"] and with_clip.json["photos"][0]["duplicate"]


@pytest.mark.embedded_only(reason="backup and restore cover the embedded SQLite install")
def test_a_backup_holds_the_clip_beside_the_still(app, alice, motion, tmp_path):
    photo, _movie = motion
    dest = tmp_path / "backup"
    result = app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest)])

    assert result.exit_code == 0, result.output
    with app.extensions["db"].make_session() as session:
        clip_sha = session.get(Photo, photo["id"]).motion_sha256
    assert (dest / "originals" / "1" / clip_sha[:2] / clip_sha).read_bytes() == clip_path(app, photo).read_bytes()


# -- Live Photos: a still and a MOV with one content identifier, in either order -------------------------------------
def test_a_live_photo_is_one_item_when_its_still_comes_first(app, alice):
    still = alice.upload_one("IMG_0001.HEIC", apple_still(CONTENT_ID, fmt="HEIF"))
    movie = apple_mov(CONTENT_ID)
    joined = alice.upload(("IMG_0001.MOV", movie))

    assert joined.status_code == 201 and joined.json["photos"][0]["id"] == still["id"]
    items = alice.get("/api/photos").json["items"]
    assert [item["id"] for item in items] == [still["id"]] and items[0]["motion"] == "live"
    assert alice.get(items[0]["motion_url"]).data == movie


def test_a_live_photo_is_one_item_when_its_mov_comes_first(app, alice):
    movie = apple_mov(CONTENT_ID)
    video = alice.upload_one("IMG_0002.MOV", movie)
    assert [item["id"] for item in alice.get("/api/photos").json["items"]] == [video["id"]]  # a video meanwhile

    still = alice.upload_one("IMG_0002.JPG", apple_still(CONTENT_ID))
    items = alice.get("/api/photos").json["items"]
    assert [item["id"] for item in items] == [still["id"]] and items[0]["motion"] == "live"
    assert alice.get(f"/api/photos/{video['id']}").status_code == 404
    assert alice.get(items[0]["motion_url"]).data == movie


def test_a_live_photos_mov_downloads_under_its_own_name(alice):
    still = alice.upload_one("IMG_0003.JPG", apple_still(CONTENT_ID))
    movie = apple_mov(CONTENT_ID)
    alice.upload(("IMG_0003.MOV", movie))
    url = alice.get(f"/api/photos/{still['id']}").json["motion_url"]

    reply = alice.get(f"{url}&download=1")
    assert reply.data == movie and reply.mimetype == "video/quicktime"
    disposition = reply.headers["Content-Disposition"]
    assert "attachment" in disposition and "IMG_0003.MOV" in disposition


def test_a_mov_with_another_identifier_stays_a_video_of_its_own(alice):
    alice.upload_one("IMG_0004.JPG", apple_still(CONTENT_ID))
    alice.upload_one("IMG_0004.MOV", apple_mov("00000000-1111-2222-3333-444444444444"))

    items = alice.get("/api/photos").json["items"]
    assert len(items) == 2 and all(item["motion"] is None for item in items)


def test_halves_without_identifiers_pair_by_name_and_time(alice):
    taken = datetime(2024, 5, 1, 10, 0, 0)
    still = alice.upload_one("IMG_0005.JPG", make_jpeg(exif=_taken(taken)))
    alice.upload(("IMG_0005.MOV", clip("mov", metadata={"creation_time": taken.strftime("%Y-%m-%dT%H:%M:%S.000000Z")})))

    items = alice.get("/api/photos").json["items"]
    assert [item["id"] for item in items] == [still["id"]] and items[0]["motion"] == "live"


def test_the_mov_of_a_live_photo_uploaded_again_is_that_photo(alice):
    still = alice.upload_one("IMG_0006.JPG", apple_still(CONTENT_ID))
    movie = apple_mov(CONTENT_ID)
    alice.upload(("IMG_0006.MOV", movie))

    again = alice.upload(("copy.MOV", movie)).json["photos"][0]
    assert again["id"] == still["id"] and again["duplicate"]
    assert len(alice.get("/api/photos").json["items"]) == 1


def _taken(when: datetime):
    from PIL import Image
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    return exif
