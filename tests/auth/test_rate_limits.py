"""Rate limits count before a body is parsed and cover every route that checks a password."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

LIMIT = 10  # AUTH_RATE_LIMIT_PER_MINUTE's default


@pytest.mark.parametrize("url", ["/api/auth/login", "/api/auth/register", "/api/auth/password-reset",
                                 "/api/auth/password-reset/confirm"])
def test_unparsable_bodies_count_against_the_ip_limit(client, url):
    statuses = [client.post(url, data="{not json", content_type="application/json").status_code
                for _ in range(LIMIT + 1)]
    assert statuses[:LIMIT] == [400] * LIMIT and statuses[LIMIT] == 429


@pytest.mark.parametrize("method, url, field", [("DELETE", "/api/me", "password"),
                                                ("POST", "/api/auth/password", "current_password")])
def test_wrong_passwords_of_a_signed_in_user_are_rate_limited(alice, method, url, field):
    body = {field: "not my password", "new_password": "a brand new passphrase"}
    statuses = [alice._send(method, url, json=body).status_code for _ in range(LIMIT + 1)]
    assert statuses[:LIMIT] == [401] * LIMIT and statuses[LIMIT] == 429
    assert alice._send(method, url, json={**body, field: PASSWORD}).status_code == 429
    assert alice.get("/api/me").status_code == 200  # the account is still there
