"""Rate limits, security headers and safe serving of uploaded files."""

from __future__ import annotations

from tests.conftest import PASSWORD


def test_login_is_rate_limited_per_ip_with_retry_after(client, alice):
    replies = [client.post("/api/auth/login", json={"email": f"u{i}@example.com", "password": "x" * 12})
               for i in range(11)]
    assert [r.status_code for r in replies[:10]] == [401] * 10
    assert replies[10].status_code == 429 and replies[10].json["error"]["code"] == "rate_limited"
    assert 1 <= int(replies[10].headers["Retry-After"]) <= 61


def test_login_is_rate_limited_per_account_across_ips(app, alice):
    client = app.test_client()
    statuses = [client.post("/api/auth/login", json={"email": alice.email, "password": "wrong password"},
                            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(11)]
    assert statuses[-1] == 429
    good = client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert good.status_code == 429  # the account is locked for the minute, even with the right password


def test_password_reset_requests_are_rate_limited(client):
    statuses = [client.post("/api/auth/password-reset", json={"email": "x@example.com"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [202] * 10 and statuses[10] == 429


def test_security_headers_on_every_response(client, alice):
    for reply in (client.get("/login"), client.get("/api/photos"), alice.get("/api/me")):
        headers = reply.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_original_is_served_with_its_true_type_sandboxed(alice):
    photo = alice.upload_one("cat.jpg")
    reply = alice.get(f"/api/photos/{photo['id']}/original")
    assert reply.mimetype == "image/jpeg"
    assert reply.headers["Content-Disposition"].startswith("inline; filename=cat.jpg")
    assert "sandbox" in reply.headers["Content-Security-Policy"]


def test_pages_redirect_to_sign_in_and_keep_only_local_next(client, alice):
    reply = client.get("/photos/1")
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/login?next=/photos/1")
    assert 'value="/"' in client.get("/login?next=//evil.example").get_data(as_text=True)


def test_expired_access_cookie_is_renewed_from_the_refresh_cookie(client, alice):
    client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD})
    client.delete_cookie("access_token_cookie")
    reply = client.get("/")
    assert reply.status_code == 200
    assert any(c.startswith("access_token_cookie=") for c in reply.headers.getlist("Set-Cookie"))
