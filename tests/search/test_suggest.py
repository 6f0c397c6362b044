"""Filters by the start of a name, and suggestions from the user's own people, places, tags and cameras."""

from __future__ import annotations

import pytest

from shoebox.models import Face, Person, Photo
from tests.conftest import Account, make_jpeg

ALICE = {  # filename: (person, city, region, country, camera, tags)
    "grace.jpg": ("Grace Hopper", "Paris", "Île-de-France", "France", "Canon EOS R6", ["graduation"]),
    "greg.jpg": ("Gregory Peck", "Lyon", "Auvergne-Rhône-Alpes", "France", "iPhone 13", ["garden"]),
    "secret.jpg": ("Gretchen Hidden", "Parma", "Emilia-Romagna", "Italy", None, []),
}


def _describe(app, account: Account, photo_id: int, person: str, city, region, country, camera, *,
              hidden: bool = False) -> None:
    """What analysis would have found: a named person's face, a place and a camera."""
    with app.extensions["db"].make_session() as session:
        photo = session.get(Photo, photo_id)
        photo.city, photo.region, photo.country, photo.camera_model = city, region, country, camera
        someone = Person(user_id=photo.user_id, name=person, name_source="user", hidden=hidden, face_count=1)
        session.add(someone)
        session.flush()
        session.add(Face(photo_id=photo_id, user_id=photo.user_id, person_id=someone.id, box_left=0.1, box_top=0.1,
                         box_right=0.5, box_bottom=0.5, descriptor=bytes(512), score=0.9, model="test"))
        session.commit()


@pytest.fixture
def library(app):
    alice, bob = Account(app, "alice@example.com"), Account(app, "bob@example.com")
    for index, (name, (person, city, region, country, camera, tags)) in enumerate(ALICE.items()):
        photo_id = alice.upload_one(name, make_jpeg(color=(index * 60, 90, 30)))["id"]
        alice.patch(f"/api/photos/{photo_id}", json={"tags": tags})
        _describe(app, alice, photo_id, person, city, region, country, camera, hidden=name == "secret.jpg")
    bobs = bob.upload_one("bob.jpg", make_jpeg(color=(1, 2, 3)))["id"]
    bob.patch(f"/api/photos/{bobs}", json={"tags": ["grapes"]})
    _describe(app, bob, bobs, "Granny Bob", "Paramaribo", "Paramaribo District", "Suriname", "Canon PowerShot")
    return alice, bob


def found(user: Account, query: str) -> list[str]:
    reply = user.get(f"/api/search?{query}")
    assert reply.status_code == 200, reply.json
    return sorted(item["filename"] for item in reply.json["items"])


def suggested(user: Account, field: str, prefix: str, limit: int = 10) -> list[str]:
    reply = user.get(f"/api/suggest?field={field}&prefix={prefix}&limit={limit}")
    assert reply.status_code == 200, reply.json
    return reply.json["items"]


def test_person_filter_accepts_a_first_name_in_any_case(library):
    alice, _ = library
    assert found(alice, "person=grace") == ["grace.jpg"]
    assert found(alice, "person=GRE") == ["greg.jpg", "secret.jpg"]


def test_person_filter_still_matches_a_full_name(library):
    assert found(library[0], "person=grace hopper") == ["grace.jpg"]


def test_place_filter_accepts_the_start_of_a_city_region_or_country(library):
    alice, _ = library
    assert found(alice, "place=Par") == ["grace.jpg", "secret.jpg"]  # Paris and Parma
    assert found(alice, "place=auvergne") == ["greg.jpg"]
    assert found(alice, "place=fra") == ["grace.jpg", "greg.jpg"]
    assert found(alice, "place=paris") == ["grace.jpg"]


def test_filter_prefixes_take_like_wildcards_literally(library):
    assert found(library[0], "place=%25") == [] and found(library[0], "person=_race") == []


def test_people_are_suggested_by_prefix_without_hidden_ones(library):
    assert suggested(library[0], "person", "gr") == ["Grace Hopper", "Gregory Peck"]


def test_places_are_suggested_from_every_level(library):
    assert suggested(library[0], "place", "par") == ["Paris", "Parma"]
    assert suggested(library[0], "place", "f") == ["France"]


def test_tags_and_cameras_are_suggested_by_prefix(library):
    alice, _ = library
    assert suggested(alice, "tag", "g") == ["garden", "graduation"]
    assert suggested(alice, "camera", "can") == ["Canon EOS R6"]


def test_suggestions_stop_at_the_limit(library):
    assert suggested(library[0], "tag", "", limit=1) == ["garden"]


def test_another_users_values_are_never_suggested(library):
    alice, bob = library
    assert "Granny Bob" not in suggested(alice, "person", "gr")
    assert "Paramaribo" not in suggested(alice, "place", "par")
    assert suggested(alice, "tag", "grap") == [] and suggested(alice, "camera", "canon p") == []
    assert suggested(bob, "person", "gr") == ["Granny Bob"] and suggested(bob, "tag", "gr") == ["grapes"]


def test_an_unknown_field_is_a_clear_error(library):
    reply = library[0].get("/api/suggest?field=colour&prefix=r")
    assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_parameter"
