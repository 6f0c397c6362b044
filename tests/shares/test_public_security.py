"""A share link is the first door open to people with no account. Every public route, walked with a valid, an
expired, a revoked and a guessed token; the headers that keep the token out of Referers and search engines; and
a link of alice's never showing a photo of bob's or one of hers she did not share, whatever key or id is tried."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from shoebox.models import utcnow
from tests.albums.conftest import new_album
from tests.conftest import make_jpeg
from tests.shares.conftest import first_key, make_share, public_routes, set_expiry, token_of

GUESS = "O46pgjho6SBlWR3m3c6WfN4N9Gl4s6R2HTkVLBRo-UM"


@pytest.fixture
def shared(app, alice, client) -> dict:
    """alice's link to one of her two photos: the link, its token and the key of its photo."""
    shown, unshared = alice.upload_one("shown.jpg"), alice.upload_one("kept.jpg", make_jpeg(color=(9, 9, 200)))
    share = make_share(alice, ids=[shown["id"]])
    token = token_of(share)
    return {"share": share, "token": token, "key": first_key(client, token), "photo": shown, "other": unshared}


def _walk(client, token: str, key: str) -> dict[str, int]:
    return {name: client.get(url).status_code for name, url in public_routes(token, key).items()}


def test_a_valid_link_opens_every_public_route(client, shared):
    assert set(_walk(client, shared["token"], shared["key"]).values()) == {200}


def test_an_expired_link_answers_404_on_every_route(app, client, shared):
    set_expiry(app, shared["share"], utcnow() - timedelta(seconds=1))
    assert set(_walk(client, shared["token"], shared["key"]).values()) == {404}


def test_a_link_works_until_its_expiry(app, client, shared):
    set_expiry(app, shared["share"], utcnow() + timedelta(minutes=5))
    assert set(_walk(client, shared["token"], shared["key"]).values()) == {200}


def test_a_revoked_link_answers_404_on_every_route(alice, client, shared):
    alice.delete(f"/api/shares/{shared['share']['id']}")
    assert set(_walk(client, shared["token"], shared["key"]).values()) == {404}


@pytest.mark.parametrize("token", [GUESS, "x", "A" * 500, "..", "%00"])
def test_a_guessed_token_answers_404_on_every_route(client, shared, token):
    assert set(_walk(client, token, shared["key"]).values()) == {404}


def test_expired_revoked_and_guessed_links_get_the_same_answer(app, alice, client, shared):
    other = make_share(alice, ids=[shared["photo"]["id"]])
    guessed = client.get(f"/api/shared/{GUESS}").json
    alice.delete(f"/api/shares/{other['id']}")
    set_expiry(app, shared["share"], datetime(2001, 1, 1))
    assert client.get(f"/api/shared/{token_of(other)}").json == guessed
    assert client.get(f"/api/shared/{shared['token']}").json == guessed


# -- headers -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("valid", [True, False], ids=["valid", "guessed"])
def test_every_public_answer_sends_no_referrer_and_asks_not_to_be_indexed(client, shared, valid):
    token = shared["token"] if valid else GUESS
    for name, url in public_routes(token, shared["key"]).items():
        reply = client.get(url)
        assert reply.headers["Referrer-Policy"] == "no-referrer", name
        assert reply.headers["X-Robots-Tag"] == "noindex, nofollow", name
        assert reply.headers["Cache-Control"].startswith("private"), name


def test_the_page_says_noindex_and_no_referrer_in_its_html_too(client, shared):
    page = client.get(f"/s/{shared['token']}").get_data(as_text=True)
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert '<meta name="referrer" content="no-referrer">' in page


def test_signed_in_pages_keep_their_own_referrer_policy(alice):
    assert alice.get("/api/photos").headers["Referrer-Policy"] == "same-origin"


