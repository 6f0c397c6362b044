"""A clip in a real Chromium: uploaded through the picker, a duration badge on its tile, and it plays on the photo
page (the <video>'s time moves on) on a phone (375x812) and a desktop (1440x900) screen."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import sync_api
from tests.e2e.test_browser_flow import Shots, Watch, sign_up
from tests.video.clips import make_clip

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect
SCREENS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1440, "height": 900}}


def _plays(page) -> None:
    """The photo page's player starts from the start and its time moves on (it decodes and plays)."""
    video = page.locator("[data-photo-video]")
    expect(video).to_be_visible()
    expect(page.locator("[data-photo-img]")).to_be_hidden()
    video.evaluate("v => { v.muted = true; return v.play(); }")
    deadline = time.monotonic() + 10
    while video.evaluate("v => v.currentTime") <= 0.3 and time.monotonic() < deadline:
        time.sleep(0.1)  # polled from here: the page's CSP refuses wait_for_function's eval
    assert video.evaluate("v => v.currentTime") > 0.3
    assert video.evaluate("v => v.readyState") >= 2 and video.evaluate("v => v.error") is None
    box = video.bounding_box()
    assert box["width"] <= page.viewport_size["width"] and box["height"] > 100


def test_a_clip_plays_on_the_photo_page_on_a_phone_and_a_desktop(browser, live_server, screenshots):
    context = browser.new_context(viewport=SCREENS["phone"], base_url=live_server.url)
    context.set_default_timeout(10000)
    page = context.new_page()
    watch = Watch(page)
    shot = Shots(page, screenshots / "video")
    try:
        sign_up(page, shot, "filmmaker@example.com")
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Upload photos").click()
        chooser.value.set_files([{"name": "beach.webm", "mimeType": "video/webm",
                                  "buffer": make_clip("webm", seconds=3)}])
        tile = page.locator("[data-grid] a.tile")
        expect(tile).to_have_count(1)
        expect(tile.locator(".tile-duration")).to_have_text("0:03")
        shot("grid-with-a-clip")
        href = tile.get_attribute("href")
        page.goto(href)
        _plays(page)
        shot("phone-playing")
        page.set_viewport_size(SCREENS["desktop"])
        page.goto(href)
        page.wait_for_url(re.compile(r".*/photos/\d+$"))
        _plays(page)
        shot("desktop-playing")
        assert watch.problems == []
    finally:
        context.close()
