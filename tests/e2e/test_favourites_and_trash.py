"""Favourites and Trash in a real browser, on a phone and on a desktop screen, light and dark: the heart on a tile
and on the photo page, the Favourites view, delete -> Trash -> restore, delete for good and empty trash, each
asked first in the app's own dialog (never the browser's confirm())."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import sync_api
from tests.e2e.test_browser_flow import Shots, Watch, show_pages, sign_up, three_photos

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect


def upload(page) -> dict[str, int]:
    """The three photos of the browser flow, sent by the page's own session; their ids by file name."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")
    for file in three_photos():
        reply = page.request.post("/api/photos", multipart={"files": file}, headers={"X-CSRF-TOKEN": csrf})
        assert reply.status == 201, reply.text()
    return {p["filename"]: p["id"] for p in page.request.get("/api/photos").json()["items"]}


def open_menu_page(page, name: str) -> None:
    """Go to a page by its link in the navigation (the header's menu on a phone)."""
    show_pages(page).get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def hearts(page, shot, ids: dict[str, int], phone: bool) -> None:
    """A heart on a tile, one on the photo page, and the Favourites view with a heart taken off there."""
    page.goto("/")
    tile = page.locator(f'[data-grid] a.tile[data-id="{ids["lake.jpg"]}"]')
    heart = tile.get_by_role("button", name="Favourite")
    if not phone:
        expect(heart).to_have_css("opacity", "0")  # a mouse screen shows it on hover
        tile.hover()
    expect(heart).to_be_visible()
    expect(heart).to_have_attribute("aria-pressed", "false")
    heart.click()
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"/$"))  # the heart is no visit
    shot("tile-heart")
    assert page.request.get(f"/api/photos/{ids['lake.jpg']}").json()["favourite"] is True

    page.goto(f"/photos/{ids['harbour.jpg']}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    on_page = page.get_by_role("button", name="Favourite")
    expect(on_page).to_have_attribute("aria-pressed", "false")
    on_page.click()
    expect(on_page).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    shot("photo-heart")

    open_menu_page(page, "Favourites")
    tiles = page.locator("[data-favourites] a.tile")
    expect(tiles).to_have_count(2)
    expect(page.get_by_text("2 photos")).to_be_visible()
    shot("favourites")
    page.locator(f'a.tile[data-id="{ids["lake.jpg"]}"]').get_by_role("button", name="Favourite").click()
    expect(tiles).to_have_count(1)
    assert page.request.get(f"/api/photos/{ids['lake.jpg']}").json()["favourite"] is False
    tiles.first.click()
    page.wait_for_url(f"**/photos/{ids['harbour.jpg']}")

    page.goto("/")
    page.get_by_role("button", name="Filters").click()
    page.get_by_label("Favourites").select_option(label="Favourites")
    page.wait_for_url(re.compile(r"/search\?favourite=true$"))
    expect(page.locator("[data-grid] a.tile")).to_have_count(1)
    expect(page.locator(f'[data-grid] a.tile[data-id="{ids["harbour.jpg"]}"]')).to_be_visible()
    shot("search-favourites")


def delete_and_restore(page, shot, ids: dict[str, int]) -> None:
    """Delete from the photo page moves the photo to Trash, whence it comes back with its heart."""
    page.goto(f"/photos/{ids['harbour.jpg']}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    page.get_by_role("button", name="Delete photo").click()
    dialog = page.get_by_role("dialog", name="Move this photo to Trash?")
    expect(dialog).to_contain_text("stays in Trash for 30 days")
    dialog.get_by_role("button", name="Move to Trash").click()
    page.wait_for_url(lambda url: not url.endswith(f"/photos/{ids['harbour.jpg']}"))

    open_menu_page(page, "Trash")
    picks = page.locator("[data-trash] li")
    expect(picks).to_have_count(1)
    photo = page.get_by_role("checkbox", name=re.compile(r"harbour\.jpg Deleted in 30 days"))
    expect(page.get_by_text("1 photo in Trash")).to_be_visible()
    expect(page.get_by_role("button", name="Restore")).to_be_disabled()
    page.locator("label", has_text="harbour.jpg").click()  # the picture is the (visually hidden) box's label
    expect(photo).to_be_checked()
    expect(page.get_by_text("1 photo selected")).to_be_visible()
    shot("trash-selected")
    page.get_by_role("button", name="Restore").click()
    expect(picks).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("1 photo restored to your library.")
    expect(page.get_by_role("heading", name="Trash is empty")).to_be_visible()
    restored = page.request.get(f"/api/photos/{ids['harbour.jpg']}")
    assert restored.status == 200 and restored.json()["favourite"] is True


def delete_for_good(page, shot, ids: dict[str, int]) -> None:
    """Two photos in Trash: one deleted for good when picked, then the Trash emptied; each asked first."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")
    for name in ("lake.jpg", "forest.jpg"):
        assert page.request.delete(f"/api/photos/{ids[name]}", headers={"X-CSRF-TOKEN": csrf}).status == 204
    page.goto("/trash")
    picks = page.locator("[data-trash] li")
    expect(picks).to_have_count(2)
    shot("trash")
    page.locator("label", has_text="lake.jpg").click()
    page.get_by_role("button", name="Delete for good").click()
    dialog = page.get_by_role("dialog", name="Delete 1 photo for good?")
    expect(dialog).to_be_visible()
    shot("trash-delete-confirm")
    dialog.get_by_role("button", name="Delete for good").click()
    expect(picks).to_have_count(1)
    expect(page.get_by_role("status")).to_have_text("1 photo deleted for good.")

    page.get_by_role("button", name="Empty trash").click()
    dialog = page.get_by_role("dialog", name="Empty the Trash?")
    expect(dialog).to_be_visible()
    shot("empty-trash-confirm")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(picks).to_have_count(1)
    page.get_by_role("button", name="Empty trash").click()
    dialog.get_by_role("button", name="Empty trash").click()
    expect(page.get_by_role("heading", name="Trash is empty")).to_be_visible()
    assert page.request.get("/api/trash").json()["items"] == []
    assert [p["id"] for p in page.request.get("/api/photos").json()["items"]] == [ids["harbour.jpg"]]


def upload_what_is_in_trash(page, shot, ids: dict[str, int]) -> None:
    """Uploading a file that is in Trash makes no second copy: the upload list says so and offers a restore."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")
    page.request.delete(f"/api/photos/{ids['harbour.jpg']}", headers={"X-CSRF-TOKEN": csrf})
    page.goto("/")
    expect(page.get_by_role("heading", name="Your shoebox is empty")).to_be_visible()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload photos").first.click()
    chooser.value.set_files([f for f in three_photos() if f["name"] == "harbour.jpg"])
    panel = page.locator("[data-upload-panel]")
    expect(panel.get_by_text("Already here, in Trash")).to_be_visible()
    shot("upload-in-trash")
    panel.get_by_role("button", name="Restore").click()
    expect(panel.get_by_role("link", name="Restored from Trash")).to_be_visible()
    expect(page.locator(f'[data-grid] a.tile[data-id="{ids["harbour.jpg"]}"]')).to_be_visible()
    assert page.request.get("/api/trash").json()["items"] == []


def dark(page, shot, ids: dict[str, int]) -> None:
    """The same pages in dark mode, with something on them."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")
    page.emulate_media(color_scheme="dark")
    page.goto("/favourites")
    expect(page.locator("[data-favourites] a.tile")).to_have_count(1)
    shot("favourites-dark")
    page.goto("/")
    expect(page.locator("[data-grid] a.tile")).to_have_count(1)
    shot("library-heart-dark")
    page.request.delete(f"/api/photos/{ids['harbour.jpg']}", headers={"X-CSRF-TOKEN": csrf})
    page.goto("/trash")
    page.locator("label", has_text="harbour.jpg").click()
    shot("trash-dark")
    page.get_by_role("button", name="Empty trash").click()
    shot("empty-trash-confirm-dark")


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
def test_favourites_and_trash(browser, live_server, screenshots, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url,
                                  has_touch=width < 600)
    context.set_default_timeout(8000)
    page = context.new_page()
    watch = Watch(page)
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    shot = Shots(page, screenshots / f"{width}x{height}-favourites-trash")
    try:
        sign_up(page, shot, f"keeper{width}@example.com")
        ids = upload(page)
        hearts(page, shot, ids, phone=width < 600)
        delete_and_restore(page, shot, ids)
        delete_for_good(page, shot, ids)
        upload_what_is_in_trash(page, shot, ids)
        dark(page, shot, ids)
    finally:
        context.close()
    assert native == [], "the browser's own dialogs were used"
    assert not watch.problems, "\n".join(watch.problems)
