"""Registration control: the first account is the admin; REGISTRATION says who may sign up after it (anyone, only
with an invite link, or nobody); the admin makes invites and accounts, and nobody else can."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from shoebox.config import Settings
from shoebox.models import Invite, User, utcnow
from tests.backends import make_app
from tests.conftest import PASSWORD, Account

OTHER_PASSWORD = "another long passphrase"


@pytest.fixture
def instance(tmp_path):
    """Make an app with the given REGISTRATION on a fresh data directory."""
    apps = []

    def make(mode: str, **settings):
        app = make_app({"DATA_DIR": str(tmp_path / f"data-{len(apps)}"), "TESTING": True, "WORKER_IN_PROCESS": False,
                        "JOBS_IMMEDIATE": True, "REGISTRATION": mode, **settings})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["db"].dispose()


def _register(app, email: str, invite: str | None = None, address: str = "127.0.0.1"):
    body = {"email": email, "password": PASSWORD, **({"invite": invite} if invite is not None else {})}
    return app.test_client().post("/api/auth/register", json=body, environ_base={"REMOTE_ADDR": address})


def _invite(admin: Account, **body) -> dict:
    reply = admin.post("/api/admin/invites", json=body)
    assert reply.status_code == 201, reply.json
    return reply.json


def test_the_default_is_invite_only():
    assert Settings().REGISTRATION == "invite"


def test_the_first_account_is_the_admin_even_when_registration_is_closed(instance):
    app = instance("closed")
    first = _register(app, "owner@example.com")
    assert first.status_code == 201 and first.json["user"]["is_admin"] is True


def test_later_accounts_are_not_admins(instance):
    app = instance("open")
    Account(app, "owner@example.com")
    assert _register(app, "guest@example.com").json["user"]["is_admin"] is False


def test_open_registration_lets_anyone_sign_up(instance):
    app = instance("open")
    Account(app, "owner@example.com")
    assert _register(app, "stranger@example.com").status_code == 201


def test_invite_only_registration_refuses_sign_up_without_an_invite(instance):
    app = instance("invite")
    Account(app, "owner@example.com")
    reply = _register(app, "stranger@example.com")
    assert reply.status_code == 403 and reply.json["error"]["code"] == "invite_required"


def test_an_invite_link_lets_one_person_register_once(instance):
    app = instance("invite")
    invite = _invite(Account(app, "owner@example.com"))
    assert "/register?invite=" in invite["url"] and invite["token"] in invite["url"]
    assert _register(app, "friend@example.com", invite["token"]).status_code == 201
    again = _register(app, "friend2@example.com", invite["token"])
    assert again.status_code == 403 and again.json["error"]["code"] == "invalid_invite"


def test_the_admin_sees_who_used_an_invite(instance):
    app = instance("invite")
    admin = Account(app, "owner@example.com")
    invite = _invite(admin)
    _register(app, "friend@example.com", invite["token"])
    listed = admin.get("/api/admin/invites").json["items"]
    assert [(i["id"], i["status"], i["used_by"]) for i in listed] == [(invite["id"], "used", "friend@example.com")]


def test_a_revoked_invite_no_longer_works(instance):
    app = instance("invite")
    admin = Account(app, "owner@example.com")
    invite = _invite(admin)
    assert admin.delete(f"/api/admin/invites/{invite['id']}").status_code == 204
    assert _register(app, "friend@example.com", invite["token"]).json["error"]["code"] == "invalid_invite"
    assert admin.get("/api/admin/invites").json["items"] == []


def test_an_expired_invite_no_longer_works(instance):
    app = instance("invite")
    invite = _invite(Account(app, "owner@example.com"), days=1)
    with app.extensions["db"].transaction() as session:
        session.execute(update(Invite).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert _register(app, "late@example.com", invite["token"]).json["error"]["code"] == "invalid_invite"


def test_invite_tokens_are_long_random_and_stored_only_hashed(instance):
    app = instance("invite")
    invite = _invite(Account(app, "owner@example.com"))
    assert len(invite["token"]) >= 43  # 32 random bytes in URL-safe base64: 256 bits
    with app.extensions["db"].transaction() as session:
        stored = session.scalar(select(Invite.token_hash))
    assert invite["token"] not in stored and len(stored) == 64


def test_closed_registration_refuses_even_an_invite(instance):
    app = instance("invite")
    admin = Account(app, "owner@example.com")
    token = _invite(admin)["token"]
    app.config["SETTINGS"].REGISTRATION = "closed"
    reply = _register(app, "friend@example.com", token)
    assert reply.status_code == 403 and reply.json["error"]["code"] == "registration_closed"


def test_the_admin_creates_accounts_when_registration_is_closed(instance):
    app = instance("closed")
    admin = Account(app, "owner@example.com")
    made = admin.post("/api/admin/users", json={"email": "Aunt@Example.com", "password": OTHER_PASSWORD})
    assert made.status_code == 201 and made.json["email"] == "aunt@example.com" and not made.json["is_admin"]
    login = app.test_client().post("/api/auth/login", json={"email": "aunt@example.com", "password": OTHER_PASSWORD})
    assert login.status_code == 200


def test_admin_made_accounts_follow_the_password_rules(instance):
    app = instance("closed")
    admin = Account(app, "owner@example.com")
    reply = admin.post("/api/admin/users", json={"email": "aunt@example.com", "password": "short"})
    assert reply.status_code == 400 and reply.json["error"]["code"] == "weak_password"


def test_a_normal_user_cannot_reach_the_admin_routes(instance):
    app = instance("open")
    admin, user = Account(app, "owner@example.com"), Account(app, "user@example.com")
    invite = _invite(admin)
    replies = [user.get("/api/admin/invites"), user.post("/api/admin/invites", json={}),
               user.delete(f"/api/admin/invites/{invite['id']}"),
               user.post("/api/admin/users", json={"email": "x@example.com", "password": OTHER_PASSWORD})]
    assert [(r.status_code, r.json["error"]["code"]) for r in replies] == [(403, "admin_only")] * 4
    assert [i["id"] for i in admin.get("/api/admin/invites").json["items"]] == [invite["id"]]


def test_an_unknown_invite_id_is_404(instance):
    app = instance("invite")
    admin = Account(app, "owner@example.com")
    invite = _invite(admin)
    assert admin.delete(f"/api/admin/invites/{invite['id'] + 1}").status_code == 404
    assert admin.delete(f"/api/admin/invites/{invite['id']}").status_code == 204
    assert admin.delete(f"/api/admin/invites/{invite['id']}").status_code == 404


def test_guessing_invite_tokens_is_rate_limited_like_registration(instance):
    app = instance("invite")
    Account(app, "owner@example.com")
    replies = [_register(app, f"guess{n}@example.com", f"guess-{n}", address="10.1.2.3") for n in range(11)]
    assert [r.status_code for r in replies[:10]] == [403] * 10
    assert replies[10].status_code == 429 and replies[10].json["error"]["code"] == "rate_limited"


def test_an_invite_lasts_the_days_asked_within_limits(instance):
    app = instance("invite")
    admin = Account(app, "owner@example.com")
    assert admin.post("/api/admin/invites", json={"days": 0}).json["error"]["code"] == "invalid_days"
    assert admin.post("/api/admin/invites", json={"days": 91}).status_code == 400
    assert _invite(admin, days=30)["status"] == "pending"


def test_the_register_page_says_why_sign_up_is_not_open(instance):
    app = instance("closed")
    client = app.test_client()
    assert "Create your account" in client.get("/register").get_data(as_text=True)  # the first: the admin
    Account(app, "owner@example.com")
    assert "Registration is closed" in client.get("/register").get_data(as_text=True)
    app.config["SETTINGS"].REGISTRATION = "invite"
    assert "by invitation" in client.get("/register").get_data(as_text=True)
    assert "by invitation" not in client.get("/register?invite=abc").get_data(as_text=True)


def test_me_tells_the_admin_how_registration_is_set_and_no_one_else(instance):
    app = instance("open")
    admin, user = Account(app, "owner@example.com"), Account(app, "friend@example.com")
    assert (admin.get("/api/me").json["registration"], user.get("/api/me").json["registration"]) == ("open", None)


def test_deleting_the_admin_hands_the_role_to_the_oldest_remaining_account(instance):
    app = instance("open")
    admin, older, newer = (Account(app, f"{name}@example.com") for name in ("owner", "older", "newer"))
    assert admin.delete("/api/me", json={"password": PASSWORD}).status_code == 200
    assert (older.get("/api/me").json["is_admin"], newer.get("/api/me").json["is_admin"]) == (True, False)


def test_an_unknown_registration_setting_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="REGISTRATION must be one of open, invite, closed"):
        make_app({"DATA_DIR": str(tmp_path / "data"), "WORKER_IN_PROCESS": False, "REGISTRATION": "sometimes"})


def test_create_user_reads_the_password_from_stdin_and_makes_the_first_one_admin(instance):
    app = instance("closed")
    result = app.test_cli_runner().invoke(args=["shoebox", "create-user", "root@example.com", "--password-stdin"],
                                          input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "admin" in result.output
    second = app.test_cli_runner().invoke(args=["shoebox", "create-user", "kid@example.com", "--password-stdin"],
                                          input=f"{OTHER_PASSWORD}\n")
    assert second.exit_code == 0 and "admin" not in second.output
    with app.extensions["db"].transaction() as session:
        admins = session.scalars(select(User.email).where(User.is_admin)).all()
    assert admins == ["root@example.com"]


def test_upgrading_an_existing_install_makes_its_oldest_account_the_admin(database):
    database.upgrade("0007")
    with database.engine.begin() as connection:
        for who in ("first", "second"):
            connection.execute(text("INSERT INTO users (email, password_hash, token_version, token_key, created_at) "
                                    f"VALUES ('{who}@example.com', 'x', 0, '{who}', '2024-01-01')"))
    database.upgrade()
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT email, is_admin FROM users ORDER BY id")).all()
    assert [(email, bool(admin)) for email, admin in rows] == [("first@example.com", True),
                                                                ("second@example.com", False)]

