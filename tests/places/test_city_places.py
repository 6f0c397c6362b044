"""Issue 16, item 9: a photo taken in a district of a big city is found by the city a person would name, by its
district, region and country, by their start and without accents, and only by its owner."""

from __future__ import annotations

import pytest

from tests.conftest import Account
from tests.people.conftest import gps_jpeg, offline_app

PARIS_13E = (48.8322, 2.3561)  # near Place d'Italie; the nearest GeoNames place is the quarter "Salpêtrière"
HONFLEUR = (49.4190, 0.2330)  # a small town that is its own city
KREUZBERG = (52.4986, 13.4030)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """alice with a photo from Paris 13e and one from Honfleur; bob with one from Berlin Kreuzberg."""
    app = offline_app(tmp_path_factory.mktemp("cities"), FACES_ENABLED=False, OCR_ENABLED=False)
    alice, bob = Account(app, "alice@example.com"), Account(app, "bob@example.com")
    ids = {"paris.jpg": alice.upload_one("paris.jpg", gps_jpeg(*PARIS_13E))["id"],
           "honfleur.jpg": alice.upload_one("honfleur.jpg", gps_jpeg(*HONFLEUR, color=(200, 90, 40)))["id"],
           "berlin.jpg": bob.upload_one("berlin.jpg", gps_jpeg(*KREUZBERG, color=(20, 90, 40)))["id"]}
    yield alice, bob, ids
    app.extensions["db"].dispose()


def found(user: Account, query: str) -> list[str]:
    reply = user.get(f"/api/search?{query}")
    assert reply.status_code == 200, reply.json
    return sorted(item["filename"] for item in reply.json["items"])


def suggested(user: Account, prefix: str) -> list[str]:
    reply = user.get(f"/api/suggest?field=place&prefix={prefix}")
    assert reply.status_code == 200, reply.json
    return reply.json["items"]


def test_a_photo_in_a_paris_district_is_placed_in_paris_with_its_district(library):
    alice, _bob, ids = library
    place = alice.get(f"/api/photos/{ids['paris.jpg']}").json["place"]
    assert (place["district"], place["city"], place["region"], place["country"]) == (
        "Salpêtrière", "Paris", "Île-de-France", "France")


def test_a_town_that_is_its_own_city_has_no_district(library):
    alice, _bob, ids = library
    place = alice.get(f"/api/photos/{ids['honfleur.jpg']}").json["place"]
    assert (place["district"], place["city"], place["region"]) == (None, "Honfleur", "Normandy")


def test_the_place_filter_finds_a_district_photo_by_its_city(library):
    assert found(library[0], "place=paris") == ["paris.jpg"]


def test_the_place_filter_takes_the_start_of_the_city(library):
    assert found(library[0], "place=Par") == ["paris.jpg"]


@pytest.mark.parametrize("region", ["île-de-france", "ile-de-france", "Ile de France", "ÎLE-DE"])
def test_the_place_filter_finds_the_region_with_or_without_accents(library, region):
    assert found(library[0], f"place={region}") == ["paris.jpg"]


@pytest.mark.parametrize("district", ["Salpêtrière", "salpetriere", "salp"])
def test_the_place_filter_finds_the_district(library, district):
    assert found(library[0], f"place={district}") == ["paris.jpg"]


def test_the_place_filter_finds_every_photo_of_a_country(library):
    assert found(library[0], "place=fr") == ["honfleur.jpg", "paris.jpg"]


def test_keyword_search_finds_a_district_photo_by_its_city_and_its_district(library):
    alice = library[0]
    assert found(alice, "q=paris") == ["paris.jpg"] and found(alice, "q=salpetriere") == ["paris.jpg"]


def test_the_places_page_lists_the_city_with_its_districts(library):
    (france,) = library[0].get("/api/places").json["countries"]
    assert france["country"] == "France" and france["count"] == 2
    assert france["cities"] == [
        {"city": "Honfleur", "region": "Normandy", "count": 1, "districts": []},
        {"city": "Paris", "region": "Île-de-France", "count": 1,
         "districts": [{"district": "Salpêtrière", "count": 1}]},
    ]


def test_places_are_suggested_at_every_level_without_accents(library):
    alice = library[0]
    assert suggested(alice, "par") == ["Paris"]
    assert suggested(alice, "ile") == ["Île-de-France"]
    assert suggested(alice, "SALPE") == ["Salpêtrière"]
    assert suggested(alice, "fr") == ["France"]


def test_another_users_places_never_show(library):
    alice, bob, _ids = library
    assert [c["country"] for c in alice.get("/api/places").json["countries"]] == ["France"]
    assert [c["country"] for c in bob.get("/api/places").json["countries"]] == ["Germany"]
    assert found(alice, "place=berlin") == [] and found(alice, "place=kreuzberg") == []
    assert suggested(alice, "ber") == [] and suggested(alice, "kreu") == []
    assert found(bob, "place=paris") == [] and suggested(bob, "par") == []
    assert found(bob, "place=berlin") == ["berlin.jpg"]
