"""A video is analysed from a few of its frames, not its poster alone: what only a later frame shows (a page of
text) finds the clip too; its faces are the poster's, whose picture their crops are cut from."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import Account
from tests.people.conftest import astronaut, offline_app, page_png
from tests.video.clips import slideshow

pytestmark = pytest.mark.slow  # the offline face and text models


@pytest.fixture
def app(tmp_path):
    app = offline_app(tmp_path / "data")
    yield app
    app.extensions["db"].dispose()


@pytest.fixture
def clip(app):
    """A 4 s clip: the astronaut for two seconds (the poster and the frame at 25%), then a page of text."""
    user = Account(app, "ana@example.com")
    page = Image.open(io.BytesIO(page_png())).resize((1024, 509), Image.Resampling.BICUBIC)
    uploaded = user.upload_one("tour.mp4", slideshow([astronaut(), page]))
    return user, uploaded["id"]


def test_a_word_shown_only_later_in_a_clip_finds_it(clip):
    user, clip_id = clip
    found = user.get("/api/search?q=segmentation").json["items"]
    assert [(item["id"], item["media_type"]) for item in found] == [(clip_id, "video")]
    assert "text" in user.get(f"/api/photos/{clip_id}").json["tags"]


def test_a_face_seen_in_two_frames_is_one_face_of_the_clip(clip):
    user, clip_id = clip
    detail = user.get(f"/api/photos/{clip_id}").json
    assert detail["status"] == "done" and "person" in detail["tags"]
    assert len(detail["faces"]) == 1


@pytest.fixture
def clip_with_a_later_face(app):
    """A 4 s clip: a page of text for two seconds (the poster), then the astronaut."""
    user = Account(app, "ben@example.com")
    page = Image.open(io.BytesIO(page_png())).resize((1024, 509), Image.Resampling.BICUBIC)
    uploaded = user.upload_one("later.mp4", slideshow([page, astronaut()]))
    return user, uploaded["id"]


def test_a_face_seen_only_after_the_poster_is_not_cropped_from_the_poster(clip_with_a_later_face):
    user, clip_id = clip_with_a_later_face
    detail = user.get(f"/api/photos/{clip_id}").json
    assert detail["status"] == "done" and "text" in detail["tags"]
    assert detail["faces"] == []
