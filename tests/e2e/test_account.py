"""The Account page and registration control in a real browser, on a phone and a desktop screen, light and dark:
the first account is the admin, who invites a friend by link; the friend signs up with it, changes their
password and deletes their account through the page's dialog; the admin signs out on every device."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import serving, sync_api
from tests.e2e.test_browser_flow import Shots, show_pages, sign_up

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect
NEW_PASSWORD = "a brand new secret"
# Expected error answers: the wrong passwords typed on purpose.
EXPECTED = {("POST", "/api/auth/password", 401), ("DELETE", "/api/me", 401), ("POST", "/api/auth/login", 401)}


def _watch(page) -> list[str]:
    """Console errors, page errors and error answers of a page, but for the wrong passwords typed on purpose."""
    problems: list[str] = []

    def response(reply) -> None:
        path = re.sub(r"^https?://[^/]+", "", reply.url).split("?")[0]
        if reply.status >= 400 and (reply.request.method, path, reply.status) not in EXPECTED:
            problems.append(f"HTTP {reply.status}: {reply.request.method} {reply.url}")

    page.on("response", response)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda m: m.type == "error" and "status of 401" not in m.text
            and problems.append(f"console error: {m.text}"))
    return problems


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
def test_admin_invites_a_friend_who_manages_and_deletes_their_account(browser, tmp_path, screenshots, viewport):
    width, height = viewport
    with serving(tmp_path / "data", REGISTRATION="invite") as server:
        admin_context = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url,
                                            has_touch=width < 600)
        friend_context = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url,
                                             has_touch=width < 600)
        for context in (admin_context, friend_context):
            context.set_default_timeout(8000)
        admin, friend = admin_context.new_page(), friend_context.new_page()
        watches = [_watch(admin), _watch(friend)]
        shot = Shots(admin, screenshots / f"{width}x{height}-account")
        try:
            expect_first_account_notice(admin)
            sign_up(admin, shot, "owner@example.com")
            url = invite_a_friend(admin, shot)
            friend_signs_up(friend, shot, url)
            admin.reload()
            expect(admin.locator("[data-invite-list]")).to_contain_text("Used by friend@example.com")
            friend_changes_password(friend, shot)
            friend_deletes_account(friend, shot)
            admin.emulate_media(color_scheme="dark")
            admin.wait_for_timeout(400)  # the buttons' and fields' colour transitions
            shot("account-dark")
            admin.emulate_media(color_scheme="light")
            sign_out_everywhere(admin, shot)
        finally:
            admin_context.close()
            friend_context.close()
    problems = [problem for watch in watches for problem in watch]
    assert not problems, "\n".join(problems)


def expect_first_account_notice(page) -> None:
    page.goto("/register")
    expect(page.get_by_text("The first account is this Shoebox's administrator")).to_be_visible()


def invite_a_friend(page, shot) -> str:
    show_pages(page).get_by_role("link", name="Account").click()
    page.wait_for_url("**/account")
    expect(page.get_by_role("heading", name="Account", level=1)).to_be_visible()
    expect(page.locator("[data-account-email]")).to_have_text("owner@example.com")
    expect(page.get_by_text("administrator of this Shoebox")).to_be_visible()
    expect(page.locator("[data-account-photos]")).to_have_text("0")
    expect(page.get_by_text("New people need an invite link from you")).to_be_visible()
    shot("account", full_page=True)
    page.get_by_role("button", name="Create an invite link").click()
    link = page.get_by_label("New invite link")
    expect(link).to_have_value(re.compile(r"/register\?invite=[\w-]{43}$"))
    expect(page.locator("[data-invite-list] li")).to_have_count(1)
    expect(page.locator("[data-invite-list]")).to_contain_text("Not used yet")
    shot("account-invite")
    return link.input_value()


def friend_signs_up(page, shot, url: str) -> None:
    page.goto("/register")
    expect(page.get_by_role("heading", name="Sign-up is by invitation")).to_be_visible()
    expect(page.get_by_role("button", name="Create account")).to_have_count(0)
    shot("register-by-invitation")
    page.goto(url)
    expect(page.get_by_text("You were invited to this Shoebox.")).to_be_visible()
    page.get_by_label("Email").fill("friend@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", name="Your shoebox is empty")).to_be_visible()


def friend_changes_password(page, shot) -> None:
    page.goto("/account")
    expect(page.locator("[data-account-email]")).to_have_text("friend@example.com")
    expect(page.get_by_text("administrator of this Shoebox")).to_be_hidden()
    expect(page.get_by_role("heading", name="People on this Shoebox")).to_be_hidden()
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("[data-field-error=current_password]")).to_have_text("The current password is wrong.")
    assert page.url.endswith("/account")  # a wrong password is an answer, not a session that ended
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed. Your other devices are signed out.")).to_be_visible()
    shot("password-changed")


def friend_deletes_account(page, shot) -> None:
    page.get_by_role("button", name="Delete my account…").click()
    dialog = page.get_by_role("dialog", name="Delete your account?")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Password").fill(PASSWORD)  # the old one: wrong now
    dialog.get_by_role("button", name="Delete account").click()
    expect(dialog.get_by_text("That is not your password.")).to_be_visible()
    shot("delete-account-dialog")
    dialog.get_by_label("Password").fill(NEW_PASSWORD)
    dialog.get_by_role("button", name="Delete account").click()
    page.wait_for_url("**/login")
    reply = page.request.post("/api/auth/login", data={"email": "friend@example.com", "password": NEW_PASSWORD})
    assert reply.status == 401


def sign_out_everywhere(page, shot) -> None:
    page.goto("/account")
    # The page has loaded what it shows (the invite list comes last) before the click signs every device out;
    # a list still loading then would be answered 401, as it should be. The friend has deleted their account.
    expect(page.locator("[data-invite-list]")).to_contain_text("Used by a deleted account")
    page.get_by_role("button", name="Sign out on all devices").click()
    page.wait_for_url("**/login")
    page.goto("/account")
    page.wait_for_url("**/login?next=/account")
