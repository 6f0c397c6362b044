"""The full-screen viewer (PhotoSwipe) and the virtualised timeline with its scrubber, in Chromium, on a phone and
a desktop screen, light and dark."""

from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image, ImageDraw

from bench.big_library import fill_library
from tests.conftest import PASSWORD, make_image
from tests.e2e.conftest import serving, sync_api
from tests.e2e.test_browser_flow import Shots, Watch, scene

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect
SIZES = [(375, 812), (1440, 900)]
SIZE_IDS = ["phone", "desktop"]
BIG = 3000  # photos in the big library: far more tiles than a page may hold at once
MAX_TILES = 400  # what the DOM may hold at a time at either size (a few screens of tiles)
MAX_NODES = 2000  # DOM nodes alive after a garbage collection, having scrolled past BIG photos (twice that before)


def big_jpeg() -> bytes:
    """A 3000x2000 photo: bigger than the 1440 px preview, so zooming in fetches the full-size picture."""
    image = Image.new("RGB", (3000, 2000), (30, 90, 150))
    draw = ImageDraw.Draw(image)
    for x in range(0, 3000, 150):
        draw.rectangle((x, 0, x + 60, 2000), fill=(230, 200, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("viewer") / "data") as live:
        yield live


def _account(browser, server, email: str):
    context = browser.new_context(base_url=server.url)
    reply = context.request.post("/api/auth/register", data={"email": email, "password": PASSWORD})
    assert reply.ok, reply.text()
    return context


@pytest.fixture(scope="module")
def small(browser, server):
    """An account with four photos: a big JPEG, a TIFF (which browsers cannot show), and two landscapes."""
    context = _account(browser, server, "viewer@example.com")
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrf_access_token")
    harbour = scene((250, 120, 60), (80, 40, 120), (255, 220, 120), "2024:06:21 21:04:00")
    lake = scene((40, 110, 200), (170, 220, 240), (255, 255, 230), "2023:06:02 09:15:00")
    files = [("big.jpg", "image/jpeg", big_jpeg()), ("scan.tif", "image/tiff", make_image("TIFF", size=(2400, 1600))),
             ("harbour.jpg", "image/jpeg", harbour), ("lake.jpg", "image/jpeg", lake)]
    for name, mime, data in files:
        reply = context.request.post("/api/photos", headers={"X-CSRF-TOKEN": csrf},
                                     multipart={"files": {"name": name, "mimeType": mime, "buffer": data}})
        assert reply.ok, reply.text()
    state = context.storage_state()
    order = [item["id"] for item in context.request.get("/api/photos").json()["items"]]
    names = {item["id"]: item["filename"] for item in context.request.get("/api/photos").json()["items"]}
    context.close()
    return state, order, names


@pytest.fixture(scope="module")
def big(browser, server):
    """An account with BIG photos over ten years, inserted straight into the database."""
    context = _account(browser, server, "timeline@example.com")
    user_id = context.request.get("/api/me").json()["id"]
    database = server.app.extensions["db"]
    times = fill_library(database.engine.url.render_as_string(hide_password=False),
                         server.app.extensions["library"].storage.root,
                         user_id, BIG, seed=17)
    state = context.storage_state()
    context.close()
    return state, times


def browse(browser, server, state, viewport, dark=False):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url,
                                  storage_state=state, has_touch=width < 600, is_mobile=width < 600,
                                  color_scheme="dark" if dark else "light")
    context.set_default_timeout(10000)
    # The Content-Security-Policy holds: PhotoSwipe and the grid style through the CSSOM, never inline markup.
    context.add_init_script("""document.addEventListener('securitypolicyviolation', (event) =>
        console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));""")
    page = context.new_page()
    return context, page, Watch(page)


def viewer_photo_id(page) -> int:
    return int(re.search(r"/photos/(\d+)$", page.url).group(1))


def shown_image(page):
    return page.locator(".pswp__item[aria-hidden='false'] img.pswp__img:not(.pswp__img--placeholder)")


