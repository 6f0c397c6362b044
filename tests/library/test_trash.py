"""Trash: a deleted photo waits TRASH_DAYS in Trash (files and all) before it is deleted for good; until then it
is out of every view but the Trash, and a restore brings it back with everything."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from shoebox.library.trash import MAX_IDS
from shoebox.models import Photo
from tests.conftest import make_image, make_jpeg
from tests.library.test_browse_edit_delete import jpeg_taken


def ids(reply) -> list[int]:
    return [item["id"] for item in reply.json["items"]]


def files_of(app) -> set[Path]:
    return {p for p in Path(app.config["SETTINGS"].DATA_DIR, "originals").rglob("*") if p.is_file()} | {
        p for p in Path(app.config["SETTINGS"].DATA_DIR, "thumbs").rglob("*") if p.is_file()}


def trashed_days_ago(app, photo_id: int, days: float) -> None:
    """Drive time: the photo went to Trash `days` ago."""
    with app.extensions["db"].transaction() as session:
        session.execute(update(Photo).where(Photo.id == photo_id)
                        .values(trashed_at=datetime.now() - timedelta(days=days)))


@pytest.fixture
def two(alice):
    """Two of alice's photos, a tagged, captioned 'kept' and a 'gone' (ids)."""
    kept = alice.upload_one("kept.jpg", make_jpeg(color=(1, 2, 3)))["id"]
    gone = alice.upload_one("gone.jpg", make_jpeg(color=(9, 9, 9)))["id"]
    alice.patch(f"/api/photos/{gone}", json={"caption": "a kite over the dunes", "tags": ["kite"], "note": "mine"})
    return kept, gone


def test_delete_moves_the_photo_to_trash_and_keeps_its_files(app, alice, two):
    kept, gone = two
    before = files_of(app)
    assert alice.delete(f"/api/photos/{gone}").status_code == 204
    assert files_of(app) == before
    assert ids(alice.get("/api/photos")) == [kept]
    assert ids(alice.get("/api/trash")) == [gone]


