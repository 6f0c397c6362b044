"""Passwords follow NIST SP 800-63B: long enough, not common or guessable, long passphrases welcome; every
refusal says why, wherever a password is chosen (registration, reset link, password change)."""

from __future__ import annotations

import pytest

from tests.auth.test_password_reset import logged_reset_link
from tests.conftest import PASSWORD

#: Guessable passwords of ten characters or more, and what the refusal must say about each.
WEAK = {
    "aaaaaaaaaa": "repeats",
    "1234567890": "common password",
    " " * 10: "repeats",
    "password123": "common password",
    "qwertyuiop": "common password",
}


def refusal(reply) -> str:
    assert reply.status_code == 400 and reply.json["error"]["code"] == "weak_password", reply.json
    return reply.json["error"]["message"].lower()


@pytest.mark.parametrize("password", WEAK, ids=repr)
def test_registration_refuses_a_guessable_password_and_says_why(client, password):
    reply = client.post("/api/auth/register", json={"email": "dana@example.com", "password": password})
    message = refusal(reply)
    assert "too easy to guess" in message and WEAK[password] in message


@pytest.mark.parametrize("password", WEAK, ids=repr)
def test_a_reset_link_refuses_a_guessable_password_and_says_why(app, alice, caplog, password):
    token = logged_reset_link(app, alice.email, caplog).split("token=")[1]
    reply = app.test_client().post("/api/auth/password-reset/confirm", json={"token": token, "password": password})
    assert WEAK[password] in refusal(reply)


@pytest.mark.parametrize("password", WEAK, ids=repr)
def test_a_password_change_refuses_a_guessable_password_and_says_why(alice, password):
    reply = alice.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": password})
    assert WEAK[password] in refusal(reply)
    assert alice.get("/api/me").status_code == 200  # nothing changed: the session still holds


def test_a_password_made_of_ones_own_email_is_refused(client):
    mine = client.post("/api/auth/register", json={"email": "marguerite.okonkwo@example.com",
                                                   "password": "okonkwomarguerite"})
    someone_else = client.post("/api/auth/register", json={"email": "dana@example.com",
                                                           "password": "okonkwomarguerite"})
    assert "too easy to guess" in refusal(mine)
    assert someone_else.status_code == 201


def test_a_long_passphrase_is_accepted(client):
    passphrase = "my cat naps on the warm windowsill every single afternoon, even in winter " * 5
    reply = client.post("/api/auth/register", json={"email": "dana@example.com", "password": passphrase})
    assert reply.status_code == 201
    assert client.post("/api/auth/login", json={"email": "dana@example.com", "password": passphrase}).status_code == 200


def test_a_long_guessable_password_is_still_refused(client):
    reply = client.post("/api/auth/register", json={"email": "dana@example.com", "password": "a" * 500})
    assert "repeats" in refusal(reply)