# -- the viewer ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", SIZES, ids=SIZE_IDS)
def test_a_tile_opens_the_viewer_which_steps_through_the_grid_in_its_order(browser, server, small, screenshots,
                                                                          viewport):
    state, order, _names = small
    context, page, watch = browse(browser, server, state, viewport, dark=viewport[0] < 600)
    shot = Shots(page, screenshots / f"viewer-{viewport[0]}x{viewport[1]}")
    try:
        page.goto("/")
        tiles = page.locator("[data-grid] a.tile")
        expect(tiles).to_have_count(4)
        assert [int(tile.get_attribute("data-id")) for tile in tiles.all()] == order
        shot("timeline")
        tiles.nth(1).click()
        expect(page.locator(".pswp")).to_be_visible()
        page.wait_for_url(f"**/photos/{order[1]}")
        expect(shown_image(page)).to_have_js_property("complete", True)
        shot("viewer")
        page.keyboard.press("ArrowRight")
        page.wait_for_url(f"**/photos/{order[2]}")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        page.wait_for_url(f"**/photos/{order[0]}")
        expect(page.get_by_role("button", name="Previous photo (←)")).to_be_hidden()  # the grid's first photo
        page.keyboard.press("Escape")
        expect(page.locator(".pswp")).to_have_count(0)
        page.wait_for_url(re.compile(r"/$"))
        expect(tiles).to_have_count(4)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def test_swiping_steps_to_the_next_photo_on_a_phone(browser, server, small):
    state, order, _names = small
    context, page, watch = browse(browser, server, state, (375, 812))
    try:
        page.goto("/")
        page.locator("[data-grid] a.tile").first.click()
        expect(shown_image(page)).to_have_js_property("complete", True)
        client = context.new_cdp_session(page)
        client.send("Input.synthesizeScrollGesture", {"x": 300, "y": 400, "xDistance": -250, "yDistance": 0,
                                                      "gestureSourceType": "touch", "speed": 1500})
        page.wait_for_url(f"**/photos/{order[1]}")
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


@pytest.mark.parametrize("viewport", SIZES, ids=SIZE_IDS)
def test_the_viewer_shows_the_large_preview_first_and_the_full_size_picture_once_zoomed(browser, server, small,
                                                                                      screenshots, viewport):
    state, order, names = small
    big_id = next(photo_id for photo_id, name in names.items() if name == "big.jpg")
    context, page, watch = browse(browser, server, state, viewport)
    shot = Shots(page, screenshots / f"viewer-zoom-{viewport[0]}x{viewport[1]}")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    try:
        page.goto("/")
        page.locator(f"[data-grid] a.tile[data-id='{big_id}']").click()
        picture = shown_image(page)
        expect(picture).to_have_js_property("complete", True)
        assert "size=large" in picture.evaluate("img => img.currentSrc")
        assert not any(f"/api/photos/{big_id}/full" in url for url in fetched)
        if viewport[0] < 600:  # a double tap zooms on a touch screen
            box = picture.bounding_box()
            page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        else:  # the wheel zooms on a desktop
            box = picture.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            for _ in range(6):
                page.mouse.wheel(0, -200)
        page.wait_for_function("([img, path]) => img.currentSrc.includes(path)",
                               arg=[picture.element_handle(), f"/api/photos/{big_id}/full"], timeout=10000)
        expect(picture).to_have_js_property("naturalWidth", 3000)
        shot("zoomed")
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def test_a_pinch_zooms_in_on_a_phone(browser, server, small):
    state, _order, names = small
    big_id = next(photo_id for photo_id, name in names.items() if name == "big.jpg")
    context, page, watch = browse(browser, server, state, (375, 812))
    try:
        page.goto("/")
        page.locator(f"[data-grid] a.tile[data-id='{big_id}']").click()
        picture = shown_image(page)
        expect(picture).to_have_js_property("complete", True)
        width = picture.bounding_box()["width"]
        context.new_cdp_session(page).send("Input.synthesizePinchGesture", {
            "x": 187, "y": 406, "scaleFactor": 3, "gestureSourceType": "touch", "relativeSpeed": 400})
        page.wait_for_function("([img, width]) => img.getBoundingClientRect().width > width * 2",
                               arg=[picture.element_handle(), width])
        page.wait_for_function("([img, path]) => img.currentSrc.includes(path)",
                               arg=[picture.element_handle(), f"/api/photos/{big_id}/full"], timeout=10000)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def test_a_photo_browsers_cannot_show_is_zoomed_from_its_full_size_rendition(browser, server, small):
    state, _order, names = small
    tiff_id = next(photo_id for photo_id, name in names.items() if name == "scan.tif")
    context, page, watch = browse(browser, server, state, (1440, 900))
    try:
        page.goto("/")
        page.locator(f"[data-grid] a.tile[data-id='{tiff_id}']").click()
        picture = shown_image(page)
        expect(picture).to_have_js_property("complete", True)
        with page.expect_response(lambda r: f"/api/photos/{tiff_id}/full" in r.url) as answer:
            page.keyboard.press("z")  # PhotoSwipe's zoom key
        assert answer.value.headers["content-type"] == "image/webp"
        expect(picture).to_have_js_property("naturalWidth", 2400)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def test_the_slideshow_moves_on_by_itself_until_stopped(browser, server, small):
    state, order, _names = small
    context, page, watch = browse(browser, server, state, (1440, 900))
    try:
        page.goto("/")
        page.locator("[data-grid] a.tile").first.click()
        play = page.get_by_role("button", name="Play slideshow")
        play.click()
        expect(page.get_by_role("button", name="Pause slideshow")).to_have_attribute("aria-pressed", "true")
        page.wait_for_url(f"**/photos/{order[1]}", timeout=8000)
        page.get_by_role("button", name="Pause slideshow").click()
        expect(play).to_be_visible()
        time.sleep(4.5)  # longer than a slide: it stays where it was paused
        assert viewer_photo_id(page) == order[1]
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def test_back_closes_the_viewer_and_details_open_the_photo_page(browser, server, small):
    state, order, names = small
    context, page, watch = browse(browser, server, state, (1440, 900))
    try:
        page.goto("/")
        page.locator("[data-grid] a.tile").first.click()
        expect(page.locator(".pswp")).to_be_visible()
        page.go_back()
        expect(page.locator(".pswp")).to_have_count(0)
        assert page.url.endswith("/")
        page.locator("[data-grid] a.tile").nth(2).click()
        page.get_by_role("button", name="Details").click()
        page.wait_for_url(f"**/photos/{order[2]}")
        expect(page.locator("body[data-ready]")).to_have_count(1)
        expect(page.get_by_text(names[order[2]]).first).to_be_visible()
        page.keyboard.press("ArrowRight")  # the photo page steps on in the timeline's order
        page.wait_for_url(f"**/photos/{order[3]}")
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


