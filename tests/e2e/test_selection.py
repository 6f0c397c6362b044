"""Select many in a real browser, on a phone (touch) and a desktop screen, light and dark (issue 17, feature 1): the
check on a tile, shift-click for a range, a long press then taps on a touch screen, a month's "select all", Escape
and × to clear, and the bar's actions: favourite, add to a new album, tags, date, location by a place's name,
download as a ZIP, and move to Trash after the app's own dialog."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.e2e.conftest import sync_api
from tests.e2e.test_browser_flow import Shots, Watch, scene, sign_up

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect
#: (name, taken): five photos of June 2024 and one of October 2023, newest first as the timeline shows them.
PHOTOS = [("june30.jpg", "2024:06:30 10:00:00"), ("june24.jpg", "2024:06:24 10:00:00"),
          ("june18.jpg", "2024:06:18 10:00:00"), ("june12.jpg", "2024:06:12 10:00:00"),
          ("june06.jpg", "2024:06:06 10:00:00"), ("october.jpg", "2023:10:08 15:30:00")]


def csrf(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")


def upload(page) -> list[int]:
    """The six photos, sent by the page's own session; their ids newest first."""
    for n, (name, taken) in enumerate(PHOTOS):
        data = scene((40 * n, 110, 200), (170, 220 - 20 * n, 240), (255, 255, 230), taken)
        reply = page.request.post("/api/photos", multipart={"files": {"name": name, "mimeType": "image/jpeg",
                                                                      "buffer": data}},
                                  headers={"X-CSRF-TOKEN": csrf(page)})
        assert reply.status == 201, reply.text()
    return [p["id"] for p in page.request.get("/api/photos").json()["items"]]


def photo(page, photo_id: int) -> dict:
    return page.request.get(f"/api/photos/{photo_id}").json()


def tile(page, photo_id: int):
    return page.locator(f'[data-grid] a.tile[data-id="{photo_id}"]')


def long_press(page, locator) -> None:
    """A finger held on the tile (Chrome's own touch events, as a phone sends them), then lifted."""
    box = locator.bounding_box()
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    page.wait_for_timeout(800)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def pick_with_the_mouse(page, shot, ids: list[int], bar) -> None:
    """A check shown on hover picks; then a click picks; shift-click picks the range; Escape clears."""
    first = tile(page, ids[0])
    check = first.get_by_role("button", name="Select")
    expect(check).to_have_css("opacity", "0")
    first.hover()
    expect(check).to_have_css("opacity", "1")
    shot("check-on-hover")
    check.click()
    expect(bar).to_be_visible()
    expect(bar.get_by_text("1 selected")).to_be_visible()
    expect(check).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"/$"))  # picking is no visit
    tile(page, ids[3]).click(modifiers=["Shift"])
    expect(bar.get_by_text("4 selected")).to_be_visible()
    for photo_id in ids[:4]:
        expect(tile(page, photo_id)).to_have_attribute("data-selected", "")
    expect(tile(page, ids[4])).not_to_have_attribute("data-selected", "")
    shot("shift-click-range")
    page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    expect(page.locator("[data-grid] a.tile[data-selected]")).to_have_count(0)


