"""Issue 19, features 1 and 3 in a real browser, on a phone and on a desktop screen: the Places map (tiles from a
tile server on loopback; clusters; a photo's thumbnail in a popup; a cluster's photos in the grid), the same map
with no tiles to be had, the small map on a photo's page, "On this day" on the library page and a year in review."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.auth.test_password_reset import free_port
from tests.e2e.conftest import serving, sync_api
from tests.e2e.test_browser_flow import Shots, Watch, scene, sign_up
from tests.e2e.tiles import serving_tiles
from tests.people.conftest import gps_jpeg

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect
VIEWPORTS = pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
PARIS = [(48.8566, 2.3522), (48.8606, 2.3376), (48.8530, 2.3499), (48.8584, 2.2945)]
LISBON, SYDNEY = (38.7223, -9.1393), (-33.8688, 151.2093)
#: The browser's time zone in the memories test: far from the server's, so "today" is the user's own day.
ZONE = "Pacific/Kiritimati"


@pytest.fixture(scope="module")
def tiles():
    with serving_tiles() as server:
        yield server


@pytest.fixture(scope="module")
def map_server(tmp_path_factory, tiles):
    with serving(tmp_path_factory.mktemp("e2e-map") / "data", MAP_TILE_URL=tiles.url) as server:
        yield server


@pytest.fixture(scope="module")
def offline_server(tmp_path_factory):
    """Tiles from a loopback port where nothing listens: the network is gone as far as the map can tell."""
    url = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    with serving(tmp_path_factory.mktemp("e2e-map-offline") / "data", MAP_TILE_URL=url) as server:
        yield server


def open_page(browser, server, viewport, **context):
    width, height = viewport
    browser_context = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url,
                                          has_touch=width < 600, **context)
    browser_context.set_default_timeout(15000)
    return browser_context, browser_context.new_page()


def upload(page, files: list[dict]) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload photos").click()
    chooser.value.set_files(files)
    panel = page.locator("[data-upload-panel]")
    expect(panel.get_by_role("heading")).to_have_text(f"{len(files)} uploaded", timeout=60_000)
    panel.get_by_role("button", name="Close the upload list").click()


def gps_files(places) -> list[dict]:
    return [{"name": f"place{n}.jpg", "mimeType": "image/jpeg", "buffer": gps_jpeg(*place, color=(40 * n, 120, 200))}
            for n, place in enumerate(places)]


def open_places(page) -> None:
    page.goto("/places")
    expect(page.locator("[data-map][data-ready]")).to_have_count(1)


def marker_counts(page) -> list[int]:
    """The number on each cluster, and 1 for each single photo's marker."""
    clusters = [int(re.match(r"\d+", text).group()) for text in page.locator(".marker-cluster").all_inner_texts()]
    return clusters + [1] * page.locator('.leaflet-marker-icon[title="Photo"]').count()


@VIEWPORTS
def test_the_places_map_clusters_photos_shows_thumbnails_and_a_clusters_photos(browser, map_server, tiles,
                                                                               screenshots, viewport):
    context, page = open_page(browser, map_server, viewport)
    watch = Watch(page)
    shot = Shots(page, screenshots / f"{viewport[0]}x{viewport[1]}-map")
    try:
        sign_up(page, shot, f"mapper{viewport[0]}@example.com")
        upload(page, gps_files([*PARIS, LISBON, SYDNEY]))
        asked = len(tiles.requests)
        open_places(page)
        expect(page.locator("img.leaflet-tile-loaded").first).to_be_visible()
        assert len(tiles.requests) > asked  # the tiles came from MAP_TILE_URL, on loopback
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("© OpenStreetMap contributors")
        expect(page.locator("[data-map-status]")).to_have_text("")
        expect(page.locator(".marker-cluster").first).to_be_visible()
        assert sorted(marker_counts(page)) [-1] >= 4 and sum(marker_counts(page)) == 6  # Paris's four together
        shot("map-clusters")

        # Sydney is alone: its marker opens a popup with the photo's thumbnail, which leads to the photo.
        page.locator('.leaflet-marker-icon[title="Photo"]').last.click()
        thumbnail = page.locator(".leaflet-popup img")
        expect(thumbnail).to_have_attribute("src", re.compile(r"/api/photos/\d+/thumbnail\?size=small&v=\w{12}$"))
        expect(thumbnail).to_have_js_property("complete", True)
        assert thumbnail.evaluate("img => img.naturalWidth") > 0
        expect(thumbnail).to_be_in_viewport(ratio=1)  # the map pans to show the whole popup, even on a phone
        shot("map-popup-thumbnail")
        page.locator(".leaflet-popup").get_by_role("link", name="Open this photo").click()
        page.wait_for_url(re.compile(r"/photos/\d+$"))
        small_map = page.get_by_role("region", name="Where it was taken")
        expect(small_map).to_be_visible()
        expect(page.locator("[data-photo-map][data-ready] .leaflet-marker-icon")).to_have_count(1)
        expect(small_map.locator("img.leaflet-tile-loaded").first).to_be_visible()
        small_map.scroll_into_view_if_needed()
        shot("photo-small-map")
        page.go_back()

        # The biggest cluster's photos fill the grid under the map.
        expect(page.locator("[data-map][data-ready]")).to_have_count(1)
        biggest = max(page.locator(".marker-cluster").all(), key=lambda c: int(re.match(r"\d+", c.inner_text())[0]))
        count = int(re.match(r"\d+", biggest.inner_text())[0])
        biggest.click()
        grid = page.locator("[data-map-grid] a.tile")
        expect(grid).to_have_count(count)
        expect(page.get_by_role("heading", name=f"{count} photos in this area")).to_be_visible()
        for tile in grid.all():
            expect(tile.locator("img")).to_have_js_property("complete", True)
        shot("map-cluster-grid", full_page=True)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


