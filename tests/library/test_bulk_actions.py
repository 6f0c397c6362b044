"""A selection's actions on many photos at once (issue 17, feature 1): favourite, tags, date, location by a place's
name, and a download of the originals as one ZIP streamed while it is read. Each is all or nothing: an id that is
not one of the user's photos answers 404 and nothing changes."""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile

import pytest
from PIL import Image
from sqlalchemy import select

from shoebox.models import PhotoTag
from tests.backends import make_app
from tests.conftest import PASSWORD, make_jpeg


@pytest.fixture
def app(tmp_path):
    """The suite's app with places on, so a place follows a new location."""
    app = make_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "WORKER_IN_PROCESS": False,
                    "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
                    "PLACES_ENABLED": True})
    yield app
    app.extensions["db"].dispose()


def photo_ids(account, count: int, name: str = "photo") -> list[int]:
    return [account.upload_one(f"{name}{n}.jpg", make_jpeg(color=(n * 40 % 256, 90, 200)))["id"] for n in range(count)]


def detail(account, photo_id: int) -> dict:
    return account.get(f"/api/photos/{photo_id}").json


# -- favourite and tags --------------------------------------------------------------------------------------------
def test_bulk_favourite_marks_every_photo_then_unmarks_them(alice):
    first, second, other = photo_ids(alice, 3)
    reply = alice.patch("/api/photos", json={"ids": [first, second], "favourite": True})
    assert reply.status_code == 200, reply.json
    assert [(p["id"], p["favourite"]) for p in reply.json["items"]] == [(first, True), (second, True)]
    assert [p["id"] for p in alice.get("/api/photos?favourite=true").json["items"]] == [second, first]
    alice.patch("/api/photos", json={"ids": [first, second], "favourite": False})
    assert alice.get("/api/photos?favourite=true").json["items"] == []
    assert detail(alice, other)["favourite"] is False


def test_bulk_tags_are_added_to_every_photo_and_taken_off_again(alice):
    first, second = photo_ids(alice, 2)
    alice.patch(f"/api/photos/{first}", json={"tags": ["beach"]})
    reply = alice.patch("/api/photos", json={"ids": [first, second], "add_tags": ["Summer  Trip", "beach"]})
    assert reply.status_code == 200, reply.json
    assert [p["tags"] for p in reply.json["items"]] == [["beach", "summer trip"], ["summer trip", "beach"]]
    alice.patch("/api/photos", json={"ids": [first, second], "remove_tags": ["beach"]})
    assert detail(alice, first)["tags"] == detail(alice, second)["tags"] == ["summer trip"]
    assert [p["id"] for p in alice.get("/api/search?tag=summer trip").json["items"]] == [second, first]
    assert {p["id"] for p in alice.get("/api/search?q=summer").json["items"]} == {first, second}  # re-indexed
    assert alice.get("/api/search?q=beach").json["items"] == []


def test_an_ai_tag_removed_in_bulk_stays_hidden_and_comes_back_when_added(app, alice):
    photo_id = photo_ids(alice, 1)[0]
    with app.extensions["db"].transaction() as session:
        session.add(PhotoTag(photo_id=photo_id, name="sky", source="ai", confidence=0.9))
    alice.patch("/api/photos", json={"ids": [photo_id], "remove_tags": ["sky"]})
    assert detail(alice, photo_id)["tags"] == []
    with app.extensions["db"].transaction() as session:  # kept, hidden: the next analysis does not bring it back
        tags = session.scalars(select(PhotoTag).where(PhotoTag.photo_id == photo_id))
        assert [(tag.name, tag.source, tag.hidden) for tag in tags] == [("sky", "ai", True)]
    alice.patch("/api/photos", json={"ids": [photo_id], "add_tags": ["sky"]})
    assert detail(alice, photo_id)["tag_details"] == [{"name": "sky", "source": "ai", "confidence": 0.9}]


@pytest.mark.parametrize(("body", "code"), [
    ({"ids": [1], "add_tags": "beach"}, "invalid_input"),
    ({"ids": [1], "add_tags": ["beach"], "remove_tags": ["beach"]}, "invalid_tags"),
    ({"ids": [1], "favourite": "yes"}, "invalid_input"),
    ({"ids": [1], "caption": "not in bulk"}, "invalid_input"),
])
def test_a_malformed_bulk_edit_is_refused(alice, body, code):
    reply = alice.patch("/api/photos", json=body)
    assert reply.status_code == 400 and reply.json["error"]["code"] == code


