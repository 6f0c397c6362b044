"""Registration, sign-in, sign-out, password change and account deletion."""

from __future__ import annotations

from pathlib import Path

from werkzeug.security import check_password_hash

from shoebox.models import User
from tests.backends import make_app
from tests.conftest import PASSWORD


def test_register_normalises_the_email_and_signs_in(client):
    reply = client.post("/api/auth/register", json={"email": "  Dana@Example.COM ", "password": PASSWORD})
    assert reply.status_code == 201 and reply.json["user"]["email"] == "dana@example.com"
    me = client.get("/api/me", headers={"Authorization": f"Bearer {reply.json['access_token']}"})
    assert me.json["email"] == "dana@example.com"


def test_password_is_stored_only_as_a_werkzeug_hash(app, alice):
    user = app.extensions["db"].session().query(User).filter_by(email=alice.email).one()
    assert PASSWORD not in user.password_hash and check_password_hash(user.password_hash, PASSWORD)


def test_registration_refuses_weak_passwords_bad_emails_and_duplicates(client, alice):
    cases = [({"email": "x@example.com", "password": "short"}, 400, "weak_password"),
             ({"email": "longaddress@example.com", "password": "LongAddress@example.com"}, 400, "weak_password"),
             ({"email": "not-an-email", "password": PASSWORD}, 400, "invalid_email"),
             ({"email": "ALICE@example.com", "password": PASSWORD}, 409, "email_taken")]
    for body, status, code in cases:
        reply = client.post("/api/auth/register", json=body)
        assert (reply.status_code, reply.json["error"]["code"]) == (status, code)


def test_probing_for_taken_emails_by_registering_is_rate_limited(client, alice):
    replies = [client.post("/api/auth/register", json={"email": alice.email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.9.8.7"}) for _ in range(11)]
    assert [r.status_code for r in replies[:10]] == [409] * 10
    assert replies[10].status_code == 429 and replies[10].json["error"]["code"] == "rate_limited"


def test_login_returns_tokens_and_sets_httponly_cookies(client, alice):
    reply = client.post("/api/auth/login", json={"email": "alice@EXAMPLE.com", "password": PASSWORD})
    assert reply.status_code == 200 and reply.json["access_token"] and reply.json["refresh_token"]
    cookies = reply.headers.getlist("Set-Cookie")
    access = next(c for c in cookies if c.startswith("access_token_cookie="))
    assert "HttpOnly" in access and "SameSite=Lax" in access
    assert any(c.startswith("csrf_access_token=") and "HttpOnly" not in c for c in cookies)
    refresh = next(c for c in cookies if c.startswith("refresh_token_cookie="))
    assert "Expires=" in refresh  # survives a browser restart


def test_wrong_password_and_unknown_email_get_the_same_answer(client, alice):
    wrong = client.post("/api/auth/login", json={"email": alice.email, "password": "wrong password!"})
    unknown = client.post("/api/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_cookie_session_needs_the_csrf_header_for_changes(client, alice):
    client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD})
    assert client.get("/api/me").status_code == 200
    assert client.patch("/api/photos/1", json={"caption": "x"}).status_code == 401
    csrf = client.get_cookie("csrf_access_token").value
    assert client.patch("/api/photos/1", json={"caption": "x"}, headers={"X-CSRF-TOKEN": csrf}).status_code == 404


def test_refresh_gives_a_new_access_token(client, alice):
    reply = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {alice.tokens['refresh_token']}"})
    assert reply.status_code == 200
    assert client.get("/api/me", headers={"Authorization": f"Bearer {reply.json['access_token']}"}).status_code == 200


def test_logout_revokes_the_tokens(client, alice):
    reply = alice.post("/api/auth/logout", json={"refresh_token": alice.tokens["refresh_token"]})
    assert reply.status_code == 200
    assert alice.get("/api/me").json["error"]["code"] == "token_revoked"
    again = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {alice.tokens['refresh_token']}"})
    assert again.status_code == 401


def test_change_password_logs_out_other_sessions(client, alice):
    reply = alice.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": "a new password 2"})
    assert reply.status_code == 200
    assert alice.get("/api/me").status_code == 401  # the old token
    fresh = {"Authorization": f"Bearer {reply.json['access_token']}"}
    assert client.get("/api/me", headers=fresh).status_code == 200
    old = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {alice.tokens['refresh_token']}"})
    assert old.status_code == 401
    assert client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD}).status_code == 401


def test_change_password_needs_the_current_one(alice):
    reply = alice.post("/api/auth/password", json={"current_password": "guess guess", "new_password": "x" * 12})
    assert reply.status_code == 401


def test_delete_account_removes_photos_and_files(app, alice, bob):
    alice.upload_one()
    bob_photo = bob.upload_one()
    assert alice.delete("/api/me", json={"password": "wrong one!!"}).status_code == 401
    assert alice.delete("/api/me", json={"password": PASSWORD}).status_code == 200
    root = Path(app.config["SETTINGS"].DATA_DIR)
    owners = {p.relative_to(root).parts[1] for area in ("originals", "thumbs") for p in (root / area).rglob("*.*")}
    assert owners == {str(bob.get("/api/me").json["id"])}
    assert alice.get("/api/me").status_code == 401
    assert bob.get(f"/api/photos/{bob_photo['id']}/original").status_code == 200


def test_create_user_command(app):
    result = app.test_cli_runner().invoke(args=["shoebox", "create-user", "Admin@Example.com"],
                                          input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0 and "admin@example.com" in result.output
    client = app.test_client()
    assert client.post("/api/auth/login", json={"email": "admin@example.com", "password": PASSWORD}).status_code == 200


def test_secrets_are_generated_once_and_kept_in_the_data_dir(app, tmp_path):
    data = Path(app.config["SETTINGS"].DATA_DIR)
    assert (data / ".jwt_secret_key").read_text().strip() == app.config["JWT_SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) >= 40 and app.config["SECRET_KEY"] != app.config["JWT_SECRET_KEY"]
    again = make_app({"DATA_DIR": str(data), "WORKER_IN_PROCESS": False})
    assert again.config["JWT_SECRET_KEY"] == app.config["JWT_SECRET_KEY"]
    other = make_app({"DATA_DIR": str(tmp_path / "other"), "WORKER_IN_PROCESS": False})
    assert other.config["JWT_SECRET_KEY"] != app.config["JWT_SECRET_KEY"]
