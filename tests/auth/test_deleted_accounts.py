"""A deleted account's tokens die with it: they never open an account registered later, whatever its id."""

from __future__ import annotations

from shoebox.models import User
from tests.conftest import PASSWORD, make_jpeg


def _refuses(client, tokens: dict) -> bool:
    access = client.get("/api/photos", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    refresh = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    return access.status_code == 401 and refresh.status_code == 401


def _delete(account) -> None:
    assert account.delete("/api/me", json={"password": PASSWORD}).status_code == 200


def test_a_deleted_accounts_tokens_do_not_open_the_next_account_registered(app, make_account, client):
    ana = make_account("ana@example.com")
    ana.upload_one("ana.jpg")
    ana_id, ana_tokens = ana.tokens["user"]["id"], ana.tokens
    _delete(ana)
    ben = make_account("ben@example.com")
    ben.upload_one("ben.jpg", make_jpeg(color=(10, 200, 30)))
    assert ben.tokens["user"]["id"] != ana_id
    assert _refuses(client, ana_tokens)
    assert ben.get("/api/photos").status_code == 200


def test_a_token_opens_only_the_account_it_was_made_for_even_one_with_the_same_id(app, make_account, client):
    """As in a database restored or copied by hand, where an id can come back."""
    ana = make_account("ana@example.com")
    ana_id, ana_tokens = ana.tokens["user"]["id"], ana.tokens
    _delete(ana)
    with app.extensions["db"].transaction() as session:
        session.add(User(id=ana_id, email="someone-else@example.com", password_hash="x"))
    assert _refuses(client, ana_tokens)