def test_a_trashed_photo_answers_404_everywhere_but_the_trash(alice, two):
    _kept, gone = two
    alice.delete(f"/api/photos/{gone}")
    for method, url in (("get", f"/api/photos/{gone}"), ("patch", f"/api/photos/{gone}"),
                        ("get", f"/api/photos/{gone}/original"), ("get", f"/api/photos/{gone}/thumbnail"),
                        ("get", f"/api/photos/{gone}/similar"), ("delete", f"/api/photos/{gone}")):
        reply = getattr(alice, method)(url, json={"caption": "x"} if method == "patch" else None)
        assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found", url
    thumb = alice.get(alice.get("/api/trash").json["items"][0]["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"


def test_a_trashed_photo_leaves_search_filters_and_facets(alice, two):
    kept, gone = two
    alice.patch(f"/api/photos/{kept}", json={"tags": ["kite"]})
    alice.delete(f"/api/photos/{gone}")
    assert ids(alice.get("/api/search?q=kite")) == [kept]
    assert ids(alice.get("/api/search?q=dunes")) == []
    assert ids(alice.get("/api/search?tag=kite")) == [kept]
    assert {t["name"]: t["count"] for t in alice.get("/api/facets").json["tags"]} == {"kite": 1}
    assert alice.get("/api/suggest?field=tag&prefix=ki").json["items"] == ["kite"]
    assert alice.get("/api/jobs").json["total"] == 1


def test_a_trashed_copy_leaves_the_duplicates_until_it_is_restored(alice):
    jpeg = alice.upload_one("copy.jpg", make_jpeg(color=(40, 160, 90)))["id"]
    png = alice.upload_one("copy.png", make_image("PNG", color=(40, 160, 90)))["id"]

    def groups() -> list[list[int]]:
        return [sorted(p["id"] for p in group) for group in alice.get("/api/duplicates").json["groups"]]

    assert groups() == [sorted([jpeg, png])]
    alice.delete(f"/api/photos/{png}")
    assert groups() == []
    alice.post("/api/trash/restore", json={"ids": [png]})
    assert groups() == [sorted([jpeg, png])]


def test_the_trash_says_when_each_photo_will_be_deleted_newest_trashed_first(app, alice):
    photos = [alice.upload_one(f"p{n}.jpg", jpeg_taken(n + 1, n * 30))["id"] for n in range(3)]
    for photo_id in photos:
        alice.delete(f"/api/photos/{photo_id}")
    trashed_days_ago(app, photos[0], 2)
    first = alice.get("/api/trash?limit=2").json
    assert [item["id"] for item in first["items"]] == [photos[2], photos[1]] and first["trash_days"] == 30
    item = first["items"][0]
    trashed, purge = (datetime.fromisoformat(item[key].removesuffix("Z")) for key in ("trashed_at", "purge_at"))
    assert purge - trashed == timedelta(days=30) and item["large_url"]
    rest = alice.get(f"/api/trash?limit=2&cursor={first['next_cursor']}").json
    assert [item["id"] for item in rest["items"]] == [photos[0]] and rest["next_cursor"] is None


def test_restore_brings_a_photo_back_with_its_caption_tags_note_and_favourite(alice, two):
    _kept, gone = two
    alice.patch(f"/api/photos/{gone}", json={"favourite": True})
    before = alice.get(f"/api/photos/{gone}").json
    alice.delete(f"/api/photos/{gone}")
    assert alice.post("/api/trash/restore", json={"ids": [gone]}).json == {"restored": 1}
    after = alice.get(f"/api/photos/{gone}").json
    assert after == before
    assert ids(alice.get("/api/search?q=dunes")) == [gone] and ids(alice.get("/api/trash")) == []


def test_restore_many_or_all(alice):
    photos = [alice.upload_one(f"p{n}.jpg", make_jpeg(color=(n * 60, 99, 9)))["id"] for n in range(4)]
    for photo_id in photos:
        alice.delete(f"/api/photos/{photo_id}")
    assert alice.post("/api/trash/restore", json={"ids": photos[:2]}).json == {"restored": 2}
    assert sorted(ids(alice.get("/api/trash"))) == sorted(photos[2:])
    assert alice.post("/api/trash/restore", json={"all": True}).json == {"restored": 2}
    assert ids(alice.get("/api/trash")) == [] and sorted(ids(alice.get("/api/photos"))) == sorted(photos)


def test_restore_and_delete_for_good_are_all_or_nothing(alice, two):
    kept, gone = two
    alice.delete(f"/api/photos/{gone}")
    for url in ("/api/trash/restore", "/api/trash/delete"):
        reply = alice.post(url, json={"ids": [gone, kept]})  # kept is not in the Trash
        assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"
    assert ids(alice.get("/api/trash")) == [gone]


def test_bad_bodies_are_refused_and_change_nothing(alice, two):
    _kept, gone = two
    alice.delete(f"/api/photos/{gone}")
    for url, body in (("/api/trash/restore", {}), ("/api/trash/restore", {"ids": [gone], "all": True}),
                      ("/api/trash/restore", {"all": False}), ("/api/trash/delete", {"ids": []}),
                      ("/api/trash/delete", {"ids": ["1"]}), ("/api/trash/delete", {"all": True}),
                      ("/api/trash", {"ids": [True]}), ("/api/trash/restore", {"ids": list(range(1, MAX_IDS + 2))})):
        reply = alice.post(url, json=body)
        assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_ids", (url, body)
    assert ids(alice.get("/api/trash")) == [gone]


def test_many_photos_move_to_trash_at_once(alice, two):
    kept, gone = two
    assert alice.post("/api/trash", json={"ids": [kept, gone]}).json == {"trashed": 2}
    assert ids(alice.get("/api/photos")) == [] and len(ids(alice.get("/api/trash"))) == 2


def test_delete_for_good_removes_the_rows_and_files_of_those_photos_only(app, alice):
    photos = [alice.upload_one(f"p{n}.jpg", make_jpeg(color=(n * 60, 50, 200)))["id"] for n in range(3)]
    for photo_id in photos:
        alice.delete(f"/api/photos/{photo_id}")
    before = files_of(app)
    assert alice.post("/api/trash/delete", json={"ids": photos[:2]}).json == {"deleted": 2}
    assert len(before - files_of(app)) == 6  # an original and two thumbnails each
    assert ids(alice.get("/api/trash")) == [photos[2]]


def test_emptying_the_trash_deletes_every_photo_in_it_and_nothing_else(app, alice, two):
    kept, gone = two
    alice.delete(f"/api/photos/{gone}")
    assert alice.delete("/api/trash").json == {"deleted": 1}
    assert ids(alice.get("/api/trash")) == [] and ids(alice.get("/api/photos")) == [kept]
    assert len(files_of(app)) == 3
    assert alice.post("/api/trash/restore", json={"ids": [gone]}).status_code == 404


def test_the_worker_deletes_photos_trashed_trash_days_ago_and_keeps_younger_ones(app, alice, bob):
    old = alice.upload_one("old.jpg", make_jpeg(color=(3, 3, 3)))["id"]
    young = alice.upload_one("young.jpg", make_jpeg(color=(4, 4, 4)))["id"]
    bobs = bob.upload_one("bobs.jpg", make_jpeg(color=(5, 5, 5)))["id"]
    for account, photo_id in ((alice, old), (alice, young), (bob, bobs)):
        account.delete(f"/api/photos/{photo_id}")
    trashed_days_ago(app, old, 30.01)
    trashed_days_ago(app, bobs, 45)
    trashed_days_ago(app, young, 29.9)
    before = files_of(app)
    assert app.extensions["queue"].purge_trash() == 2
    assert ids(alice.get("/api/trash")) == [young] and ids(bob.get("/api/trash")) == []
    assert len(before - files_of(app)) == 6
    assert app.extensions["queue"].purge_trash() == 0


def test_trash_days_is_a_setting(app, alice, make_account, tmp_path):
    from tests.backends import make_app

    short = make_app({"DATA_DIR": str(tmp_path / "short"), "TRASH_DAYS": 7, "WORKER_IN_PROCESS": False,
                      "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"})
    try:
        from tests.conftest import Account

        carol = Account(short, "carol@example.com")
        photo = carol.upload_one()["id"]
        carol.delete(f"/api/photos/{photo}")
        assert carol.get("/api/trash").json["trash_days"] == 7
        trashed_days_ago(short, photo, 8)
        assert short.extensions["queue"].purge_trash() == 1
    finally:
        short.extensions["db"].dispose()


def test_another_users_ids_answer_404_in_every_trash_operation_and_change_nothing(alice, bob, two):
    kept, gone = two
    alice.delete(f"/api/photos/{gone}")
    for method, url, body in (("delete", f"/api/photos/{kept}", None), ("post", "/api/trash", {"ids": [kept]}),
                              ("post", "/api/trash/restore", {"ids": [gone]}),
                              ("post", "/api/trash/delete", {"ids": [gone]}),
                              ("get", f"/api/trash/{gone}/thumbnail", None)):
        reply = getattr(bob, method)(url, json=body)
        assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found", url
    assert bob.get("/api/trash").json["items"] == []
    assert bob.delete("/api/trash").json == {"deleted": 0}
    assert bob.post("/api/trash/restore", json={"all": True}).json == {"restored": 0}
    assert ids(alice.get("/api/trash")) == [gone] and ids(alice.get("/api/photos")) == [kept]


def test_uploading_a_file_that_is_in_trash_says_so_and_makes_no_second_copy(alice):
    content = make_jpeg(color=(77, 7, 7))
    photo = alice.upload_one("once.jpg", content)
    alice.delete(f"/api/photos/{photo['id']}")
    again = alice.upload(("again.jpg", content)).json["photos"][0]
    assert (again["id"], again["duplicate"], again["in_trash"]) == (photo["id"], True, True)
    assert alice.get(again["thumbnail_url"]).status_code == 200  # the Trash's thumbnail
    assert ids(alice.get("/api/photos")) == [] and ids(alice.get("/api/trash")) == [photo["id"]]
    fresh = alice.upload(("new.jpg", make_jpeg(color=(1, 77, 7)))).json["photos"][0]
    assert (fresh["duplicate"], fresh["in_trash"]) == (False, False)


def test_a_trashed_photo_page_is_not_found(alice, two):
    _kept, gone = two
    alice.delete(f"/api/photos/{gone}")
    alice.client.post("/api/auth/login", json={"email": alice.email, "password": "correct horse battery"})
    assert alice.client.get(f"/photos/{gone}").status_code == 404
    assert alice.client.get("/trash").status_code == 200


def test_the_worker_looks_for_photos_to_purge_every_hour(app):
    huey = app.extensions["queue"].huey
    due = {task.name for task in huey.read_periodic(datetime(2026, 5, 1, 13, 17))}
    assert "purge_trash" in due
    assert "purge_trash" not in {task.name for task in huey.read_periodic(datetime(2026, 5, 1, 13, 18))}
