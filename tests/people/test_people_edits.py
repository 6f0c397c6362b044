"""Correcting the people the grouping found: merge, move a face, hide, forget; and what a photo's deletion or
re-analysis does to its faces."""

from __future__ import annotations

import sys

import pytest

from shoebox.ai.registry import clear_cache
from shoebox.jobs.parts import searchable_text
from shoebox.models import Face, Person, Photo
from tests.conftest import PASSWORD, Account, make_jpeg
from tests.people.conftest import (
    astronaut_mirrored_jpeg,
    astronaut_png,
    offline_app,
    other_face_png,
)

pytestmark = pytest.mark.slow  # the offline face models


@pytest.fixture(scope="module")
def faces_app(tmp_path_factory):
    app = offline_app(tmp_path_factory.mktemp("edits"), OCR_ENABLED=False, PLACES_ENABLED=False, FACE_MIN_COUNT=1)
    yield app
    app.extensions["db"].dispose()


@pytest.fixture
def user(faces_app, request):
    """A fresh user per test with the astronaut twice and two strangers."""
    account = Account(faces_app, f"{request.node.name[:40]}@example.com")
    uploads = {"astronaut.png": astronaut_png(), "mirrored.jpg": astronaut_mirrored_jpeg(),
               "stranger.png": other_face_png(1), "stranger2.png": other_face_png(2)}
    account.ids = {name: account.upload_one(name, content)["id"] for name, content in uploads.items()}
    return account


def face_of(user: Account, name: str) -> dict:
    (face,) = user.get(f"/api/photos/{user.ids[name]}").json["faces"]
    return face


def people(user: Account, hidden: bool = False) -> dict[int, dict]:
    return {p["id"]: p for p in user.get(f"/api/people?hidden={str(hidden).lower()}").json["items"]}


def test_merge_moves_every_face_and_keeps_the_name(user):
    astronaut, stranger = face_of(user, "astronaut.png")["person_id"], face_of(user, "stranger.png")["person_id"]
    user.patch(f"/api/people/{stranger}", json={"name": "Sam"})
    reply = user.post(f"/api/people/{stranger}/merge", json={"into": astronaut})
    assert reply.status_code == 200 and reply.json["id"] == astronaut
    assert (reply.json["name"], reply.json["face_count"], reply.json["photo_count"]) == ("Sam", 3, 3)
    assert user.get(f"/api/people/{stranger}").status_code == 404
    assert user.post(f"/api/people/{astronaut}/merge", json={"into": astronaut}).status_code == 400


def test_a_face_moves_to_another_person_or_to_nobody_and_stays_there(user, faces_app):
    astronaut = face_of(user, "astronaut.png")["person_id"]
    face = face_of(user, "stranger.png")
    reply = user.patch(f"/api/faces/{face['id']}", json={"person_id": astronaut})
    assert reply.status_code == 200 and reply.json["person_id"] == astronaut
    assert people(user)[astronaut]["face_count"] == 3
    assert face["person_id"] not in people(user)  # left with no faces and no name: gone
    mirrored = face_of(user, "mirrored.jpg")
    assert user.patch(f"/api/faces/{mirrored['id']}", json={"person_id": None}).json["person_id"] is None
    faces_app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "faces", "--user", user.email])
    assert face_of(user, "mirrored.jpg")["person_id"] is None  # the user's "nobody" survives re-analysis
    assert face_of(user, "stranger.png")["person_id"] == face_of(user, "astronaut.png")["person_id"]


def test_hidden_people_leave_the_people_page_until_shown_again(user):
    stranger = face_of(user, "stranger.png")["person_id"]
    assert user.patch(f"/api/people/{stranger}", json={"hidden": True}).json["hidden"] is True
    assert stranger not in people(user) and stranger in people(user, hidden=True)
    user.patch(f"/api/people/{stranger}", json={"hidden": False})
    assert stranger in people(user)
    assert user.patch(f"/api/people/{stranger}", json={"hidden": "yes"}).status_code == 400
    assert user.patch(f"/api/people/{stranger}", json={"age": 3}).status_code == 400


def test_forgetting_a_person_keeps_their_photos(user):
    astronaut = face_of(user, "astronaut.png")["person_id"]
    assert user.delete(f"/api/people/{astronaut}").status_code == 204
    assert user.get(f"/api/people/{astronaut}").status_code == 404
    assert face_of(user, "astronaut.png")["person_id"] is None
    assert user.get(f"/api/photos/{user.ids['mirrored.jpg']}").status_code == 200


