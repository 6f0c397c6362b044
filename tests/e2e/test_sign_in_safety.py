"""In Chromium: signing in never leads off this site, whatever `next` says, and the sign-up page says why a
password was refused."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import serving, sync_api

expect = sync_api.expect
EMAIL = "walker@example.com"
#: `next` values a browser resolves to another host (it drops tab/CR/LF and reads "\" as "/").
HOSTILE = ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example/", "/\\evil.example", "/\t\\evil.example",
           "\\\\evil.example", "//evil.example", "https://evil.example/"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # Many sign-ins of one account in a minute: more than the default limit allows.
    with serving(tmp_path_factory.mktemp("sign-in-safety") / "data", AUTH_RATE_LIMIT_PER_MINUTE=1000) as live:
        reply = live.app.test_client().post("/api/auth/register", json={"email": EMAIL, "password": PASSWORD})
        assert reply.status_code == 201, reply.json
        yield live


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(8000)
    # Should the page ever be led to the attacker's host, it lands on a page that says so (no network here).
    context.route(re.compile(r"^https?://evil\.example"), lambda route: route.fulfill(body="evil", status=200))
    yield context.new_page()
    context.close()


def sign_in(page) -> None:
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def assert_on_this_site(page, server, path: str) -> None:
    here = urlsplit(page.url)
    assert (here.scheme, here.netloc, here.path) == ("http", urlsplit(server.url).netloc, path), page.url


@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_signing_in_with_a_hostile_next_stays_on_this_site(page, server, target):
    page.goto(f"/login?next={quote(target, safe='')}")
    sign_in(page)
    assert_on_this_site(page, server, "/")


@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_the_sign_in_script_itself_refuses_a_hostile_next(page, server, target):
    page.goto("/login")
    page.eval_on_selector("input[name=next]", "(field, value) => { field.value = value; }", target)
    sign_in(page)
    assert_on_this_site(page, server, "/")


def test_signing_in_goes_on_to_a_path_of_this_site(page, server):
    page.goto(f"/login?next={quote('/jobs?from=login', safe='')}")
    sign_in(page)
    assert_on_this_site(page, server, "/jobs")
    assert urlsplit(page.url).query == "from=login"


def test_sign_up_page_says_why_a_password_was_refused(page):
    page.goto("/register")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password").fill("1234567890")
    page.get_by_role("button", name="Create account").click()
    error = page.locator("[data-field-error=password]")
    expect(error).to_contain_text("This password is too easy to guess. This is a top-100 common password.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    assert urlsplit(page.url).path == "/register"


@pytest.mark.parametrize("path", ["/login", "/register", "/forgot-password", "/reset-password?token=t"])
def test_a_sign_in_form_cannot_be_sent_before_its_script_runs(page, path):
    """Sent by the browser itself, the form would put the password in the address (a GET to the page)."""
    page.route("**/static/js/app.js", lambda route: route.abort())
    page.goto(path)
    expect(page.locator("[data-auth-form] button[type=submit]")).to_be_disabled()