def test_a_bulk_edit_that_would_leave_a_photo_too_many_tags_changes_none(alice):
    full, empty = photo_ids(alice, 2)
    alice.patch(f"/api/photos/{full}", json={"tags": [f"tag {n}" for n in range(100)]})
    reply = alice.patch("/api/photos", json={"ids": [empty, full], "add_tags": ["one more"], "favourite": True})
    assert reply.status_code == 400 and reply.json["error"]["code"] == "too_many_tags"
    assert (detail(alice, empty)["tags"], detail(alice, empty)["favourite"]) == ([], False)


def test_a_bulk_edit_with_another_users_photo_is_not_found_and_changes_nothing(alice, bob):
    mine, theirs = photo_ids(alice, 1)[0], photo_ids(bob, 1, "bob")[0]
    reply = alice.patch("/api/photos", json={"ids": [mine, theirs], "favourite": True, "add_tags": ["x"]})
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"
    assert str(theirs) in reply.json["error"]["message"]
    for account, photo_id in ((alice, mine), (bob, theirs)):
        assert (detail(account, photo_id)["favourite"], detail(account, photo_id)["tags"]) == (False, [])


def test_a_bulk_edit_with_a_photo_in_trash_is_not_found(alice):
    kept, binned = photo_ids(alice, 2)
    alice.delete(f"/api/photos/{binned}")
    assert alice.patch("/api/photos", json={"ids": [kept, binned], "favourite": True}).status_code == 404
    assert detail(alice, kept)["favourite"] is False


def test_a_bulk_edit_takes_as_many_ids_as_an_album(alice):
    mine = photo_ids(alice, 1)[0]
    ids = [mine, *range(10**9, 10**9 + 4999)]  # the longest ids there are, 5,000 in all: no 413
    reply = alice.patch("/api/photos", json={"ids": ids, "favourite": True})
    assert reply.status_code == 404, reply.json
    assert detail(alice, mine)["favourite"] is False


# -- date and location -------------------------------------------------------------------------------------------
def test_a_bulk_shift_back_by_a_day_and_three_hours_moves_every_photo(alice):
    first, second = photo_ids(alice, 2)
    alice.patch(f"/api/photos/{first}", json={"taken_at": "2021-05-02T02:00:00+02:00"})
    alice.patch(f"/api/photos/{second}", json={"taken_at": "2021-05-03T12:30:00"})
    reply = alice.patch("/api/photos", json={"ids": [first, second], "shift_seconds": -(24 + 3) * 3600})
    assert [p["taken_at"] for p in reply.json["items"]] == ["2021-04-30T23:00:00", "2021-05-02T09:30:00"]
    assert (detail(alice, first)["taken_at_source"], detail(alice, first)["taken_at_offset"]) == ("user", "+02:00")


def test_a_bulk_date_set_gives_every_photo_that_date_as_the_users(alice):
    ids = photo_ids(alice, 3)
    reply = alice.patch("/api/photos", json={"ids": ids, "taken_at": "2003-04-05T06:07:08+09:00"})
    assert {p["taken_at"] for p in reply.json["items"]} == {"2003-04-05T06:07:08"}
    assert {(detail(alice, i)["taken_at_source"], detail(alice, i)["taken_at_offset"]) for i in ids} == {
        ("user", "+09:00")}


@pytest.fixture
def places(app, alice):
    """alice, on an app that finds photos' places (the offline geocoder)."""
    pytest.importorskip("reverse_geocode")
    return alice


def test_place_lookup_finds_places_by_the_start_of_their_name_the_largest_first(places):
    reply = places.get("/api/places/lookup?q=PARI&limit=3")
    assert reply.status_code == 200, reply.json
    paris = reply.json["items"][0]
    assert (paris["name"], paris["city"], paris["region"], paris["country"], paris["country_code"]) == (
        "Paris", "Paris", "Île-de-France", "France", "FR")
    assert paris["latitude"] == pytest.approx(48.853, abs=0.01) and paris["longitude"] == pytest.approx(2.349, abs=0.01)
    assert len(reply.json["items"]) == 3


def test_place_lookup_ignores_accents_and_narrows_by_what_follows_a_comma(places):
    assert places.get("/api/places/lookup?q=sao paulo").json["items"][0]["name"] == "São Paulo"
    texas = places.get("/api/places/lookup?q=paris, tex").json["items"]
    assert [(p["name"], p["region"], p["country_code"]) for p in texas] == [("Paris", "Texas", "US")]
    assert places.get("/api/places/lookup?q=qqqqq").json["items"] == []


