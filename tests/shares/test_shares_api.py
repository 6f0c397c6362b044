"""The owner's share links through the API: make one to an album or to chosen photos, see them listed with view
counts, copy a link again, change its options, revoke it; nobody reaches another user's links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.albums.conftest import dated_photos, new_album
from tests.shares.conftest import make_share, token_of


def future(days: int = 3) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def test_a_link_to_an_album_shows_its_photos_in_its_order(alice, client):
    ids = dated_photos(alice, "2020-01-01T10:00:00", "2021-01-01T10:00:00")
    album = new_album(alice, "Lisbon", ids=ids)
    alice.patch(f"/api/albums/{album['id']}", json={"order": "oldest"})
    share = make_share(alice, album_id=album["id"])
    assert (share["kind"], share["title"], share["photo_count"]) == ("album", "Lisbon", 2)
    items = client.get(f"/api/shared/{token_of(share)}/photos").json["items"]
    assert [item["taken_at"][:4] for item in items] == ["2020", "2021"]


def test_an_album_link_follows_the_album(alice, client):
    first, second = dated_photos(alice, "2020-01-01T10:00:00", "2021-01-01T10:00:00")
    album = new_album(alice, ids=[first])
    share = make_share(alice, album_id=album["id"])
    alice.post(f"/api/albums/{album['id']}/photos", json={"ids": [second]})
    assert client.get(f"/api/shared/{token_of(share)}").json["photo_count"] == 2


def test_a_link_to_chosen_photos_shows_only_them(alice, client):
    ids = dated_photos(alice, "2020-01-01T10:00:00", "2021-01-01T10:00:00", "2022-01-01T10:00:00")
    share = make_share(alice, ids=ids[:2], title="  Two   of them ")
    assert (share["kind"], share["title"], share["photo_count"]) == ("photos", "Two of them", 2)
    assert len(client.get(f"/api/shared/{token_of(share)}/photos").json["items"]) == 2


def test_the_defaults_allow_download_and_hide_location_and_people(alice):
    share = make_share(alice, ids=[alice.upload_one()["id"]])
    assert (share["allow_download"], share["show_location"], share["show_people"]) == (True, False, False)
    assert (share["expires_at"], share["has_password"]) == (None, False)


def test_my_links_are_listed_newest_first_with_view_counts(alice, client):
    photo = alice.upload_one()
    older, newer = make_share(alice, ids=[photo["id"]]), make_share(alice, ids=[photo["id"]])
    for _ in range(3):
        client.get(f"/api/shared/{token_of(older)}")
    listed = alice.get("/api/shares").json["items"]
    assert [(item["id"], item["view_count"]) for item in listed] == [(newer["id"], 0), (older["id"], 3)]
    assert listed[1]["last_viewed_at"] is not None


def test_the_link_can_be_copied_again_later(alice):
    share = make_share(alice, ids=[alice.upload_one()["id"]])
    assert alice.get(f"/api/shares/{share['id']}").json["url"] == share["url"]
    assert alice.get("/api/shares").json["items"][0]["url"] == share["url"]


def test_links_use_public_url_when_set(alice, app):
    app.config["SETTINGS"].PUBLIC_URL = "https://photos.example.com"
    share = make_share(alice, ids=[alice.upload_one()["id"]])
    assert share["url"].startswith("https://photos.example.com/s/")


def test_every_link_has_its_own_unguessable_token(alice):
    photo = alice.upload_one()
    tokens = {token_of(make_share(alice, ids=[photo["id"]])) for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) == 43 for token in tokens)  # 256 bits, URL-safe base64


def test_options_can_be_changed(alice, client):
    share = make_share(alice, ids=[alice.upload_one()["id"]])
    reply = alice.patch(f"/api/shares/{share['id']}", json={
        "title": "Renamed", "expires_at": future(), "allow_download": False, "show_location": True,
        "show_people": True, "password": "open sesame"})
    assert reply.status_code == 200
    changed = reply.json
    assert (changed["title"], changed["allow_download"], changed["show_location"], changed["show_people"],
            changed["has_password"]) == ("Renamed", False, True, True, True)
    assert changed["expires_at"] is not None and changed["url"] == share["url"]
    cleared = alice.patch(f"/api/shares/{share['id']}", json={"password": None, "expires_at": None}).json
    assert (cleared["has_password"], cleared["expires_at"]) == (False, None)
    assert client.get(f"/api/shared/{token_of(share)}").status_code == 200


def test_an_expiry_with_an_offset_is_kept_in_utc(alice):
    share = make_share(alice, ids=[alice.upload_one()["id"]], expires_at="2999-01-01T12:00:00+02:00")
    assert share["expires_at"] == "2999-01-01T10:00:00"


def test_a_revoked_link_leaves_the_list_and_answers_404(alice, client):
    share = make_share(alice, ids=[alice.upload_one()["id"]])
    assert alice.delete(f"/api/shares/{share['id']}").status_code == 204
    assert alice.get("/api/shares").json["items"] == []
    assert alice.get(f"/api/shares/{share['id']}").status_code == 404
    assert client.get(f"/s/{token_of(share)}").status_code == 404


@pytest.mark.parametrize("body", [
    {}, {"ids": []}, {"ids": ["one"]}, {"album_id": "x"}, {"ids": [1], "album_id": 1}, {"ids": [1], "colour": "red"},
    {"ids": [1], "expires_at": "tomorrow"}, {"ids": [1], "expires_at": "2001-01-01T00:00:00"},
    {"ids": [1], "password": ""}, {"ids": [1], "password": 7}, {"ids": [1], "allow_download": "yes"},
    {"ids": [1], "title": ["x"]}])
def test_an_invalid_link_is_refused(alice, body):
    alice.upload_one()
    reply = alice.post("/api/shares", json=body)
    assert reply.status_code == 400 and reply.json["error"]["code"]
    assert alice.get("/api/shares").json["items"] == []


@pytest.mark.parametrize("body", [{}, {"kind": "album"}, {"show_location": 1}, {"expires_at": "2001-01-01T00:00"}])
def test_an_invalid_change_is_refused(alice, body):
    share = make_share(alice, ids=[alice.upload_one()["id"]])
    assert alice.patch(f"/api/shares/{share['id']}", json=body).status_code == 400


def test_only_ones_own_photos_and_albums_can_be_shared(alice, bob):
    theirs = bob.upload_one()
    album = new_album(bob, ids=[theirs["id"]])
    mine = alice.upload_one()
    assert alice.post("/api/shares", json={"ids": [mine["id"], theirs["id"]]}).status_code == 404
    assert alice.post("/api/shares", json={"album_id": album["id"]}).status_code == 404
    assert alice.get("/api/shares").json["items"] == []


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_another_users_share_id_answers_404(alice, bob, method):
    theirs = make_share(bob, ids=[bob.upload_one()["id"]])
    reply = alice.client.open(f"/api/shares/{theirs['id']}", method=method, headers=alice.headers,
                              json={"title": "mine now"} if method == "PATCH" else None)
    assert reply.status_code == 404
    assert bob.get(f"/api/shares/{theirs['id']}").json["title"] == "Shared photos"


def test_the_owner_api_needs_a_sign_in(client):
    assert client.get("/api/shares").status_code == 401
    assert client.post("/api/shares", json={"ids": [1]}).status_code == 401
