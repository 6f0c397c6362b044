"""In a real browser: the place and person filters suggest the user's own values as they type."""

from __future__ import annotations

import pytest

from shoebox.models import Photo
from tests.conftest import PASSWORD, Account, make_jpeg
from tests.e2e.conftest import serving, sync_api
from tests.e2e.test_browser_flow import Watch

expect = sync_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("e2e-suggest") / "data") as server:
        yield server


def _placed(server, account: Account, city: str, country: str) -> None:
    photo_id = account.upload_one(f"{city}.jpg", make_jpeg())["id"]
    with server.app.extensions["db"].make_session() as session:
        photo = session.get(Photo, photo_id)
        photo.city, photo.country = city, country
        session.commit()


def test_typing_a_place_offers_the_users_own_places(browser, server):
    alice, bob = Account(server.app, "alice@example.com"), Account(server.app, "bob@example.com")
    _placed(server, alice, "Paris", "France")
    _placed(server, bob, "Paramaribo", "Suriname")
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(8000)
    page = context.new_page()
    watch = Watch(page)
    try:
        reply = page.request.post("/api/auth/login", data={"email": "alice@example.com", "password": PASSWORD})
        assert reply.ok, reply.text()
        page.goto("/search?q=x")
        page.wait_for_load_state("networkidle")  # the page script is running
        if page.locator("[data-filters]").is_hidden():
            page.locator("[data-filters-toggle]").click()
        page.get_by_label("Place").press_sequentially("par")
        options = page.locator("#filter-place-suggestions option")
        expect(options).to_have_count(1)
        assert options.first.get_attribute("value") == "Paris"
        assert watch.problems == []
    finally:
        context.close()
