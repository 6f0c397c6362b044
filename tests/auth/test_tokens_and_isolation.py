"""Bad tokens are refused with a JSON 401, and a user only ever reaches their own photos."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token

from tests.backends import make_app


def test_photo_routes_need_a_token(client):
    for url in ("/api/photos", "/api/photos/1", "/api/photos/1/original", "/api/photos/1/thumbnail", "/api/me"):
        reply = client.get(url)
        assert reply.status_code == 401 and reply.json["error"]["code"] == "unauthorized"


def test_tampered_token_is_refused(alice):
    header, payload, signature = alice.tokens["access_token"].split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    reply = alice.client.get("/api/me", headers={"Authorization": f"Bearer {forged}"})
    assert reply.status_code == 401 and reply.json["error"]["code"] == "invalid_token"


def test_expired_token_is_refused(app, alice):
    with app.app_context():
        user_id = str(alice.get("/api/me").json["id"])
        expired = create_access_token(user_id, expires_delta=timedelta(seconds=-1),
                                      additional_claims={"ver": 0})
    reply = alice.client.get("/api/me", headers={"Authorization": f"Bearer {expired}"})
    assert reply.status_code == 401 and reply.json["error"]["code"] == "token_expired"


def test_refresh_token_cannot_be_used_as_an_access_token(alice):
    reply = alice.client.get("/api/me", headers={"Authorization": f"Bearer {alice.tokens['refresh_token']}"})
    assert reply.status_code == 401 and reply.json["error"]["code"] == "invalid_token"


def test_access_token_cannot_be_used_to_refresh(alice):
    reply = alice.client.post("/api/auth/refresh", headers=alice.headers)
    assert reply.status_code == 401


def test_token_signed_with_another_key_is_refused(app, alice, tmp_path):
    other = make_app({"DATA_DIR": str(tmp_path / "elsewhere"), "WORKER_IN_PROCESS": False})
    with other.app_context():
        foreign = create_access_token("1", additional_claims={"ver": 0})
    assert alice.client.get("/api/me", headers={"Authorization": f"Bearer {foreign}"}).status_code == 401


@pytest.fixture
def alices_photo(alice):
    return alice.upload_one("private.jpg")


@pytest.mark.parametrize("method, path", [
    ("get", ""), ("patch", ""), ("delete", ""), ("get", "/original"), ("get", "/thumbnail?size=small"),
    ("get", "/thumbnail?size=large")])
def test_another_users_photo_answers_404_like_a_missing_one(alice, bob, alices_photo, method, path):
    theirs = getattr(bob, method)(f"/api/photos/{alices_photo['id']}{path}", json={"caption": "mine now"}
                                  if method == "patch" else None)
    missing = getattr(bob, method)(f"/api/photos/999999{path}", json={"caption": "x"} if method == "patch" else None)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json["error"]["code"] == missing.json["error"]["code"]
    assert alice.get(f"/api/photos/{alices_photo['id']}").json["caption"] is None


def test_listing_shows_only_ones_own_photos(alice, bob, alices_photo):
    bob.upload_one("bobs.jpg")
    assert [p["filename"] for p in bob.get("/api/photos").json["items"]] == ["bobs.jpg"]
    assert [p["filename"] for p in alice.get("/api/photos").json["items"]] == ["private.jpg"]


def test_same_bytes_uploaded_by_two_users_are_two_private_photos(alice, bob):
    from tests.conftest import make_jpeg

    content = make_jpeg(color=(5, 5, 5))
    mine, theirs = alice.upload_one("a.jpg", content), bob.upload_one("b.jpg", content)
    assert mine["id"] != theirs["id"] and theirs["duplicate"] is False
    assert alice.delete(f"/api/photos/{mine['id']}").status_code == 204
    assert alice.delete("/api/trash").json == {"deleted": 1}
    assert bob.get(f"/api/photos/{theirs['id']}/original").data == content


def test_photo_page_of_another_user_is_not_found(alice, bob, alices_photo):
    bob.client.post("/api/auth/login", json={"email": bob.email, "password": "correct horse battery"})
    assert bob.client.get(f"/photos/{alices_photo['id']}").status_code == 404
