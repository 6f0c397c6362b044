"""Favourites: a heart on a photo, the Favourites listing, and `favourite=true` as a search filter."""

from __future__ import annotations

from tests.conftest import make_jpeg
from tests.library.test_browse_edit_delete import jpeg_taken


def ids(reply) -> list[int]:
    return [item["id"] for item in reply.json["items"]]


def test_a_heart_makes_a_photo_a_favourite_and_takes_it_off_again(alice):
    photo = alice.upload_one()
    assert photo["favourite"] is False
    reply = alice.patch(f"/api/photos/{photo['id']}", json={"favourite": True})
    assert reply.status_code == 200 and reply.json["favourite"] is True
    assert alice.get("/api/photos").json["items"][0]["favourite"] is True
    assert alice.patch(f"/api/photos/{photo['id']}", json={"favourite": False}).json["favourite"] is False
    assert alice.get(f"/api/photos/{photo['id']}").json["favourite"] is False


def test_favourite_must_be_true_or_false(alice):
    photo = alice.upload_one()
    for value in ("yes", 1, None):
        reply = alice.patch(f"/api/photos/{photo['id']}", json={"favourite": value})
        assert reply.status_code == 400 and "favourite" in reply.json["error"]["message"]
    assert alice.get(f"/api/photos/{photo['id']}").json["favourite"] is False


def test_the_favourites_listing_has_only_favourites_newest_taken_first_page_by_page(alice):
    photos = {day: alice.upload_one(f"day{day}.jpg", jpeg_taken(day, day * 20))["id"] for day in (1, 2, 3, 4, 5)}
    for day in (1, 3, 5):
        alice.patch(f"/api/photos/{photos[day]}", json={"favourite": True})
    first = alice.get("/api/photos?favourite=true&limit=2")
    assert ids(first) == [photos[5], photos[3]] and first.json["next_cursor"]
    rest = alice.get(f"/api/photos?favourite=true&limit=2&cursor={first.json['next_cursor']}")
    assert ids(rest) == [photos[1]] and rest.json["next_cursor"] is None
    assert len(ids(alice.get("/api/photos?favourite=false"))) == 5  # false: not a filter, the whole timeline
    assert alice.get("/api/photos?favourite=maybe").status_code == 400


def test_favourite_true_is_a_search_filter(alice):
    loved = alice.upload_one("loved.jpg", make_jpeg(color=(10, 10, 200)))
    other = alice.upload_one("other.jpg", make_jpeg(color=(200, 10, 10)))
    for photo in (loved, other):
        alice.patch(f"/api/photos/{photo['id']}", json={"caption": "a red kite on the beach"})
    alice.patch(f"/api/photos/{loved['id']}", json={"favourite": True})
    assert ids(alice.get("/api/search?q=kite&favourite=true")) == [loved["id"]]
    assert ids(alice.get("/api/search?favourite=true")) == [loved["id"]]
    assert ids(alice.get("/api/search?q=kite&favourite=false")) == [other["id"]]
    reply = alice.get("/api/search?q=kite&favourite=often")
    assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_parameter"


def test_another_users_photo_cannot_be_made_a_favourite(alice, bob):
    photo = alice.upload_one()
    reply = bob.patch(f"/api/photos/{photo['id']}", json={"favourite": True})
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"
    assert alice.get(f"/api/photos/{photo['id']}").json["favourite"] is False
    assert ids(bob.get("/api/photos?favourite=true")) == []


def test_a_favourite_in_trash_leaves_the_favourites_and_comes_back_a_favourite(alice):
    photo = alice.upload_one()
    alice.patch(f"/api/photos/{photo['id']}", json={"favourite": True})
    alice.delete(f"/api/photos/{photo['id']}")
    assert ids(alice.get("/api/photos?favourite=true")) == []
    assert ids(alice.get("/api/search?favourite=true")) == []
    alice.post("/api/trash/restore", json={"ids": [photo["id"]]})
    assert ids(alice.get("/api/photos?favourite=true")) == [photo["id"]]
