"""An animated GIF in a real browser: the grid shows a still WebP thumbnail (its first frame), the photo page shows
the original, and it plays there."""

from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image

from tests.e2e.conftest import sync_api
from tests.e2e.test_browser_flow import Shots, Watch, sign_up
from tests.media.format_samples import make_animation

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect


def colours_shown(picture, seconds: float = 2.0) -> set[tuple[int, int, int]]:
    """The colours the picture shows on screen over `seconds` (a canvas would only ever draw the first frame)."""
    seen, deadline = set(), time.monotonic() + seconds
    while time.monotonic() < deadline and len(seen) < 2:
        shown = Image.open(io.BytesIO(picture.screenshot(animations="allow"))).convert("RGB")
        seen.add(shown.getpixel((shown.width // 2, shown.height // 2)))
        time.sleep(0.05)
    return seen


def test_an_animated_gif_plays_on_the_photo_page_and_is_still_in_the_grid(browser, live_server, screenshots):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    context.set_default_timeout(8000)
    page = context.new_page()
    watch = Watch(page)
    shot = Shots(page, screenshots / "animation")
    try:
        sign_up(page, shot, "animator@example.com")
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Upload photos").click()
        chooser.value.set_files([{"name": "party.gif", "mimeType": "image/gif",
                                  "buffer": make_animation("GIF", size=(240, 160))}])
        tile = page.locator("[data-grid] a.tile")
        expect(tile).to_have_count(1)
        thumbnail = tile.locator("img")
        expect(thumbnail).to_have_js_property("complete", True)
        still = page.request.get(thumbnail.get_attribute("src"))
        assert still.headers["content-type"] == "image/webp"
        assert b"ANIM" not in still.body()  # a still WebP: an animated one has an ANIM chunk

        tile.click()  # the full-screen viewer: it plays there too, from the original
        shown = page.locator(".pswp__item[aria-hidden='false'] img.pswp__img:not(.pswp__img--placeholder)")
        expect(shown).to_have_attribute("src", re.compile(r"^/api/photos/\d+/full\?v="))
        expect(shown).to_have_js_property("complete", True)
        assert len(colours_shown(shown)) >= 2
        page.get_by_role("button", name="Details").click()
        page.wait_for_url(re.compile(r".*/photos/\d+$"))
        picture = page.locator("[data-photo-img]")
        expect(picture).to_have_attribute("src", re.compile(r"^/api/photos/\d+/original\?v="))
        expect(picture).to_have_js_property("complete", True)
        shot("animation-playing")
        assert len(colours_shown(picture)) >= 2  # its frames change every 200 ms: it plays
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)