def test_reanalysing_faces_replaces_them_cleanly(user, faces_app):
    before = face_of(user, "astronaut.png")
    faces_app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "faces", "--user", user.email])
    after = face_of(user, "astronaut.png")
    assert after["id"] != before["id"] and after["person_id"] == before["person_id"]
    assert people(user)[before["person_id"]]["face_count"] == 2


def test_deleting_a_photo_for_good_deletes_its_faces_and_cached_crop(user, faces_app):
    stranger = face_of(user, "stranger.png")["person_id"]
    assert user.get(f"/api/people/{stranger}/crop").status_code == 200
    storage = faces_app.extensions["library"].storage
    with faces_app.app_context():
        photo = faces_app.extensions["db"].session().get(Photo, user.ids["stranger.png"])
        crops = storage.face_crops(photo.user_id, photo.sha256)
    assert len(crops) == 1
    assert user.delete(f"/api/photos/{user.ids['stranger.png']}").status_code == 204
    assert user.post("/api/trash/delete", json={"ids": [user.ids["stranger.png"]]}).json == {"deleted": 1}
    assert not crops[0].exists() and user.get(f"/api/people/{stranger}").status_code == 404
    with faces_app.app_context():
        session = faces_app.extensions["db"].session()
        assert session.query(Face).filter_by(photo_id=user.ids["stranger.png"]).count() == 0


def test_a_name_goes_into_the_words_meaning_search_embeds(user, faces_app):
    person = face_of(user, "astronaut.png")["person_id"]
    user.patch(f"/api/people/{person}", json={"name": "Eileen"})
    with faces_app.app_context():
        photo = faces_app.extensions["db"].session().get(Photo, user.ids["astronaut.png"])
        assert "Eileen" in searchable_text(photo)
        assert faces_app.extensions["db"].session().get(Person, person).name_source == "user"


def test_pages_render_and_hide_other_users_people(user, faces_app):
    person = face_of(user, "astronaut.png")["person_id"]
    user.client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})  # cookies, as a browser
    for url in ("/people", f"/people/{person}", "/places"):
        page = user.client.get(url)
        assert page.status_code == 200 and b"<script" in page.data and b"nonce" not in page.data
    other = Account(faces_app, "someone-else@example.com")
    other.client.post("/api/auth/login", json={"email": other.email, "password": PASSWORD})
    assert other.client.get(f"/people/{person}").status_code == 404


def test_a_face_model_that_cannot_load_leaves_photos_waiting(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dlib", None)
    app = offline_app(tmp_path, OCR_ENABLED=False, PLACES_ENABLED=False)
    try:
        user = Account(app, "wait@example.com")
        info = user.get(f"/api/photos/{user.upload_one('x.jpg', make_jpeg())['id']}").json
        assert info["status"] == "waiting" and info["analysis"]["faces"] == "waiting" and info["faces"] == []
        assert "dlib" in user.get("/api/jobs").json["waiting_reason"]
    finally:
        app.extensions["db"].dispose()
        clear_cache()


def test_photos_in_trash_leave_their_people_and_come_back_with_them(user):
    astronaut = face_of(user, "astronaut.png")["person_id"]
    user.patch(f"/api/photos/{user.ids['astronaut.png']}", json={"caption": "on the launch pad", "tags": ["nasa"]})
    before = {name: user.get(f"/api/photos/{user.ids[name]}").json for name in ("astronaut.png", "mirrored.jpg")}
    assert people(user)[astronaut]["photo_count"] == 2
    user.post("/api/trash", json={"ids": [user.ids["astronaut.png"], user.ids["mirrored.jpg"]]})
    assert astronaut not in people(user)  # seen only in photos in Trash: off the People page
    assert user.get(f"/api/people/{astronaut}").json["photos"] == []
    assert user.get(f"/api/search?person={astronaut}").json["items"] == []
    assert user.post("/api/trash/restore", json={"all": True}).json == {"restored": 2}
    assert people(user)[astronaut]["photo_count"] == 2
    assert {name: user.get(f"/api/photos/{user.ids[name]}").json for name in before} == before  # faces and all