@VIEWPORTS
def test_a_library_too_big_to_send_whole_gets_counts_that_open_into_photos(browser, map_server, screenshots,
                                                                           viewport):
    context, page = open_page(browser, map_server, viewport)
    watch = Watch(page)
    shot = Shots(page, screenshots / f"{viewport[0]}x{viewport[1]}-map-grid-cells")
    try:
        sign_up(page, shot, f"big{viewport[0]}@example.com")
        upload(page, gps_files([*PARIS, LISBON, SYDNEY]))
        with page.expect_response(lambda r: "/api/places/points" in r.url) as first:
            page.goto("/places?limit=3")  # as if the library held more photos than the map takes one by one
        assert first.value.json()["points"] == [] and sum(c["count"] for c in first.value.json()["cells"]) == 6
        expect(page.locator("[data-map][data-ready]")).to_have_count(1)
        paris = page.locator(".marker-cluster", has_text="4")
        expect(paris).to_have_count(1)
        assert sum(marker_counts(page)) == 6
        shot("map-grid-cells")
        with page.expect_response(lambda r: "/api/places/points?bbox=" in r.url):  # the view moved: asked again
            paris.click()
        expect(page.locator("[data-map-grid] a.tile")).to_have_count(4)
        expect(page.get_by_role("heading", name="4 photos in this area")).to_be_visible()
        shot("map-grid-cell-photos", full_page=True)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


@VIEWPORTS
def test_with_no_tiles_the_map_still_shows_its_clusters_on_a_plain_background(browser, offline_server, screenshots,
                                                                               viewport):
    context, page = open_page(browser, offline_server, viewport)
    watch = Watch(page)
    shot = Shots(page, screenshots / f"{viewport[0]}x{viewport[1]}-map-offline")
    try:
        sign_up(page, shot, f"offline{viewport[0]}@example.com")
        upload(page, gps_files([*PARIS[:3], LISBON]))
        open_places(page)
        expect(page.locator("[data-map-status]")).to_contain_text("Map tiles are unavailable")
        expect(page.locator(".marker-cluster").first).to_be_visible()
        assert sum(marker_counts(page)) == 4
        assert page.locator("img.leaflet-tile-loaded").count() == 0
        shot("map-without-tiles")
    finally:
        context.close()
    # Only the tiles failed (nothing listens where they are asked for); nothing else did.
    tile_port = re.escape(re.search(r":(\d+)/", offline_server.app.config["SETTINGS"].MAP_TILE_URL)[1])
    others = [problem for problem in watch.problems if not re.search(rf"127\.0\.0\.1:{tile_port}/", problem)]
    assert others == [], "\n".join(others)


@VIEWPORTS
def test_on_this_day_and_a_year_in_review(browser, live_server, screenshots, viewport):
    today = datetime.now(ZoneInfo(ZONE)).date()
    back = (4, 8) if (today.month, today.day) == (2, 29) else (1, 3)  # years that have this day
    taken = [f"{today.year - years}:{today.month:02d}:{today.day:02d} 12:00:00" for years in back]
    other_day = f"{today.year - 1}:{(today.month % 12) + 1:02d}:01 12:00:00"
    files = [{"name": f"memory{n}.jpg", "mimeType": "image/jpeg",
              "buffer": scene((200, 60 + 40 * n, 90), (40, 90, 160), (250, 230, 120), when)}
             for n, when in enumerate([*taken, other_day])]
    context, page = open_page(browser, live_server, viewport, timezone_id=ZONE)
    watch = Watch(page)
    shot = Shots(page, screenshots / f"{viewport[0]}x{viewport[1]}-memories")
    try:
        sign_up(page, shot, f"remembers{viewport[0]}@example.com")
        expect(page.get_by_role("heading", name="On this day")).to_be_hidden()  # none yet
        upload(page, files)
        page.reload()
        memories = page.get_by_role("region", name="On this day")
        expect(memories).to_be_visible()
        rows = memories.locator("section[data-memory-year]")
        expect(rows).to_have_count(2)
        expect(rows.first).to_have_attribute("aria-label", f"1 year ago · {today.year - back[0]}"
                                             if back[0] == 1 else f"{back[0]} years ago · {today.year - back[0]}")
        expect(memories.locator("a.tile")).to_have_count(2)  # not the photo of another day
        shot("library-on-this-day")
        page.locator("#search-input").fill("sunset")
        expect(memories).to_be_hidden()  # search results: no memories
        page.goto("/albums")
        page.get_by_role("button", name="Year in review").click()
        dialog = page.get_by_role("dialog", name="Year in review")
        expect(dialog.get_by_label("Year")).to_have_value(str(today.year - 1))
        dialog.get_by_label("Year").fill(str(today.year - back[0]))
        shot("year-in-review-dialog")
        dialog.get_by_role("button", name="Make the album").click()
        page.wait_for_url("**/albums/*")
        expect(page.get_by_role("heading", name=f"{today.year - back[0]} in review")).to_be_visible()
        expect(page.locator("[data-album-grid] a.tile")).to_have_count(2 if back[0] == 1 else 1)
        shot("year-in-review-album")
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)