def test_a_location_picked_by_a_places_name_gives_every_photo_that_place(places):
    ids = photo_ids(places, 2)
    kreuzberg = places.get("/api/places/lookup?q=kreuzberg&limit=1").json["items"][0]
    assert kreuzberg["city"] == "Berlin"
    reply = places.patch("/api/photos", json={"ids": ids, "location": {
        "latitude": kreuzberg["latitude"], "longitude": kreuzberg["longitude"]}})
    assert reply.status_code == 200, reply.json
    for photo_id in ids:
        after = detail(places, photo_id)
        assert after["location_source"] == "user"
        assert (after["place"]["district"], after["place"]["city"]) == ("Kreuzberg", "Berlin")


def test_a_location_set_by_coordinates_replaces_the_old_place(places):
    ids = photo_ids(places, 2)
    places.patch("/api/photos", json={"ids": ids, "location": {"latitude": 48.8566, "longitude": 2.3522}})
    places.patch("/api/photos", json={"ids": ids, "location": {"latitude": 35.6895, "longitude": 139.6917}})
    assert {detail(places, i)["place"]["region"] for i in ids} == {"Tokyo"}
    assert {country["country"] for country in places.get("/api/places").json["countries"]} == {"Japan"}


# -- download ------------------------------------------------------------------------------------------------------
def test_download_is_a_zip_of_the_originals_byte_for_byte_with_unique_names(alice):
    contents = {"IMG_1.jpg": make_jpeg(color=(1, 2, 3)), "img_1.JPG": make_jpeg(color=(4, 5, 6)),
                "IMG_1 (2).jpg": make_jpeg(color=(7, 8, 9))}
    ids = [alice.upload_one(name, content)["id"] for name, content in contents.items()]
    reply = alice.post("/api/photos/download", data={"ids": ",".join(map(str, ids))})
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    assert reply.mimetype == "application/zip"
    assert reply.headers["Content-Disposition"] == 'attachment; filename="shoebox-3-photos.zip"'
    assert int(reply.headers["Content-Length"]) == len(reply.data)
    with zipfile.ZipFile(io.BytesIO(reply.data)) as archive:
        assert archive.namelist() == ["IMG_1.jpg", "img_1 (2).JPG", "IMG_1 (2) (2).jpg"]
        assert [info.compress_type for info in archive.infolist()] == [zipfile.ZIP_STORED] * 3
        assert [archive.read(name) for name in archive.namelist()] == list(contents.values())


def noise_jpeg(seed: int, side: int = 1400) -> bytes:
    """A photo of random noise: JPEG cannot shrink it, so it is megabytes."""
    pixels = random.Random(seed).randbytes(side * side * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def test_download_is_streamed_as_it_is_read_never_held_in_memory(alice):
    ids = [alice.upload_one(f"noise{n}.jpg", noise_jpeg(n))["id"] for n in range(4)]
    reply = alice.client.post("/api/photos/download", data={"ids": ",".join(map(str, ids))},
                              headers=alice.headers, buffered=False)
    assert reply.status_code == 200 and reply.is_streamed
    total = int(reply.headers["Content-Length"])
    assert total > 8_000_000
    tracemalloc.start()
    try:
        received = sum(len(chunk) for chunk in reply.response)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        reply.close()
    assert received == total
    assert peak < total / 8, f"{peak} bytes held while sending {total}"


def test_download_with_another_users_photo_is_not_found(alice, bob):
    mine, theirs = photo_ids(alice, 1)[0], photo_ids(bob, 1, "bob")[0]
    reply = alice.post("/api/photos/download", data={"ids": f"{mine},{theirs}"})
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"


def test_download_ids_may_come_in_repeated_fields(alice):
    ids = photo_ids(alice, 2)
    reply = alice.post("/api/photos/download", data={"ids": [str(i) for i in ids]})
    with zipfile.ZipFile(io.BytesIO(reply.data)) as archive:
        assert archive.namelist() == ["photo0.jpg", "photo1.jpg"]


@pytest.mark.parametrize("ids", ["", "1,,x", "0", "1," + "2" * 30])
def test_download_without_valid_ids_is_refused(alice, ids):
    reply = alice.post("/api/photos/download", data={"ids": ids})
    assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_ids"


def test_a_browser_download_form_needs_the_csrf_token_as_a_field(client, alice):
    photo_id = photo_ids(alice, 1)[0]
    client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD})
    assert client.post("/api/photos/download", data={"ids": str(photo_id)}).status_code == 401
    csrf = client.get_cookie("csrf_access_token").value
    reply = client.post("/api/photos/download", data={"ids": str(photo_id), "csrf_token": csrf})
    assert reply.status_code == 200 and reply.mimetype == "application/zip"
