"""What a link's options do for the person who opens it: its password (rate-limited), downloads on or off,
the location and the people's names shown or not, and a view counted each time it is opened."""

from __future__ import annotations

import hashlib

import exiv2
import pytest

from shoebox.models import Face, Person, Photo
from tests.conftest import make_image
from tests.shares.conftest import PARIS, make_share, paris_photo, public_routes, token_of

PASSWORD = "open sesame"
LIMIT = 10  # AUTH_RATE_LIMIT_PER_MINUTE's default


def unlock(client, token: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return client.post(f"/api/shared/{token}/unlock", json={"password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def locked(alice, client) -> str:
    """The token of a link with a password."""
    return token_of(make_share(alice, ids=[alice.upload_one()["id"]], password=PASSWORD))


def _key(alice, token: str) -> str:
    """A photo key of the link, as its owner's browser (once let in) would get it."""
    guest = alice.client.application.test_client()
    assert unlock(guest, token).status_code == 200
    return guest.get(f"/api/shared/{token}/photos").json["items"][0]["key"]


# -- password -----------------------------------------------------------------------------------------------------
def test_a_link_with_a_password_shows_only_its_prompt_until_given_it(alice, client, locked):
    routes = public_routes(locked, _key(alice, locked))
    assert client.get(routes.pop("page")).status_code == 200  # the page, which asks for the password
    for name, url in routes.items():
        reply = client.get(url)
        assert (reply.status_code, reply.json["error"]["code"]) == (401, "password_required"), name


def test_the_right_password_lets_this_browser_in(alice, client, locked):
    routes = public_routes(locked, _key(alice, locked))
    reply = unlock(client, locked)
    assert reply.status_code == 200
    assert f"Path=/api/shared/{locked}" in reply.headers["Set-Cookie"] and "HttpOnly" in reply.headers["Set-Cookie"]
    assert {name: client.get(url).status_code for name, url in routes.items()} == dict.fromkeys(routes, 200)


def test_a_wrong_password_is_refused(client, locked):
    reply = unlock(client, locked, "sesame open")
    assert (reply.status_code, reply.json["error"]["code"]) == (401, "wrong_password")
    assert client.get(f"/api/shared/{locked}").status_code == 401


def test_a_new_password_shuts_out_browsers_let_in_by_the_old_one(alice, client, locked):
    unlock(client, locked)
    [share] = alice.get("/api/shares").json["items"]
    alice.patch(f"/api/shares/{share['id']}", json={"password": "another secret"})
    assert client.get(f"/api/shared/{locked}").status_code == 401


def test_the_unlock_cookie_of_one_link_opens_no_other(alice, client, locked):
    other = token_of(make_share(alice, ids=[alice.upload_one()["id"]], password=PASSWORD))
    unlock(client, locked)
    cookie = client.get_cookie("shoebox_share", path=f"/api/shared/{locked}").value
    client.set_cookie("shoebox_share", cookie, path=f"/api/shared/{other}")
    assert client.get(f"/api/shared/{other}").status_code == 401


def test_password_attempts_are_rate_limited(client, locked):
    statuses = [unlock(client, locked, f"guess {n}").status_code for n in range(LIMIT)]
    assert statuses == [401] * LIMIT
    reply = unlock(client, locked)  # even the right one, now
    assert reply.status_code == 429 and int(reply.headers["Retry-After"]) > 0


def test_password_attempts_on_one_link_are_limited_whatever_the_address(client, locked):
    statuses = [unlock(client, locked, f"guess {n}", address=f"203.0.113.{n}").status_code for n in range(LIMIT + 1)]
    assert statuses[:LIMIT] == [401] * LIMIT and statuses[LIMIT] == 429


# -- downloads ----------------------------------------------------------------------------------------------------
def test_download_off_gives_no_original_url_and_the_route_answers_404(alice, client):
    token = token_of(make_share(alice, ids=[alice.upload_one()["id"]], allow_download=False))
    [item] = client.get(f"/api/shared/{token}/photos").json["items"]
    assert item["original_url"] is None
    assert client.get(public_routes(token, item["key"])["original"]).status_code == 404
    assert client.get(item["large_url"]).status_code == 200  # the viewer still shows it


def test_a_download_is_the_original_file_named_as_uploaded(alice, client):
    photo = alice.upload_one("beach.jpg")
    token = token_of(make_share(alice, ids=[photo["id"]], show_location=True))
    [item] = client.get(f"/api/shared/{token}/photos").json["items"]
    reply = client.get(item["original_url"])
    original = alice.get(f"/api/photos/{photo['id']}/original").data
    assert reply.data == original
    assert reply.headers["Content-Disposition"] == "attachment; filename=beach.jpg"


# -- location -----------------------------------------------------------------------------------------------------
def _gps_keys(data: bytes) -> list[str]:
    """Read back with exiv2: every EXIF/XMP/IPTC key saying where."""
    image = exiv2.ImageFactory.open(data)
    image.readMetadata()
    return [datum.key() for block in (image.exifData(), image.xmpData(), image.iptcData()) for datum in block
            if "GPS" in datum.key() or "City" in datum.key()]


def test_location_off_leaves_gps_and_place_out_of_the_json_the_page_and_the_download(app, alice, client):
    photo = paris_photo(app, alice)
    assert alice.get(f"/api/photos/{photo['id']}").json["place"]["city"] == "Paris"
    token = token_of(make_share(alice, ids=[photo["id"]]))
    listing = client.get(f"/api/shared/{token}/photos")
    [item] = listing.json["items"]
    assert (item["gps"], item["place"]) == (None, None)
    texts = listing.get_data(as_text=True) + client.get(f"/s/{token}").get_data(as_text=True)
    assert "48.85" not in texts and "Paris" not in texts
    downloaded = client.get(item["original_url"]).data
    assert _gps_keys(downloaded) == []


def test_the_stored_original_keeps_its_location(app, alice, client):
    photo = paris_photo(app, alice)
    before = alice.get(f"/api/photos/{photo['id']}/original").data
    token = token_of(make_share(alice, ids=[photo["id"]]))
    [item] = client.get(f"/api/shared/{token}/photos").json["items"]
    client.get(item["original_url"])
    after = alice.get(f"/api/photos/{photo['id']}/original").data
    assert hashlib.sha256(after).hexdigest() == hashlib.sha256(before).hexdigest()
    assert "Exif.GPSInfo.GPSLatitude" in _gps_keys(after)


def test_location_on_shows_gps_place_and_keeps_them_in_the_download(app, alice, client):
    token = token_of(make_share(alice, ids=[paris_photo(app, alice)["id"]], show_location=True))
    [item] = client.get(f"/api/shared/{token}/photos").json["items"]
    assert item["gps"]["latitude"] == pytest.approx(PARIS[0], abs=1e-3) and item["place"]["city"] == "Paris"
    assert "Exif.GPSInfo.GPSLatitude" in _gps_keys(client.get(item["original_url"]).data)


def test_thumbnails_carry_no_location(app, alice, client):
    token = token_of(make_share(alice, ids=[paris_photo(app, alice)["id"]]))
    [item] = client.get(f"/api/shared/{token}/photos").json["items"]
    for url in (item["thumbnail_url"], item["large_url"]):
        assert _gps_keys(client.get(url).data) == []


def test_a_file_whose_location_cannot_be_removed_is_not_offered_for_download(alice, client):
    gif = alice.upload_one("loop.gif", make_image("GIF", size=(32, 32)))
    token = token_of(make_share(alice, ids=[gif["id"]]))
    [item] = client.get(f"/api/shared/{token}/photos").json["items"]
    assert item["original_url"] is None
    assert client.get(public_routes(token, item["key"])["original"]).status_code == 404
    shown = token_of(make_share(alice, ids=[gif["id"]], show_location=True))
    assert client.get(f"/api/shared/{shown}/photos").json["items"][0]["original_url"] is not None


# -- people -------------------------------------------------------------------------------------------------------
def _named_face(app, photo_id: int, name: str, hidden: bool = False) -> None:
    """A face of a person named `name` in the photo, as if found and named (the face model is off here)."""
    with app.extensions["db"].transaction() as session:
        photo = session.get(Photo, photo_id)
        person = Person(user_id=photo.user_id, name=name, name_source="user", hidden=hidden, face_count=1)
        session.add(person)
        session.flush()
        session.add(Face(photo_id=photo_id, user_id=photo.user_id, person_id=person.id, box_left=0.1, box_top=0.1,
                         box_right=0.3, box_bottom=0.3, descriptor=bytes(512), score=0.99, model="test"))


def test_people_names_show_only_when_the_owner_allows(app, alice, client):
    photo = alice.upload_one()
    _named_face(app, photo["id"], "Eileen")
    _named_face(app, photo["id"], "Someone hidden", hidden=True)
    hidden = token_of(make_share(alice, ids=[photo["id"]]))
    shown = token_of(make_share(alice, ids=[photo["id"]], show_people=True))
    assert client.get(f"/api/shared/{hidden}/photos").json["items"][0]["people"] == []
    assert "Eileen" not in client.get(f"/api/shared/{hidden}/photos").get_data(as_text=True)
    assert client.get(f"/api/shared/{shown}/photos").json["items"][0]["people"] == ["Eileen"]


# -- views --------------------------------------------------------------------------------------------------------
def test_each_opening_counts_one_view_and_a_locked_one_none(alice, client, locked):
    client.get(f"/api/shared/{locked}")
    unlock(client, locked)
    client.get(f"/api/shared/{locked}")
    client.get(f"/api/shared/{locked}/photos")
    assert alice.get("/api/shares").json["items"][0]["view_count"] == 1
