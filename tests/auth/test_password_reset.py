"""Password reset by an emailed single-use link, through a real SMTP server on loopback."""

from __future__ import annotations

import re
import socket
import threading
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, update

from shoebox.models import ResetToken, utcnow
from tests.backends import make_app
from tests.conftest import PASSWORD, Account
from tests.waiting import wait_until

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
def make_mail_app(tmp_path, smtp):
    """Apps that mail through the loopback SMTP server, with `settings` on top."""
    _inbox, port = smtp
    apps = []

    def make(**settings):
        app = make_app({"DATA_DIR": str(tmp_path / f"data{len(apps)}"), "WORKER_IN_PROCESS": False,
                        "SMTP_SERVER": "127.0.0.1", "SMTP_PORT": port, "SMTP_USE_TLS": False,
                        "MAIL_FROM": "shoebox@test.example", **settings})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["outbox"].wait(10)  # no mail work left touching the database
        app.extensions["db"].dispose()


@pytest.fixture
def mail_app(make_mail_app):
    return make_mail_app(PUBLIC_URL="http://photos.test.example")


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
    unknown, known = ask_reset(client, "nobody@example.com"), ask_reset(client, "erin@example.com")
    mail_app.extensions["outbox"].wait(30)  # the mail work of both requests, in the background, is done
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


def logged_reset_link(app, email: str, caplog) -> str:
    """Ask for a reset on an app without SMTP and return the link its log shows (the only line with it)."""
    with caplog.at_level("WARNING", logger="shoebox.mail"):
        caplog.clear()
        ask_reset(app.test_client(), email)
        app.extensions["outbox"].wait(10)
    lines = [line for line in caplog.text.splitlines() if "/reset-password?token=" in line]
    assert len(lines) == 1, caplog.text
    return lines[0].strip()


def test_without_smtp_the_logged_link_works_as_copied(app, alice, caplog):
    link = logged_reset_link(app, alice.email, caplog)
    assert re.fullmatch(r"http://localhost/reset-password\?token=[\w-]{43}", link), link
    client = app.test_client()
    assert client.get(link.removeprefix("http://localhost")).status_code == 200
    token = link.split("token=")[1]
    confirm = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert confirm.status_code == 200
    assert client.post("/api/auth/login", json={"email": alice.email, "password": NEW_PASSWORD}).status_code == 200


def sql_run_by_this_thread(engine, action) -> list[str]:
    """The SQL statements `action` runs in the calling thread (a test client request runs in it)."""
    statements, me = [], threading.get_ident()

    def record(_conn, _cursor, statement, *_args):
        if threading.get_ident() == me:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def test_reset_request_does_the_same_database_work_for_known_and_unknown_emails(mail_app, smtp):
    inbox, _port = smtp
    Account(mail_app, "erin@example.com")
    client, engine = mail_app.test_client(), mail_app.extensions["db"].engine
    known = sql_run_by_this_thread(engine, lambda: ask_reset(client, "erin@example.com"))
    unknown = sql_run_by_this_thread(engine, lambda: ask_reset(client, "nobody@example.com"))
    assert known == unknown
    assert inbox.wait_for(1)["To"] == "erin@example.com"  # the lookup and the mail happened off the request


@pytest.mark.parametrize("settings", [{}, {"TRUSTED_HOSTS": ""}], ids=["default", "empty TRUSTED_HOSTS"])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "localhost.evil.example", "localhost@evil.example",
                                  "evil.example/localhost"])
def test_a_forged_host_is_refused_and_never_reaches_a_mail(make_mail_app, smtp, host, settings):
    inbox, _port = smtp
    app = make_mail_app(**settings)  # PUBLIC_URL empty: links come from the request; "" must not mean "any host"
    Account(app, "erin@example.com")
    client = app.test_client()
    forged = client.post("/api/auth/password-reset", json={"email": "erin@example.com"}, headers={"Host": host})
    assert forged.status_code == 400 and forged.json["error"]["code"] == "untrusted_host"
    app.extensions["outbox"].wait(10)
    assert inbox.messages == []


def test_forwarded_host_headers_do_not_reach_the_link(make_mail_app, smtp):
    inbox, _port = smtp
    app = make_mail_app()
    Account(app, "erin@example.com")
    headers = {"Host": "localhost:5000", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
               "Forwarded": "host=evil.example;proto=https"}
    assert app.test_client().post("/api/auth/password-reset", json={"email": "erin@example.com"},
                                  headers=headers).status_code == 202
    assert reset_link(inbox.wait_for(1)).startswith("http://localhost:5000/reset-password?token=")


def test_a_trusted_host_builds_the_link_when_public_url_is_empty(make_mail_app, smtp):
    inbox, _port = smtp
    app = make_mail_app(TRUSTED_HOSTS="localhost,photos.lan")
    Account(app, "erin@example.com")
    reply = app.test_client().post("/api/auth/password-reset", json={"email": "erin@example.com"},
                                   headers={"Host": "photos.lan:8000"})
    assert reply.status_code == 202
    assert reset_link(inbox.wait_for(1)).startswith("http://photos.lan:8000/reset-password?token=")


def test_public_url_builds_the_link_whatever_host_is_sent(make_mail_app, smtp):
    inbox, _port = smtp
    app = make_mail_app(TRUSTED_HOSTS="*", PUBLIC_URL="http://photos.example.org")
    Account(app, "erin@example.com")
    reply = app.test_client().post("/api/auth/password-reset", json={"email": "erin@example.com"},
                                   headers={"Host": "evil.example"})
    assert reply.status_code == 202
    assert reset_link(inbox.wait_for(1)).startswith("http://photos.example.org/reset-password?token=")


def test_any_host_allowed_and_no_public_url_mails_no_link(make_mail_app, smtp, caplog):
    inbox, _port = smtp
    app = make_mail_app(TRUSTED_HOSTS="*")
    Account(app, "erin@example.com")
    reply = app.test_client().post("/api/auth/password-reset", json={"email": "erin@example.com"},
                                   headers={"Host": "evil.example"})
    assert reply.status_code == 202  # the same answer: the requester learns nothing
    app.extensions["outbox"].wait(10)
    assert inbox.messages == [] and "set PUBLIC_URL" in caplog.text