@pytest.mark.parametrize("viewport", SIZES, ids=SIZE_IDS)
def test_the_photo_page_opens_the_viewer_and_closing_on_another_photo_shows_that_ones_page(
        browser, server, small, screenshots, viewport):
    state, order, names = small
    context, page, watch = browse(browser, server, state, viewport, dark=True)
    shot = Shots(page, screenshots / f"viewer-from-photo-{viewport[0]}x{viewport[1]}")
    try:
        page.goto(f"/photos/{order[0]}")  # a deep link: no grid before it
        expect(page.locator("body[data-ready]")).to_have_count(1)
        page.get_by_role("button", name="View full screen").click()
        expect(shown_image(page)).to_have_js_property("complete", True)
        shot("viewer-dark")
        page.keyboard.press("ArrowRight")
        expect(page.locator(".pswp__counter")).to_have_text("2 of 4")
        page.keyboard.press("Escape")
        page.wait_for_url(f"**/photos/{order[1]}")
        expect(page.locator("body[data-ready]")).to_have_count(1)
        expect(page.get_by_text(names[order[1]]).first).to_be_visible()
        shot("photo-page-dark")
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


# -- the timeline -------------------------------------------------------------------------------------------------
# Every tile on screen has its photo (its picture may still be coming: a user scrolling on does not wait for it).
SCREEN_FILLED = """() => ![...document.querySelectorAll('[data-grid] .skeleton')].some((node) => {
    const box = node.getBoundingClientRect();
    return box.bottom > 0 && box.top < innerHeight;
})"""


def timeline_ready(page) -> None:
    """The first tiles are shown, and the months are counted (the grid has its full height, the scrubber is on)."""
    expect(page.locator("[data-grid] a.tile").first).to_be_visible()
    expect(page.locator("[data-scrubber]")).to_have_count(1)


def tiles_in_dom(page) -> int:
    return page.locator("[data-grid] a.tile").count()


