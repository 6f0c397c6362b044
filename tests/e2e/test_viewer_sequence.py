"""The photo page steps through the order of the grid it was opened from (static/js/sequence.js), in Chromium."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image, ImageDraw

from tests.conftest import PASSWORD
from tests.e2e.conftest import sync_api
from tests.e2e.test_browser_flow import Watch, scene

expect = sync_api.expect


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def stripes() -> Image.Image:
    """A photo that looks like no landscape `scene`."""
    image = Image.new("RGB", (800, 800), (235, 235, 225))
    draw = ImageDraw.Draw(image)
    for x in range(0, 800, 100):
        draw.rectangle((x, 0, x + 49, 800), fill=(40, 90, 140))
    return image


@pytest.fixture(scope="module")
def account(browser, live_server):
    """A signed-in browser context whose library holds a photo, a smaller copy of it, and an unlike photo."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(8000)
    reply = context.request.post("/api/auth/register", data={"email": "stepper@example.com", "password": PASSWORD})
    assert reply.ok, reply.text()
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrf_access_token")
    harbour = scene((250, 120, 60), (80, 40, 120), (255, 220, 120), "2024:06:21 21:04:00")
    copy = jpeg(Image.open(io.BytesIO(harbour)).resize((480, 320)))
    ids = {}
    for name, data in [("harbour.jpg", harbour), ("stripes.jpg", jpeg(stripes())), ("copy.jpg", copy)]:
        reply = context.request.post("/api/photos", headers={"X-CSRF-TOKEN": csrf},
                                     multipart={"files": {"name": name, "mimeType": "image/jpeg", "buffer": data}})
        assert reply.ok, reply.text()
        ids[name] = reply.json()["photos"][0]["id"]
    yield context, ids
    context.close()


@pytest.fixture
def page(account, live_server):
    context, _ids = account
    page = context.new_page()  # a new tab: an empty sessionStorage, so no order from an earlier test
    watch = Watch(page)
    yield page
    page.close()
    assert not watch.problems, "\n".join(watch.problems)


def open_photo(page, photo_id: int) -> None:
    page.wait_for_url(f"**/photos/{photo_id}")
    expect(page.locator("body[data-ready]")).to_have_count(1)


def test_a_photo_opened_from_duplicates_steps_through_its_group_and_goes_back_there(page, account):
    _context, ids = account
    page.goto("/duplicates")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    page.locator("[data-dup-group] img").first.click()  # the largest copy comes first
    open_photo(page, ids["harbour.jpg"])
    expect(page.locator("[data-back]")).to_have_attribute("href", "/duplicates")
    expect(page.get_by_role("button", name="Previous photo")).to_be_hidden()
    page.keyboard.press("ArrowRight")
    open_photo(page, ids["copy.jpg"])
    # The group ends here, though the library has a photo more.
    expect(page.get_by_role("button", name="Next photo")).to_be_hidden()
    page.keyboard.press("Escape")
    page.wait_for_url("**/duplicates")


def test_a_photo_opened_from_the_timeline_steps_through_the_timeline(page, account):
    _context, ids = account
    page.goto("/")
    tiles = page.locator("[data-grid] a.tile")
    expect(tiles).to_have_count(3)
    order = [int(tile.get_attribute("data-id")) for tile in tiles.all()]
    tiles.last.click()  # the full-screen viewer; its Details button, the photo's page
    page.get_by_role("button", name="Details").click()
    open_photo(page, order[-1])
    expect(page.get_by_role("button", name="Next photo")).to_be_hidden()
    page.get_by_role("button", name="Previous photo").click()
    open_photo(page, order[-2])
    expect(page.locator("[data-back]")).to_have_attribute("href", "/")


def test_the_photo_page_fetches_more_of_its_order_past_the_last_id_it_was_given(page, account):
    """What a grid hands on: ids, where back leads, and which listing to page through for more."""
    _context, ids = account
    first = page.request.get("/api/photos?limit=1").json()
    page.goto("/upload")  # any page of the site, to write its sessionStorage
    order = {"ids": [first["items"][0]["id"]], "back": "/?from=test",
             "more": {"list": "photos", "cursor": first["next_cursor"]}}
    page.evaluate("(order) => sessionStorage.setItem('shoebox:order', order)", json.dumps(order))
    page.goto(f"/photos/{order['ids'][0]}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    expect(page.locator("[data-back]")).to_have_attribute("href", "/?from=test")
    page.keyboard.press("ArrowRight")
    second = page.request.get(f"/api/photos?limit=1&cursor={first['next_cursor']}").json()["items"][0]["id"]
    open_photo(page, second)
