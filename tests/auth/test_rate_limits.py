"""Rate limits hold across server processes, count before a body is parsed, trust only a configured proxy, and
cover every route that checks a password."""

from __future__ import annotations

import re

import pytest

from tests.backends import make_app
from tests.conftest import PASSWORD

LIMIT = 10  # AUTH_RATE_LIMIT_PER_MINUTE's default
NO_MODELS = {"TESTING": True, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none",
             "TAG_MODEL": "none", "EMBED_MODEL": "none"}


def wrong_login(client, n: int, **kwargs):
    return client.post("/api/auth/login", json={"email": f"u{n}@example.com", "password": "x" * 12}, **kwargs)


@pytest.mark.parametrize("url", ["/api/auth/login", "/api/auth/register", "/api/auth/password-reset",
                                 "/api/auth/password-reset/confirm"])
def test_unparsable_bodies_count_against_the_ip_limit(client, url):
    statuses = [client.post(url, data="{not json", content_type="application/json").status_code
                for _ in range(LIMIT + 1)]
    assert statuses[:LIMIT] == [400] * LIMIT and statuses[LIMIT] == 429


def test_two_server_processes_on_one_data_dir_share_the_count(app):
    """Two gunicorn workers are two `create_app` on the same DATA_DIR: 10 attempts across both, then 429."""
    twin = make_app({**NO_MODELS, "DATA_DIR": app.config["SETTINGS"].DATA_DIR})
    try:
        clients = [app.test_client(), twin.test_client()]
        statuses = [wrong_login(clients[n % 2], n).status_code for n in range(LIMIT + 1)]
    finally:
        twin.extensions["db"].dispose()
    assert statuses[:LIMIT] == [401] * LIMIT and statuses[LIMIT] == 429


def test_x_forwarded_for_from_a_client_is_ignored_by_default(client):
    statuses = [wrong_login(client, n, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
                for n in range(LIMIT + 1)]
    assert statuses[LIMIT] == 429  # one client, however many addresses it claims


@pytest.fixture
def behind_proxy(tmp_path):
    app = make_app({**NO_MODELS, "DATA_DIR": str(tmp_path / "proxied"), "PROXY_HOPS": 1})
    yield app
    app.extensions["db"].dispose()


def test_x_forwarded_for_is_the_client_behind_a_configured_proxy(behind_proxy):
    proxy = behind_proxy.test_client()
    distinct = [wrong_login(proxy, n, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
                for n in range(LIMIT + 1)]
    assert distinct == [401] * (LIMIT + 1)  # eleven clients behind one proxy, one attempt each
    same = [wrong_login(proxy, 100 + n, headers={"X-Forwarded-For": "198.51.100.7"}).status_code
            for n in range(LIMIT + 1)]
    assert same[LIMIT] == 429


def test_only_the_last_proxy_hop_is_trusted(behind_proxy):
    proxy = behind_proxy.test_client()
    statuses = [wrong_login(proxy, n, headers={"X-Forwarded-For": f"10.9.9.{n}, 198.51.100.7"}).status_code
                for n in range(LIMIT + 1)]
    assert statuses[LIMIT] == 429  # what the client put before the proxy's own entry is not believed


@pytest.mark.parametrize("method, url, field", [("DELETE", "/api/me", "password"),
                                                ("POST", "/api/auth/password", "current_password")])
def test_wrong_passwords_of_a_signed_in_user_are_rate_limited(alice, method, url, field):
    body = {field: "not my password", "new_password": "a brand new passphrase"}
    statuses = [alice._send(method, url, json=body).status_code for _ in range(LIMIT + 1)]
    assert statuses[:LIMIT] == [401] * LIMIT and statuses[LIMIT] == 429
    assert alice._send(method, url, json={**body, field: PASSWORD}).status_code == 429
    assert alice.get("/api/me").status_code == 200  # the account is still there


def test_the_rate_limit_message_is_a_sentence(client):
    replies = [wrong_login(client, n) for n in range(LIMIT + 1)]
    message = replies[LIMIT].json["error"]["message"]
    assert re.fullmatch(r"Too many attempts\. Try again in \d+ seconds\.", message)