@pytest.mark.parametrize("viewport", SIZES, ids=SIZE_IDS)
def test_scrolling_through_thousands_of_photos_keeps_only_the_tiles_near_the_screen(browser, server, big, screenshots,
                                                                                  viewport):
    state, times = big
    context, page, watch = browse(browser, server, state, viewport, dark=viewport[0] > 600)
    shot = Shots(page, screenshots / f"timeline-{viewport[0]}x{viewport[1]}")
    try:
        page.goto("/")
        timeline_ready(page)
        shot("timeline-top")
        most = 0
        while not page.evaluate("""() => { scrollBy(0, innerHeight);
                return innerHeight + scrollY >= document.documentElement.scrollHeight - 2; }"""):
            page.wait_for_function(SCREEN_FILLED, polling=20)  # a screen at a time
            most = max(most, tiles_in_dom(page))
        oldest = times[-1].strftime("%Y-%m")
        expect(page.locator(f"[data-grid] h2[data-month='{oldest}']")).to_be_visible()
        last = page.locator(f"[data-grid] a.tile[data-index='{BIG - 1}']")
        expect(last).to_be_visible()
        expect(last.locator("img")).to_have_js_property("complete", True)
        shot("timeline-bottom")
        assert 0 < most <= MAX_TILES, most
        assert tiles_in_dom(page) <= MAX_TILES
        # Tiles taken out are gone from memory too, not only from the page (a removed picture that kept loading
        # kept its node, and the picture, alive: the old grid's 650 MB).
        client = context.new_cdp_session(page)
        client.send("HeapProfiler.collectGarbage")
        assert client.send("Memory.getDOMCounters")["nodes"] < MAX_NODES
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def test_photos_come_while_the_user_waits_at_the_bottom_without_scrolling_again(browser, server, big):
    """The old grid stalled when a page came while the user was already at the bottom: nothing loaded until they
    scrolled away and back. Every page is slow here, and the user jumps to the end and waits."""
    state, _times = big
    context, page, watch = browse(browser, server, state, (1440, 900))

    def slowly(route):
        time.sleep(0.4)
        route.continue_()

    page.route(re.compile(r".*/api/photos\?.*"), slowly)
    try:
        page.goto("/")
        timeline_ready(page)
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        expect(page.locator(f"[data-grid] a.tile[data-index='{BIG - 1}']")).to_be_visible(timeout=15000)
        expect(page.locator("[data-grid] .skeleton")).to_have_count(0, timeout=15000)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


@pytest.mark.parametrize("viewport", SIZES, ids=SIZE_IDS)
def test_dragging_the_scrubber_jumps_to_a_month_and_fetches_that_month_directly(browser, server, big, screenshots,
                                                                               viewport):
    state, times = big
    context, page, watch = browse(browser, server, state, viewport, dark=viewport[0] < 600)
    shot = Shots(page, screenshots / f"scrubber-{viewport[0]}x{viewport[1]}")
    pages = []
    page.on("request", lambda request: "/api/photos?" in request.url and pages.append(request.url))
    try:
        page.goto("/")
        timeline_ready(page)
        scrubber = page.get_by_role("slider", name="Timeline: jump to a month")
        box = scrubber.bounding_box()
        pages.clear()
        page.evaluate("window.scrollBy(0, 1)")  # a phone shows the handle while the page scrolls
        handle = page.locator(".scrubber-thumb")
        start = handle.bounding_box()
        page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.07 * step)
        label = page.locator(".scrubber-label")
        expect(label).to_have_text(re.compile(r"^\w+ \d{4}$"))
        shot("dragging")
        month = scrubber.get_attribute("data-month")
        assert month < times[0].strftime("%Y-%m")  # somewhere down the years
        page.mouse.up()
        expect(page.locator("[data-grid] .skeleton")).to_have_count(0)
        shown = page.evaluate("""(month) => [...document.querySelectorAll(`[data-grid] a.tile[data-taken^="${month}"]`)]
            .filter((tile) => tile.getBoundingClientRect().bottom > 0 && tile.getBoundingClientRect().top < innerHeight)
            .length""", month)
        assert shown > 0, month
        shot("jumped")
        # Straight to that month (its last day, then its cursor), not every page before it.
        assert len(pages) <= 6, pages
        assert any("to=" in url for url in pages), pages
        assert times[0] > times[-1]
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def test_the_scrubber_is_a_slider_the_keyboard_moves_by_month_and_year(browser, server, big):
    state, times = big
    context, page, watch = browse(browser, server, state, (1440, 900))
    try:
        page.goto("/")
        timeline_ready(page)
        scrubber = page.get_by_role("slider", name="Timeline: jump to a month")
        newest, oldest = times[0].strftime("%Y-%m"), times[-1].strftime("%Y-%m")
        expect(scrubber).to_have_attribute("aria-valuenow", "0")
        scrubber.focus()
        page.keyboard.press("ArrowDown")
        expect(scrubber).to_have_attribute("aria-valuenow", "1")
        page.keyboard.press("End")
        expect(page.locator(f"[data-grid] h2[data-month='{oldest}']")).to_be_visible()
        page.keyboard.press("Home")
        expect(page.locator(f"[data-grid] h2[data-month='{newest}']")).to_be_visible()
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)
