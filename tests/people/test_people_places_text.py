"""Who is in a photo, where it was taken and what text it shows, through the real offline models, per user."""

from __future__ import annotations

import pytest

from tests.conftest import Account, make_image
from tests.people.conftest import (
    astronaut_mirrored_jpeg,
    astronaut_png,
    gps_jpeg,
    offline_app,
    other_face_png,
    page_png,
)

pytestmark = pytest.mark.slow  # the offline face, text and place models

PARIS = (48.8566, 2.3522)
TOKYO_STATION = (35.6812, 139.7671)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """alice with the astronaut twice, someone else, a printed page, photos from Paris and Tokyo and a plain one;
    bob with the astronaut too (same face, other user)."""
    app = offline_app(tmp_path_factory.mktemp("people"))
    alice, bob = Account(app, "alice@example.com"), Account(app, "bob@example.com")
    uploads = {"astronaut.png": astronaut_png(), "mirrored.jpg": astronaut_mirrored_jpeg(),
               "stranger.png": other_face_png(), "page.png": page_png(), "paris.jpg": gps_jpeg(*PARIS),
               "tokyo.jpg": gps_jpeg(*TOKYO_STATION, color=(10, 200, 30)),
               "plain.png": make_image("PNG", size=(200, 150), color=(30, 30, 30))}
    ids = {name: alice.upload_one(name, content)["id"] for name, content in uploads.items()}
    ids["bob-astronaut.png"] = bob.upload_one("bob-astronaut.png", astronaut_png())["id"]
    yield app, alice, bob, ids
    app.extensions["db"].dispose()


def detail(user: Account, photo_id: int) -> dict:
    reply = user.get(f"/api/photos/{photo_id}")
    assert reply.status_code == 200, reply.json
    return reply.json


def person_of(user: Account, photo_id: int) -> int:
    (face,) = detail(user, photo_id)["faces"]
    return face["person_id"]


def found(user: Account, query: str) -> dict[str, list[str]]:
    reply = user.get(f"/api/search?{query}")
    assert reply.status_code == 200, reply.json
    return {item["filename"]: item["matched"] for item in reply.json["items"]}


def test_the_astronauts_face_is_found_and_a_person_created(library):
    _app, alice, _bob, ids = library
    info = detail(alice, ids["astronaut.png"])
    assert info["status"] == "done"
    (face,) = info["faces"]
    left, top, right, bottom = face["box"]  # fractions of the 512 x 512 picture: the face is near x 175-265
    assert abs(left - 175 / 512) < 0.03 and abs(right - 265 / 512) < 0.03 and 0.1 < top < bottom < 0.4
    assert face["person_id"] is not None and face["person_name"] is None


def test_the_same_face_mirrored_and_rescaled_joins_the_same_person(library):
    _app, alice, _bob, ids = library
    assert person_of(alice, ids["mirrored.jpg"]) == person_of(alice, ids["astronaut.png"])


def test_a_different_face_becomes_someone_else(library):
    _app, alice, _bob, ids = library
    assert person_of(alice, ids["stranger.png"]) not in (None, person_of(alice, ids["astronaut.png"]))


def test_people_page_lists_people_with_enough_faces_and_a_crop(library):
    _app, alice, _bob, ids = library
    people = alice.get("/api/people").json["items"]
    assert [(p["id"], p["face_count"], p["photo_count"]) for p in people] == [
        (person_of(alice, ids["astronaut.png"]), 2, 2)]  # the stranger (one face) waits for FACE_MIN_COUNT
    crop = alice.get(people[0]["crop_url"])
    assert crop.status_code == 200 and crop.mimetype == "image/webp" and crop.data[8:12] == b"WEBP"
    person = alice.get(f"/api/people/{people[0]['id']}").json
    assert sorted(p["filename"] for p in person["photos"]) == ["astronaut.png", "mirrored.jpg"]


def test_a_face_crop_is_kept_for_a_year_only_under_the_url_naming_its_face(library):
    _app, alice, _bob, _ids = library
    url = alice.get("/api/people").json["items"][0]["crop_url"]
    assert alice.get(url).headers["Cache-Control"] == "private, max-age=31536000, immutable"
    path = url.split("?")[0]
    for other in (path, f"{path}?v=999999"):  # no version, or a face this person's crop is not
        assert alice.get(other).headers["Cache-Control"] == "private, no-cache"


def test_photos_without_faces_gps_or_text_are_done_with_empty_results(library):
    _app, alice, _bob, ids = library
    info = detail(alice, ids["plain.png"])
    assert info["status"] == "done" and info["status_reason"] is None
    assert (info["faces"], info["place"], info["ocr_text"]) == ([], None, None)


def test_text_in_a_photo_is_read_shown_and_searchable(library):
    _app, alice, _bob, ids = library
    text = detail(alice, ids["page.png"])["ocr_text"].lower()
    assert "segmentation" in text and "histogram" in text
    hits = found(alice, "q=segmentation")
    assert list(hits) == ["page.png"] and "text" in hits["page.png"] and "keyword" in hits["page.png"]


