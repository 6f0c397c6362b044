"""Password reset by an emailed single-use link, through a real SMTP server on loopback."""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from shoebox.models import ResetToken, utcnow
from tests.backends import make_app
from tests.conftest import PASSWORD, Account
from tests.waiting import threads_finished, wait_until

NEW_PASSWORD = "a brand new secret"


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, _server, _session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10.0):
        wait_until(lambda: len(self.messages) >= count, f"mail number {count} (got {len(self.messages)})", timeout)
        return self.messages[count - 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def mail_app(tmp_path, smtp):
    _inbox, port = smtp
    app = make_app({"DATA_DIR": str(tmp_path / "data"), "WORKER_IN_PROCESS": False, "SMTP_SERVER": "127.0.0.1",
                      "SMTP_PORT": port, "SMTP_USE_TLS": False, "MAIL_FROM": "shoebox@test.example",
                      "PUBLIC_URL": "http://photos.test.example"})
    yield app
    app.extensions["db"].dispose()


def reset_link(message) -> str:
    match = re.search(r"(http://\S+/reset-password\?token=(\S+))", message.get_payload(decode=True).decode())
    assert match, message.as_string()
    return match.group(1)


def ask_reset(client, email: str):
    return client.post("/api/auth/password-reset", json={"email": email})


def test_reset_link_arrives_by_mail_and_sets_a_new_password(mail_app, smtp):
    inbox, _port = smtp
    user = Account(mail_app, "erin@example.com")
    client = mail_app.test_client()
    assert ask_reset(client, "Erin@Example.com").status_code == 202
    message = inbox.wait_for(1)
    assert message["To"] == "erin@example.com" and message["From"] == "shoebox@test.example"
    link = reset_link(message)
    assert link.startswith("http://photos.test.example/reset-password?token=")
    page = client.get(link.removeprefix("http://photos.test.example"))
    assert page.status_code == 200
    token = link.split("token=")[1]
    confirm = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert confirm.status_code == 200
    assert client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 401
    assert client.post("/api/auth/login", json={"email": user.email, "password": NEW_PASSWORD}).status_code == 200
    old_refresh = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {user.tokens['refresh_token']}"})
    assert old_refresh.status_code == 401  # every other session was signed out


def test_reset_link_cannot_be_used_twice(mail_app, smtp):
    inbox, _port = smtp
    Account(mail_app, "erin@example.com")
    client = mail_app.test_client()
    ask_reset(client, "erin@example.com")
    token = reset_link(inbox.wait_for(1)).split("token=")[1]
    first = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    second = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": "another one 123"})
    assert first.status_code == 200
    assert second.status_code == 400 and second.json["error"]["code"] == "invalid_token"


def test_a_later_reset_voids_the_earlier_link(mail_app, smtp):
    inbox, _port = smtp
    Account(mail_app, "erin@example.com")
    client = mail_app.test_client()
    ask_reset(client, "erin@example.com")
    first = reset_link(inbox.wait_for(1)).split("token=")[1]
    ask_reset(client, "erin@example.com")
    second = reset_link(inbox.wait_for(2)).split("token=")[1]
    assert client.post("/api/auth/password-reset/confirm",
                       json={"token": first, "password": NEW_PASSWORD}).status_code == 400
    assert client.post("/api/auth/password-reset/confirm",
                       json={"token": second, "password": NEW_PASSWORD}).status_code == 200


def test_expired_link_is_refused(mail_app, smtp):
    inbox, _port = smtp
    Account(mail_app, "erin@example.com")
    client = mail_app.test_client()
    ask_reset(client, "erin@example.com")
    token = reset_link(inbox.wait_for(1)).split("token=")[1]
    with mail_app.app_context():
        db = mail_app.extensions["db"]
        with db.transaction() as session:
            session.execute(update(ResetToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    reply = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert reply.status_code == 400


def test_unknown_email_gets_the_same_answer_and_no_mail(mail_app, smtp):
    inbox, _port = smtp
    Account(mail_app, "erin@example.com")
    client = mail_app.test_client()
    with threads_finished():  # mails go out from background threads: every one started has been delivered
        unknown, known = ask_reset(client, "nobody@example.com"), ask_reset(client, "erin@example.com")
    assert (unknown.status_code, unknown.json) == (known.status_code, known.json)
    inbox.wait_for(1)
    assert [m["To"] for m in inbox.messages] == ["erin@example.com"]


def test_token_is_stored_only_as_a_hash(mail_app, smtp):
    inbox, _port = smtp
    Account(mail_app, "erin@example.com")
    ask_reset(mail_app.test_client(), "erin@example.com")
    token = reset_link(inbox.wait_for(1)).split("token=")[1]
    with mail_app.app_context():
        stored = [row.token_hash for row in mail_app.extensions["db"].session().query(ResetToken)]
    assert stored and token not in stored


def test_bad_tokens_and_weak_passwords_are_refused(mail_app):
    client = mail_app.test_client()
    for body in ({"token": "made-up", "password": NEW_PASSWORD}, {"token": "", "password": NEW_PASSWORD}, {}):
        assert client.post("/api/auth/password-reset/confirm", json=body).status_code == 400


def test_without_smtp_the_mail_goes_to_the_log(app, alice, caplog):
    with caplog.at_level("WARNING", logger="shoebox.mail"):
        ask_reset(app.test_client(), alice.email)
        wait_until(lambda: "reset-password?token=" in caplog.text, "the reset link in the log", timeout=5)
    assert "reset-password?token=" in caplog.text
