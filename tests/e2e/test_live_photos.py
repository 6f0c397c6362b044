"""Live Photos and Motion Photos in a real browser, on a phone and on a desktop screen: one tile with a "Live" badge
that plays its clip muted over the picture on hover (a mouse) or while its badge is held (a finger), and the photo
page's button that plays it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sync_api
from tests.e2e.test_browser_flow import Shots, Watch, sign_up
from tests.media.live_samples import clip, motion_photo

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect
#: A clip that has played: it has a picture and its time has moved.
PLAYED = "video => video.readyState >= 2 && video.currentTime > 0 && !video.paused"


def upload_motion_photo(page) -> int:
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")
    data, _movie = motion_photo("container", clip("mp4", frames=72, size=(160, 120)))
    reply = page.request.post("/api/photos", headers={"X-CSRF-TOKEN": csrf}, multipart={
        "files": {"name": "PXL_20240501_100000000.MP.jpg", "mimeType": "image/jpeg", "buffer": data}})
    assert reply.status == 201, reply.text()
    return reply.json()["photos"][0]["id"]


def plays_on_the_tile(page, shot, photo_id: int, phone: bool) -> None:
    page.goto("/")
    tile = page.locator(f'[data-grid] a.tile[data-id="{photo_id}"]')
    badge = tile.get_by_role("button", name="Play Live Photo")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("Live")
    expect(tile.locator("video")).to_have_count(0)
    if phone:
        badge.dispatch_event("pointerdown", {"pointerType": "touch", "isPrimary": True, "bubbles": True})
    else:
        tile.hover()
    video = tile.locator("video[data-live-clip]")
    video.wait_for()
    page.wait_for_function(PLAYED, arg=video.element_handle())
    assert video.evaluate("video => video.muted")
    shot("tile-playing")
    if phone:
        badge.dispatch_event("pointerup", {"pointerType": "touch", "isPrimary": True, "bubbles": True})
    else:
        page.mouse.move(1, 1)
    expect(tile.locator("video")).to_have_count(0)
    assert "/photos/" not in page.url  # holding the badge opened nothing


def plays_on_the_photo_page(page, shot, photo_id: int) -> None:
    page.goto(f"/photos/{photo_id}")
    button = page.get_by_role("button", name="Play Live Photo")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    video = page.locator("video[data-live-clip]")
    video.wait_for()
    page.wait_for_function(PLAYED, arg=video.element_handle())
    expect(button).to_have_attribute("aria-pressed", "true")
    shot("photo-page-playing")
    button.click()
    expect(video).to_have_count(0)
    expect(page.locator("[data-photo-img]")).to_be_visible()


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
def test_a_motion_photo_plays_its_clip_over_its_tile_and_on_its_page(browser, live_server, screenshots, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url,
                                  has_touch=width < 600)
    context.set_default_timeout(8000)
    page = context.new_page()
    watch = Watch(page)
    shot = Shots(page, screenshots / f"{width}x{height}-live-photos")
    try:
        sign_up(page, shot, f"mover{width}@example.com")
        photo_id = upload_motion_photo(page)
        plays_on_the_tile(page, shot, photo_id, phone=width < 600)
        plays_on_the_photo_page(page, shot, photo_id)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)
