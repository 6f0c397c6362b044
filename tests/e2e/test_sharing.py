"""A share link in a real browser, on a phone and on a desktop screen: the owner makes one from an album page with
a password, finds it on the Account page; someone with no account opens it in a fresh browser, is asked the
password, sees the grid and steps through the full-screen viewer; a link without downloads shows no download."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import sync_api
from tests.e2e.test_albums import upload_three
from tests.e2e.test_browser_flow import Shots, Watch, sign_up

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect
PASSWORD = "lighthouse"
#: What a recipient's browser is meant to be refused: the link before its password, and a wrong password.
EXPECTED = re.compile(r"HTTP 401: (GET|POST) \S+/api/shared/[\w-]+(/unlock)?$|status of 401")


def api_post(page, path: str, body: dict) -> dict:
    """A JSON POST from the signed-in owner's browser (cookies, and the CSRF header a page's script sends)."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")
    reply = page.request.post(path, data=body, headers={"X-CSRF-TOKEN": csrf})
    assert reply.ok, reply.text()
    return reply.json()


def share_the_album(page, shot, ids: dict[str, int]) -> str:
    album = api_post(page, "/api/albums", {"name": "Harbour days", "ids": [ids["harbour.jpg"], ids["lake.jpg"]]})
    page.goto(f"/albums/{album['id']}")
    page.get_by_role("button", name="Share").click()
    dialog = page.get_by_role("dialog", name="Share a link")
    expect(dialog.get_by_label("Allow downloading the originals")).to_be_checked()
    expect(dialog.get_by_label("Show where the photos were taken (GPS and places)")).not_to_be_checked()
    dialog.get_by_label("Password (optional)").fill(PASSWORD)
    dialog.get_by_label("Expires").select_option(label="In a week")
    shot("share-dialog")
    dialog.get_by_role("button", name="Create link").click()
    link = dialog.get_by_label("Link")
    expect(link).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/s/[\w-]{43}$"))
    shot("share-link-made")
    url = link.input_value()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    return url


def see_it_on_the_account_page(page, shot, url: str) -> None:
    page.goto("/account")
    links = page.get_by_role("list", name="Your shared links")
    expect(links.get_by_role("listitem")).to_have_count(1)
    expect(links).to_contain_text("Harbour days")
    expect(links).to_contain_text("2 photos · 0 views")
    expect(links).to_contain_text("password")
    links.scroll_into_view_if_needed()
    shot("account-shared-links")


def open_as_a_stranger(browser, live_server, viewport, url: str, shots) -> list[str]:
    """The link in a fresh browser context: no account, no cookies. The problems its page met, unexpected ones."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=width < 600)
    context.set_default_timeout(10000)
    page = context.new_page()
    watch = Watch(page)
    shot = Shots(page, shots)
    try:
        reply = page.goto(url)
        assert reply.status == 200
        assert reply.headers["referrer-policy"] == "no-referrer"
        assert reply.headers["x-robots-tag"] == "noindex, nofollow"
        ask_for_the_password(page, shot)
        browse_the_grid(page, shot)
        step_through_the_viewer(page, shot)
    finally:
        context.close()
    return [problem for problem in watch.problems if not EXPECTED.search(problem)]


def ask_for_the_password(page, shot) -> None:
    expect(page.get_by_role("heading", name="This link is protected")).to_be_visible()
    expect(page.locator("[data-shared-grid] a.tile")).to_have_count(0)
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("alert")).to_have_text("That is not the password of this link.")
    shot("password-prompt")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Open").click()


def browse_the_grid(page, shot) -> None:
    expect(page.get_by_role("heading", name="Harbour days")).to_be_visible()
    expect(page.get_by_text("2 photos")).to_be_visible()
    tiles = page.locator("[data-shared-grid] a.tile")
    expect(tiles).to_have_count(2)
    for tile in tiles.all():
        expect(tile.locator("img")).to_have_js_property("complete", True)
        assert "/api/photos/" not in tile.locator("img").get_attribute("src")  # never a signed-in route
    expect(page).to_have_title("Harbour days · Shared photos")
    assert "Upload photos" not in page.content()  # none of the signed-in chrome
    shot("shared-grid")


def step_through_the_viewer(page, shot) -> None:
    page.locator("[data-shared-grid] a.tile").first.click()
    viewer = page.get_by_role("dialog", name="Photo viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator("[data-viewer-position]")).to_have_text("1 / 2")
    expect(viewer.locator("[data-viewer-img]")).to_have_js_property("complete", True)
    expect(viewer.get_by_role("link", name="Download original")).to_be_visible()
    details = viewer.locator("[data-viewer-details]")
    expect(details).to_contain_text("FUJIFILM X-T4")  # the harbour, newest: its camera, no place
    shot("viewer-first")
    viewer.get_by_role("button", name="Next photo").click()
    expect(viewer.locator("[data-viewer-position]")).to_have_text("2 / 2")
    expect(viewer.locator("[data-viewer-next]")).to_be_disabled()  # and out of sight
    page.keyboard.press("ArrowLeft")
    expect(viewer.locator("[data-viewer-position]")).to_have_text("1 / 2")
    shot("viewer-back")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()


def no_download_link_without_downloads(browser, page, ids: dict[str, int], shots) -> None:
    """A link without downloads: the viewer shows no download button."""
    made = api_post(page, "/api/shares", {"ids": [ids["forest.jpg"]], "allow_download": False, "title": "Forest"})
    context = browser.new_context(viewport=page.viewport_size)
    stranger = context.new_page()
    try:
        stranger.goto(made["url"])
        stranger.locator("[data-shared-grid] a.tile").first.click()
        viewer = stranger.get_by_role("dialog", name="Photo viewer")
        expect(viewer.locator("[data-viewer-img]")).to_have_js_property("complete", True)
        expect(viewer.get_by_role("link", name="Download original")).to_be_hidden()
        Shots(stranger, shots)("viewer-no-download")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
def test_share_an_album_and_open_the_link_with_no_account(browser, live_server, screenshots, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url,
                                  has_touch=width < 600)
    context.set_default_timeout(10000)
    page = context.new_page()
    watch = Watch(page)
    folder = screenshots / f"{width}x{height}-sharing"
    shot = Shots(page, folder / "owner")
    try:
        sign_up(page, shot, f"sharing{width}@example.com")
        ids = upload_three(page)
        url = share_the_album(page, shot, ids)
        see_it_on_the_account_page(page, shot, url)
        problems = open_as_a_stranger(browser, live_server, viewport, url, folder / "recipient")
        page.reload()
        expect(page.get_by_role("list", name="Your shared links")).to_contain_text("2 photos · 1 view")
        no_download_link_without_downloads(browser, page, ids, folder / "no-download")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not watch.problems, "\n".join(watch.problems)