def test_gps_gives_city_and_country_with_a_map_link(library):
    _app, alice, _bob, ids = library
    place = detail(alice, ids["paris.jpg"])["place"]
    assert (place["city"], place["region"], place["country"], place["country_code"]) == (
        "Paris", "Île-de-France", "France", "FR")
    assert place["osm_url"].startswith("https://www.openstreetmap.org/?mlat=48.85")
    assert detail(alice, ids["tokyo.jpg"])["place"]["region"] == "Tokyo"


def test_places_are_grouped_by_country_then_city_and_searchable(library):
    _app, alice, _bob, _ids = library
    countries = alice.get("/api/places").json["countries"]
    assert {c["country"]: c["count"] for c in countries} == {"France": 1, "Japan": 1}
    france = next(c for c in countries if c["country"] == "France")
    assert france["cities"] == [{"city": "Paris", "region": "Île-de-France", "count": 1, "districts": []}]
    assert list(found(alice, "place=france")) == ["paris.jpg"]
    assert list(found(alice, "place=Tokyo")) == ["tokyo.jpg"]  # the city, whatever its district
    hits = found(alice, "q=paris")
    assert list(hits) == ["paris.jpg"] and "place" in hits["paris.jpg"]


def test_a_named_person_is_found_by_name_and_keeps_it_after_a_reindex(library):
    app, alice, _bob, ids = library
    person_id = person_of(alice, ids["astronaut.png"])
    reply = alice.patch(f"/api/people/{person_id}", json={"name": "Eileen Collins"})
    assert reply.status_code == 200 and reply.json["name"] == "Eileen Collins"
    hits = found(alice, "q=eileen")
    assert set(hits) == {"astronaut.png", "mirrored.jpg"} and all("person" in why for why in hits.values())
    assert set(found(alice, "person=eileen collins")) == {"astronaut.png", "mirrored.jpg"}
    assert set(found(alice, f"person={person_id}")) == {"astronaut.png", "mirrored.jpg"}
    result = app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "faces", "--user", alice.email])
    assert result.exit_code == 0 and "Analysed 7 photos." in result.output
    assert person_of(alice, ids["astronaut.png"]) == person_id
    assert detail(alice, ids["mirrored.jpg"])["faces"][0]["person_name"] == "Eileen Collins"
    assert set(found(alice, "q=collins")) == {"astronaut.png", "mirrored.jpg"}
    result = app.test_cli_runner().invoke(args=["shoebox", "recluster", "--user", alice.email])
    assert result.exit_code == 0, result.output
    assert alice.get(f"/api/people/{person_id}").json["name"] == "Eileen Collins"


def test_people_are_never_shared_between_users(library):
    _app, alice, bob, ids = library
    alices, bobs = person_of(alice, ids["astronaut.png"]), person_of(bob, ids["bob-astronaut.png"])
    assert alices != bobs  # the same face, but never matched against another user's people
    assert [p["id"] for p in bob.get("/api/people").json["items"]] == []  # one face: below FACE_MIN_COUNT
    assert bob.get("/api/places").json["countries"] == []
    assert found(bob, "q=eileen") == {} and found(bob, f"person={alices}") == {}


@pytest.mark.parametrize(("method", "url", "body"), [
    ("get", "/api/people/{p}", None), ("patch", "/api/people/{p}", {"name": "mine now"}),
    ("delete", "/api/people/{p}", None), ("get", "/api/people/{p}/crop", None),
    ("post", "/api/people/{p}/merge", {"into": "{q}"}), ("post", "/api/people/{q}/merge", {"into": "{p}"}),
    ("patch", "/api/faces/{f}", {"person_id": None}), ("patch", "/api/faces/{g}", {"person_id": "{p}"}),
])
def test_another_users_people_and_faces_are_not_found(library, method, url, body):
    _app, alice, bob, ids = library
    (face,) = detail(alice, ids["astronaut.png"])["faces"]
    (bobs_face,) = detail(bob, ids["bob-astronaut.png"])["faces"]
    values = {"p": face["person_id"], "q": bobs_face["person_id"], "f": face["id"], "g": bobs_face["id"]}
    url = url.format(**values)
    if body:
        body = {k: values[v[1]] if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}
    reply = getattr(bob, method)(url, json=body) if body is not None else getattr(bob, method)(url)
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"
    assert detail(alice, ids["astronaut.png"])["faces"] == [face]


def test_a_named_person_is_listed_with_fewer_faces_than_face_min_count(library):
    app, *_ = library
    carol = Account(app, "carol@example.com")
    photo = carol.upload_one("carol.png", other_face_png())
    (face,) = detail(carol, photo["id"])["faces"]
    assert carol.get("/api/people").json["items"] == []  # one face: below FACE_MIN_COUNT (2)
    assert carol.patch(f"/api/people/{face['person_id']}", json={"name": "Carol"}).status_code == 200
    assert [p["name"] for p in carol.get("/api/people").json["items"]] == ["Carol"]
