"""Where share links live: they go with their account, album or photos (foreign keys cascade, on SQLite and
PostgreSQL alike), and a revoked link's id is never handed out again."""

from __future__ import annotations

from sqlalchemy import func, select

from shoebox.models import Share, SharePhoto
from tests.albums.conftest import new_album
from tests.conftest import PASSWORD, make_jpeg
from tests.shares.conftest import make_share, token_of


def rows(app, model) -> int:
    with app.app_context(), app.extensions["db"].make_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_deleting_an_account_deletes_its_links(app, alice, bob, client):
    mine = make_share(alice, ids=[alice.upload_one()["id"]])
    second = alice.upload_one("b.jpg", make_jpeg(color=(1, 2, 3)))
    make_share(alice, album_id=new_album(alice, ids=[second["id"]])["id"])
    theirs = make_share(bob, ids=[bob.upload_one()["id"]])
    assert alice.delete("/api/me", json={"password": PASSWORD}).status_code == 200
    assert (rows(app, Share), rows(app, SharePhoto)) == (1, 1)
    assert client.get(f"/s/{token_of(mine)}").status_code == 404
    assert client.get(f"/s/{token_of(theirs)}").status_code == 200


def test_a_deleted_photo_leaves_no_row_behind(app, alice):
    photo = alice.upload_one()
    make_share(alice, ids=[photo["id"]])
    alice.delete(f"/api/photos/{photo['id']}")  # to Trash: it may come back, with its place in the link
    assert (rows(app, Share), rows(app, SharePhoto)) == (1, 1)
    alice.post("/api/trash/delete", json={"ids": [photo["id"]]})  # for good
    assert (rows(app, Share), rows(app, SharePhoto)) == (1, 0)


def test_a_revoked_links_id_is_never_handed_out_again(alice):
    photo = alice.upload_one()
    first, second = make_share(alice, ids=[photo["id"]]), make_share(alice, ids=[photo["id"]])
    alice.delete(f"/api/shares/{second['id']}")
    third = make_share(alice, ids=[photo["id"]])
    assert third["id"] > second["id"] > first["id"]