# -- nothing else of the owner -----------------------------------------------------------------------------------
def test_unshared_photos_of_the_owner_and_other_users_photos_are_not_reachable(app, bob, client, shared):
    """Not by their ids in place of a key, and not even by a well-formed key of this link for their ids."""
    keys = app.extensions["share_keys"]
    salt = _salt(app, shared["share"]["id"])
    theirs = bob.upload_one("bob.jpg", make_jpeg(color=(200, 9, 9)))
    for photo_id in (shared["other"]["id"], theirs["id"]):
        for key in (str(photo_id), keys.photo_key(salt, photo_id)):
            for name in ("thumbnail", "large", "original"):
                assert client.get(public_routes(shared["token"], key)[name]).status_code == 404, (photo_id, name)


def test_a_key_works_only_in_the_link_that_gave_it(alice, client, shared):
    other = make_share(alice, ids=[shared["photo"]["id"]])
    other_key = first_key(client, token_of(other))
    assert other_key != shared["key"]
    assert client.get(public_routes(shared["token"], other_key)["thumbnail"]).status_code == 404


def test_a_link_of_alice_never_lists_bobs_photos(bob, client, shared):
    bob.upload_one("bob.jpg")
    items = client.get(f"/api/shared/{shared['token']}/photos").json["items"]
    assert [item["filename"] for item in items] == ["shown.jpg"]


def test_public_answers_name_no_photo_id_and_no_owner(alice, client, shared):
    token = shared["token"]
    texts = [client.get(url).get_data(as_text=True) for url in (f"/s/{token}", f"/api/shared/{token}",
                                                                 f"/api/shared/{token}/photos")]
    for text in texts:
        assert alice.email not in text
        assert '"id"' not in text
        # the id as a whole path segment (a random key may begin with its digits: "/photos/1xAPbW...")
        assert not re.search(rf"/photos/{shared['photo']['id']}(?![\w-])", text)
        assert shared["photo"]["thumbnail_url"].split("v=")[1] not in text  # not even the file's hash


def test_a_photo_the_owners_scope_hides_leaves_the_link(monkeypatch, alice, client):
    """What trash does: one more condition in Scope._base() (the owner's view) and the photo leaves every link."""
    from shoebox.models import Photo
    from shoebox.scope import Scope

    kept, trashed = alice.upload_one("kept.jpg"), alice.upload_one("trashed.jpg", make_jpeg(color=(9, 200, 9)))
    share = make_share(alice, album_id=new_album(alice, ids=[kept["id"], trashed["id"]])["id"])
    token = token_of(share)
    key = {item["filename"]: item["key"] for item in client.get(f"/api/shared/{token}/photos").json["items"]}
    base = Scope._base
    monkeypatch.setattr(Scope, "_base", lambda self: [*base(self), Photo.id != trashed["id"]])
    assert [item["filename"] for item in client.get(f"/api/shared/{token}/photos").json["items"]] == ["kept.jpg"]
    assert client.get(f"/api/shared/{token}").json["photo_count"] == 1
    assert client.get(public_routes(token, key["trashed.jpg"])["thumbnail"]).status_code == 404


def test_a_deleted_photo_leaves_the_link(alice, client, shared):
    alice.delete(f"/api/photos/{shared['photo']['id']}")
    assert client.get(f"/api/shared/{shared['token']}/photos").json["items"] == []
    assert client.get(public_routes(shared["token"], shared["key"])["thumbnail"]).status_code == 404


def test_a_deleted_album_takes_its_links(alice, client):
    album = new_album(alice, ids=[alice.upload_one()["id"]])
    share = make_share(alice, album_id=album["id"])
    alice.delete(f"/api/albums/{album['id']}")
    assert client.get(f"/s/{token_of(share)}").status_code == 404
    assert alice.get("/api/shares").json["items"] == []


def _salt(app, share_id: int) -> str:
    from shoebox.models import Share

    with app.app_context(), app.extensions["db"].make_session() as session:
        return session.get(Share, share_id).salt


def test_the_database_keeps_no_token(app, shared):
    from sqlalchemy import text

    with app.app_context(), app.extensions["db"].engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM shares")).mappings().one()
    assert shared["token"] not in " ".join(map(str, row.values()))
    assert re.fullmatch(r"[0-9a-f]{64}", row["token_hash"])
