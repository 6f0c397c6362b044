"""Albums in a real browser, on a phone and on a desktop screen, light and dark: make one from a photo's page,
add another photo, find it on the Albums page, open it, change its order, rename and describe it, delete it
(its photos stay)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import sync_api
from tests.e2e.test_browser_flow import Shots, Watch, show_pages, sign_up, three_photos

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect


def upload_three(page) -> dict[str, int]:
    """harbour (June 21 2024), lake (June 2 2024), forest (October 2023): their ids by file name."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload photos").click()
    chooser.value.set_files(three_photos())
    panel = page.locator("[data-upload-panel]")
    expect(panel.get_by_role("heading")).to_have_text("3 uploaded")
    panel.get_by_role("button", name="Close the upload list").click()
    return {p["filename"]: p["id"] for p in page.request.get("/api/photos").json()["items"]}


def make_album_from_the_photo_page(page, shot, ids: dict[str, int]) -> None:
    page.goto(f"/photos/{ids['harbour.jpg']}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    albums = page.locator("[data-photo-albums]")
    expect(albums).to_contain_text("In no album yet.")
    albums.get_by_role("button", name="New album").click()
    dialog = page.get_by_role("dialog", name="New album")
    dialog.get_by_label("Name").fill("Summer trip")
    shot("photo-new-album-dialog")
    dialog.get_by_role("button", name="Create album").click()
    expect(dialog).to_be_hidden()
    expect(albums.get_by_role("link", name="Summer trip")).to_be_visible()
    # Another photo joins it from its own page, through the list of albums it is not in yet.
    page.goto(f"/photos/{ids['forest.jpg']}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    albums.get_by_label("Album to add this photo to").select_option(label="Summer trip")
    albums.get_by_role("button", name="Add to album").click()
    expect(albums.get_by_role("link", name="Summer trip")).to_be_visible()
    albums.get_by_role("button", name="Use as cover of Summer trip").click()
    expect(albums.get_by_role("button", name="Cover of Summer trip")).to_have_attribute("aria-pressed", "true")
    shot("photo-in-album")


def open_albums_page(page, shot, ids: dict[str, int]) -> None:
    show_pages(page).get_by_role("link", name="Albums").click()
    page.wait_for_url("**/albums")
    expect(page.get_by_role("heading", name="Albums", exact=True)).to_be_visible()
    card = page.get_by_role("link", name="Summer trip 2 photos")
    expect(card).to_be_visible()
    cover = card.locator("img")
    expect(cover).to_have_attribute("src", f"/api/photos/{ids['forest.jpg']}/thumbnail?size=small&v=" +
                                    page.request.get(f"/api/photos/{ids['forest.jpg']}").json()["sha256"][:12])
    expect(cover).to_have_js_property("complete", True)
    shot("albums-page")
    card.click()


def browse_the_album(page, shot, ids: dict[str, int]) -> None:
    page.wait_for_url("**/albums/*")
    expect(page.get_by_role("heading", name="Summer trip")).to_be_visible()
    expect(page.get_by_text("2 photos")).to_be_visible()
    tiles = page.locator("[data-album-grid] a.tile")
    expect(tiles).to_have_count(2)
    assert [int(t.get_attribute("data-id")) for t in tiles.all()] == [ids["harbour.jpg"], ids["forest.jpg"]]
    page.get_by_label("Order").select_option(label="Oldest first")
    expect(tiles.first).to_have_attribute("data-id", str(ids["forest.jpg"]))
    expect(page.get_by_role("status")).to_have_text("Saved")
    shot("album-oldest-first")
    page.reload()  # the order is the album's now
    expect(page.get_by_label("Order")).to_have_value("oldest")
    expect(tiles.first).to_have_attribute("data-id", str(ids["forest.jpg"]))
    # A photo opened from the album steps through the album only, and leads back to it.
    album_path = urlparse(page.url).path
    tiles.first.click()
    page.wait_for_url(f"**/photos/{ids['forest.jpg']}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    expect(page.locator("[data-back]")).to_have_attribute("href", album_path)
    page.get_by_role("button", name="Next photo").click()
    page.wait_for_url(f"**/photos/{ids['harbour.jpg']}")
    expect(page.get_by_role("button", name="Next photo")).to_be_hidden()
    page.get_by_role("link", name="Back to photos").click()  # Next replaced the photo: back is the album


def rename_and_describe(page, shot) -> None:
    page.wait_for_url("**/albums/*")
    page.get_by_role("button", name="Rename or describe").click()
    page.get_by_label("Name").fill("Harbour and forest")
    page.get_by_label("Description").fill("Two walks, a year apart.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Harbour and forest")).to_be_visible()
    expect(page.get_by_text("Two walks, a year apart.")).to_be_visible()
    expect(page).to_have_title("Harbour and forest · Shoebox")
    shot("album-renamed")
    # The album is a search filter too, named in the filter form.
    album_id = urlparse(page.url).path.rsplit("/", 1)[1]
    page.goto(f"/search?album={album_id}")
    expect(page.locator("[data-grid] a.tile")).to_have_count(2)
    album_filter = page.get_by_role("form", name="Search filters").get_by_label("Album")  # not the selection's
    expect(album_filter).to_have_value(album_id)
    expect(album_filter.locator("option:checked")).to_have_text("Harbour and forest")
    page.go_back()


def dark(page, shot) -> None:
    page.emulate_media(color_scheme="dark")
    shot("album-dark")
    page.goto("/albums")
    expect(page.get_by_role("link", name="Harbour and forest 2 photos")).to_be_visible()
    shot("albums-page-dark")
    page.go_back()
    page.emulate_media(color_scheme="light")


def delete_the_album(page, shot, ids: dict[str, int]) -> None:
    page.wait_for_url("**/albums/*")
    page.get_by_role("button", name="Delete album").click()
    dialog = page.get_by_role("dialog", name="Delete this album?")
    expect(dialog).to_contain_text("its photos stay in your library")
    shot("album-delete-dialog")
    dialog.get_by_role("button", name="Delete album").click()
    page.wait_for_url("**/albums")
    expect(page.get_by_role("heading", name="No albums yet")).to_be_visible()
    shot("albums-empty")
    page.goto("/")
    expect(page.locator("[data-grid] a.tile")).to_have_count(3)


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
def test_make_browse_rename_and_delete_an_album(browser, live_server, screenshots, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url,
                                  has_touch=width < 600)
    context.set_default_timeout(10000)
    page = context.new_page()
    watch = Watch(page)
    shot = Shots(page, screenshots / f"{width}x{height}-albums")
    try:
        sign_up(page, shot, f"albums{width}@example.com")
        ids = upload_three(page)
        make_album_from_the_photo_page(page, shot, ids)
        open_albums_page(page, shot, ids)
        browse_the_album(page, shot, ids)
        rename_and_describe(page, shot)
        dark(page, shot)
        delete_the_album(page, shot, ids)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)
