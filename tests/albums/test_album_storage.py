"""Where albums live: memberships go with their photo or account, ids are never handed out twice, and a backup
keeps albums whole."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shoebox.albums import service
from shoebox.models import Album, AlbumPhoto, Photo
from shoebox.scope import Scope
from tests.albums.conftest import new_album
from tests.conftest import PASSWORD


def rows(app, model) -> int:
    with app.app_context(), app.extensions["db"].make_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_deleting_an_account_deletes_its_albums_and_memberships(app, alice, bob, three):
    new_album(alice, "Mine", ids=three)
    theirs = new_album(bob, "Bob's", ids=[bob.upload_one("bob.jpg")["id"]])
    assert alice.delete("/api/me", json={"password": PASSWORD}).status_code == 200
    assert (rows(app, Album), rows(app, AlbumPhoto)) == (1, 1)
    assert bob.get(f"/api/albums/{theirs['id']}").json["photo_count"] == 1


def test_a_deleted_albums_id_is_never_handed_out_again(alice):
    first = new_album(alice, "First")
    second = new_album(alice, "Second")
    alice.delete(f"/api/albums/{second['id']}")
    third = new_album(alice, "Third")
    assert third["id"] > second["id"] > first["id"]
    assert alice.get(f"/api/albums/{second['id']}").status_code == 404


def test_photos_that_leave_the_viewers_scope_leave_albums_counts_and_covers(app, alice, three):
    """What trash will do: a narrower scope (the photos it hides) is all an album needs to leave them out."""
    album = new_album(alice, ids=three)
    scope = Scope.of_user(alice.get("/api/me").json["id"]).narrow(Photo.id != three[2])
    with app.app_context(), app.extensions["db"].make_session() as session:
        [view] = service.listing(session, scope)
        photos, _cursor = service.photos(session, scope, album["id"], None, 10)
    assert (view.photo_count, view.cover.id) == (2, three[1])
    assert [photo.id for photo in photos] == [three[1], three[0]]


@pytest.mark.embedded_only(reason="backup and restore cover the embedded SQLite install")
def test_a_backup_restores_albums_with_their_photos_covers_and_order(app, alice, three, tmp_path):
    from tests.reliability.test_backup import _restored

    album = new_album(alice, "Kept", ids=three)
    alice.patch(f"/api/albums/{album['id']}", json={"cover_photo_id": three[0], "order": "oldest",
                                                    "description": "All of it"})
    before = alice.get(f"/api/albums/{album['id']}").json
    dest = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest)]).exit_code == 0
    restored = _restored(tmp_path, dest)
    client, auth = restored.test_client(), {"Authorization": f"Bearer {alice.tokens['access_token']}"}
    assert client.get(f"/api/albums/{album['id']}", headers=auth).json == before
    photos = client.get(f"/api/albums/{album['id']}/photos", headers=auth).json["items"]
    assert [photo["id"] for photo in photos] == three
    restored.extensions["db"].dispose()
