"""Clips like photos: backup and restore (renditions are derived and made again), `flask shoebox check`, and
analysis of the poster frame, so search finds a clip by its caption and tags."""

from __future__ import annotations

import pytest

from shoebox import create_app
from shoebox.backup import verify
from tests.conftest import PASSWORD, Account
from tests.jobs.test_analysis import ai_app, user  # noqa: F401 (fixtures)
from tests.video.clips import make_clip


def _rendition_of(app, photo_id: int):
    from shoebox.models import Photo

    with app.app_context():
        row = app.extensions["db"].session().get(Photo, photo_id)
        return app.extensions["library"].storage.rendition_path(row.user_id, row.sha256)


@pytest.mark.embedded_only(reason="backup and restore cover the embedded SQLite install")
def test_a_restored_clip_gets_its_rendition_made_again(app, alice, tmp_path):
    """The backup leaves renditions out (derived); the restore's check finds them missing and queues them."""
    photo = alice.upload_one("iphone.mov", make_clip("mov"))
    assert app.test_cli_runner().invoke(args=["shoebox", "backup", str(tmp_path / "b")]).exit_code == 0
    fresh = create_app({"DATA_DIR": str(tmp_path / "restored"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
                        "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"}, env_file=None)
    runner = fresh.test_cli_runner()
    restored = runner.invoke(args=["shoebox", "restore", str(tmp_path / "b")])
    assert restored.exit_code == 0 and "check: all clean" in restored.output, restored.output
    assert not any("-web.mp4" in name for name in verify(tmp_path / "b")["files"])
    client = fresh.test_client()
    token = client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD}).json["access_token"]
    played = client.get(f"/api/photos/{photo['id']}/video", headers={"Authorization": f"Bearer {token}"})
    assert played.status_code == 200 and played.data[4:8] == b"ftyp"
    fresh.extensions["db"].dispose()


def test_check_finds_a_rendition_gone_from_disk(app, alice):
    photo = alice.upload_one("old.avi", make_clip("avi"))
    _rendition_of(app, photo["id"]).unlink()
    runner = app.test_cli_runner()
    found = runner.invoke(args=["shoebox", "check"])
    assert found.exit_code == 1 and "1 missing rendition" in found.output
    runner.invoke(args=["shoebox", "check", "--repair"])
    assert _rendition_of(app, photo["id"]).is_file()


def test_a_deleted_clip_leaves_no_rendition_behind(app, alice):
    photo = alice.upload_one("old.avi", make_clip("avi"))
    path = _rendition_of(app, photo["id"])
    alice.delete(f"/api/photos/{photo['id']}")
    assert alice.post("/api/trash/delete", json={"ids": [photo["id"]]}).status_code in (200, 204)
    assert not path.exists()


def test_the_poster_is_analysed_and_search_finds_the_clip_by_its_tags_and_caption(ai_app, user):  # noqa: F811
    clip = user.upload_one("holiday.mp4", make_clip("mp4"))
    detail = user.get(f"/api/photos/{clip['id']}").json
    assert detail["status"] == "done" and detail["caption_source"] == "ai" and detail["tags"]
    by_tag = user.get(f"/api/search?tag={detail['tags'][0]}").json["items"]
    assert [item["id"] for item in by_tag] == [clip["id"]]
    user.patch(f"/api/photos/{clip['id']}", json={"caption": "sandcastle on the beach"})
    found = user.get("/api/search?q=sandcastle").json["items"]
    assert [(item["id"], item["media_type"]) for item in found] == [(clip["id"], "video")]


def test_someone_else_cannot_search_up_my_clip(ai_app, user):  # noqa: F811
    clip = user.upload_one("holiday.mp4", make_clip("mp4"))
    user.patch(f"/api/photos/{clip['id']}", json={"caption": "sandcastle on the beach"})
    other = Account(ai_app, "other@example.com")
    assert other.get("/api/search?q=sandcastle").json["items"] == []