def pick_by_touch(page, shot, ids: list[int], bar) -> None:
    """A long press picks a photo without opening it; then taps pick others; × clears."""
    long_press(page, tile(page, ids[1]))
    expect(bar.get_by_text("1 selected")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
    tile(page, ids[2]).tap()
    expect(bar.get_by_text("2 selected")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
    shot("long-press-then-tap")
    tile(page, ids[2]).tap()  # a second tap takes it out again
    expect(bar.get_by_text("1 selected")).to_be_visible()
    bar.get_by_role("button", name="Clear the selection").tap()
    expect(bar).to_be_hidden()


def select_a_month(page, shot, ids: list[int], bar) -> None:
    """A month's "select all" picks its photos, the other month's stay; pressed again, it unpicks them."""
    june = page.get_by_role("button", name="Select all of June 2024")
    june.click()
    expect(bar.get_by_text("5 selected")).to_be_visible()
    expect(june).to_have_attribute("aria-pressed", "true")
    expect(tile(page, ids[5])).not_to_have_attribute("data-selected", "")
    shot("month-selected")
    june.click()
    expect(bar).to_be_hidden()


def act(page, shot, ids: list[int], bar, phone: bool) -> None:
    """Two photos picked: favourite, a new album, tags, a date shift, a place by name, a ZIP, then Trash."""
    picked = ids[:2]
    if phone:  # no check shows on a touch screen until a long press starts picking
        expect(tile(page, ids[0]).get_by_role("button", name="Select")).to_be_hidden()
        long_press(page, tile(page, ids[0]))
        tile(page, ids[1]).get_by_role("button", name="Select").tap()
    else:
        for photo_id in picked:
            tile(page, photo_id).get_by_role("button", name="Select").click()
    expect(bar.get_by_text("2 selected")).to_be_visible()
    toast = page.locator("[data-selection-toast]")

    bar.get_by_role("button", name="Favourite").click()
    expect(toast).to_have_text("2 photos added to Favourites.")
    assert [photo(page, i)["favourite"] for i in ids[:3]] == [True, True, False]
    expect(bar.get_by_role("button", name="Unfavourite")).to_be_visible()

    bar.get_by_role("button", name="Add to album").click()
    dialog = page.get_by_role("dialog", name="Add to album")
    expect(dialog).to_contain_text("2 photos selected.")
    shot("add-to-album")
    dialog.get_by_role("button", name="New album").click()
    new_album = page.get_by_role("dialog", name="New album")
    new_album.get_by_label("Name").fill("Summer walks")
    new_album.get_by_role("button", name="Create album").click()
    expect(toast).to_have_text("2 photos in the new album “Summer walks”.")
    [album] = page.request.get("/api/albums").json()["items"]
    assert (album["name"], album["photo_count"]) == ("Summer walks", 2)

    bar.get_by_role("button", name="Tags").click()
    dialog = page.get_by_role("dialog", name="Tags")
    dialog.get_by_label("Add tags").fill("beach, Summer")
    shot("tags")
    dialog.get_by_role("button", name="Save tags").click()
    expect(dialog).to_be_hidden()
    assert [photo(page, i)["tags"] for i in picked] == [["beach", "summer"]] * 2

    bar.get_by_role("button", name="Date").click()
    dialog = page.get_by_role("dialog", name="Date and time")
    dialog.get_by_label("Shift by").fill("-1d 2h")
    expect(dialog).to_contain_text("Each photo moves 1 day 2 hours earlier.")
    shot("date-shift")
    dialog.get_by_role("button", name="Save date").click()
    expect(toast).to_have_text("2 photos moved 1 day 2 hours earlier.")
    assert [photo(page, i)["taken_at"] for i in picked] == ["2024-06-29T08:00:00", "2024-06-23T08:00:00"]

    bar.get_by_role("button", name="Location").click()
    dialog = page.get_by_role("dialog", name="Location")
    dialog.get_by_role("combobox", name="Place").fill("pari")
    option = dialog.get_by_role("option", name="Paris, Île-de-France, France", exact=True)
    expect(option).to_be_visible(timeout=30_000)  # the first look-up reads GeoNames (seconds on a busy machine)
    shot("location-suggestions")
    option.click()
    dialog.get_by_role("button", name="Save location").click()
    expect(toast).to_have_text("2 photos now placed in Paris, Île-de-France, France.")
    for photo_id in picked:
        after = photo(page, photo_id)
        assert after["location_source"] == "user" and round(after["gps"]["latitude"], 1) == 48.9

    with page.expect_download() as download:
        bar.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == "shoebox-2-photos.zip"
    with zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())) as archive:
        assert sorted(archive.namelist()) == ["june24.jpg", "june30.jpg"]

    bar.get_by_role("button", name="Trash").click()
    dialog = page.get_by_role("dialog", name="Move 2 photos to Trash?")
    expect(dialog).to_contain_text("They stay in Trash for 30 days")
    shot("trash-confirm")
    dialog.get_by_role("button", name="Move to Trash").click()
    expect(toast).to_have_text("2 photos moved to Trash.")
    expect(bar).to_be_hidden()
    expect(page.locator("[data-grid] a.tile")).to_have_count(4)
    assert sorted(p["id"] for p in page.request.get("/api/trash").json()["items"]) == sorted(picked)


def dark(page, shot, ids: list[int], bar) -> None:
    """The bar, picked tiles and a dialog in dark mode."""
    page.emulate_media(color_scheme="dark")
    page.reload()
    page.get_by_role("button", name="Select all of June 2024").click()
    expect(bar.get_by_text("3 selected")).to_be_visible()
    shot("selected-dark")
    bar.get_by_role("button", name="Location").click()
    page.get_by_role("dialog", name="Location").get_by_role("combobox", name="Place").fill("lond")
    expect(page.get_by_role("option").first).to_be_visible()
    shot("location-dark")
    page.keyboard.press("Escape")  # the dialog closes, the selection stays
    expect(bar.get_by_text("3 selected")).to_be_visible()
    page.keyboard.press("Escape")
    expect(bar).to_be_hidden()


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
def test_select_many_and_act_on_them(browser, live_server, screenshots, viewport):
    width, height = viewport
    phone = width < 600
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url,
                                  has_touch=phone, accept_downloads=True)
    context.set_default_timeout(8000)
    page = context.new_page()
    watch = Watch(page)
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    shot = Shots(page, screenshots / f"{width}x{height}-selection")
    try:
        sign_up(page, shot, f"picker{width}@example.com")
        ids = upload(page)
        page.goto("/")
        expect(page.locator("[data-grid] a.tile")).to_have_count(len(PHOTOS))
        bar = page.get_by_role("region", name="Selected photos")
        if phone:
            pick_by_touch(page, shot, ids, bar)
        else:
            pick_with_the_mouse(page, shot, ids, bar)
        select_a_month(page, shot, ids, bar)
        act(page, shot, ids, bar, phone)
        dark(page, shot, ids, bar)
    finally:
        context.close()
    assert native == [], "the browser's own dialogs were used"
    assert not watch.problems, "\n".join(watch.problems)
