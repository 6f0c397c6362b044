"""What a new user hit, fixed and checked in a real browser on a phone and a desktop screen, dark mode included:
the upload panel's bars, order and Escape; "Saved" after renaming someone; forgetting a person through the
page's own dialog; a reversed date range said as such; a heading on photo and person pages; tiles described by
what is known rather than their file name; the first row of thumbnails loaded first; the reset page without a
token; the skip link and the photo page's top bar readable; the upload button named by its visible text."""

from __future__ import annotations

import re

import pytest

from shoebox.models import Person, User
from tests.conftest import PASSWORD
from tests.e2e.conftest import serving, sync_api
from tests.e2e.test_browser_flow import Shots, scene, three_photos

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect
VIEWPORTS = [(375, 812), (1440, 900)]
#: The WCAG 2.1 contrast ratio of an element's text on its background colour (both computed, alpha ignored).
CONTRAST = """el => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const paint = canvas.getContext("2d", { willReadFrequently: true });
  const rgb = (colour) => {  // any CSS colour (Tailwind's are oklch) as sRGB, through a canvas
    paint.clearRect(0, 0, 1, 1);
    paint.fillStyle = colour;
    paint.fillRect(0, 0, 1, 1);
    return [...paint.getImageData(0, 0, 1, 1).data.slice(0, 3)].map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  };
  const lum = (c) => { const [r, g, b] = rgb(c); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const style = getComputedStyle(el);
  const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("e2e-defects") / "data") as live:
        yield live


def _context(browser, server, viewport, **options):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url,
                                  has_touch=width < 600, **options)
    context.set_default_timeout(10000)
    return context


def _signed_in(context, email: str) -> str:
    """Register `email` in the context (its cookies sign it in); the CSRF token for writes."""
    assert context.request.post("/api/auth/register", data={"email": email, "password": PASSWORD}).status == 201
    return next(c["value"] for c in context.cookies() if c["name"] == "csrf_access_token")


def _upload(context, csrf: str, files: list[dict]) -> list[int]:
    ids = []
    for part in files:
        reply = context.request.post("/api/photos", multipart={"files": part}, headers={"X-CSRF-TOKEN": csrf})
        assert reply.status == 201, reply.text()
        ids.append(reply.json()["photos"][0]["id"])
    return ids


def _jpegs(count: int) -> list[dict]:
    return [{"name": f"IMG_{n:04d}.jpg", "mimeType": "image/jpeg",
             "buffer": scene((20 * n % 255, 90, 160), (200, 220, 240), (255, 250, 230),
                             f"2024:05:{n + 1:02d} 10:00:00")}
            for n in range(count)]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_upload_panel_bars_order_and_escape(browser, server, screenshots, viewport):
    context = _context(browser, server, viewport)
    page = context.new_page()
    shot = Shots(page, screenshots / f"{viewport[0]}x{viewport[1]}-upload-panel")
    held = []
    try:
        _signed_in(context, f"panel{viewport[0]}@example.com")
        page.route("**/api/photos", lambda route: held.append(route) if route.request.method == "POST"
                   else route.continue_())
        page.goto("/")
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Upload photos", exact=True).click()
        chooser.value.set_files(_jpegs(9))
        panel = page.locator("[data-upload-panel]")
        uploading = panel.locator('li[data-state="uploading"]')
        expect(uploading).to_have_count(3)
        waiting = panel.locator('li[data-state="waiting"]')
        expect(waiting).to_have_count(6)
        widths = waiting.locator("[role=progressbar] > span").evaluate_all("s => s.map(e => e.offsetWidth)")
        assert widths == [0] * 6, "a queued file's bar must be empty"
        box = panel.locator("[data-upload-list]").bounding_box()
        for index in range(3):  # the files being sent are in sight, not below the fold
            row = uploading.nth(index).bounding_box()
            assert box["y"] <= row["y"] and row["y"] + row["height"] <= box["y"] + box["height"] + 1
        expect(uploading.first.locator("p").first).to_have_text("IMG_0000.jpg")
        shot("queued")
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
    finally:
        for route in held:
            route.abort()
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_library_tiles_search_photo_and_reset_pages(browser, server, screenshots, viewport):
    context = _context(browser, server, viewport, color_scheme="dark")
    page = context.new_page()
    shot = Shots(page, screenshots / f"{viewport[0]}x{viewport[1]}-defects")
    try:
        page.goto("/reset-password")
        expect(page.get_by_role("alert")).to_contain_text("has no reset token")
        expect(page.get_by_label("New password")).to_have_count(0)
        shot("reset-without-token")

        csrf = _signed_in(context, f"tiles{viewport[0]}@example.com")
        ids = _upload(context, csrf, _jpegs(12) + three_photos())
        page.goto("/")
        tiles = page.locator("[data-grid] a.tile img")
        expect(tiles).to_have_count(15)
        loading = tiles.evaluate_all("imgs => imgs.map(i => [i.loading, i.getAttribute('fetchpriority')])")
        assert loading[:10] == [["eager", "high"]] * 10 and loading[10:] == [["lazy", None]] * 5
        alts = tiles.evaluate_all("imgs => imgs.map(i => i.alt)")
        assert all(alt.startswith("Photo") and ", taken " in alt for alt in alts), alts
        assert not any(".jpg" in alt for alt in alts)
        shot("library-dark")

        # The skip link, focused, is readable in dark mode.
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        expect(skip).to_be_focused()
        assert skip.evaluate(CONTRAST) >= 4.5
        shot("skip-link-dark")

        page.goto("/search?from=2024-06-30&to=2024-01-01")
        expect(page.get_by_role("alert")).to_have_text(
            "The date range is reversed: “From” is after “To”. Swap the two dates to see photos.")
        expect(page.get_by_text("No photos match")).to_be_hidden()
        shot("reversed-range")

        page.goto(f"/photos/{ids[0]}")
        expect(page.get_by_role("heading", level=1)).to_have_text("IMG_0000.jpg")
        bar = page.locator("[data-photo-bar]")
        style = bar.evaluate("el => [getComputedStyle(el).backgroundImage, getComputedStyle(el).backgroundColor]")
        alpha = float(re.split(r"[,/]", style[1])[-1].strip(" )")) if re.search(r"[,/]", style[1]) else 1.0
        assert style[0] == "none" and alpha >= 0.6, style  # solid: no gradient fading to the bright photo
        shot("photo-bar")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_people_rename_says_saved_and_forgetting_uses_the_pages_dialog(browser, server, screenshots, viewport):
    context = _context(browser, server, viewport)
    page = context.new_page()
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    shot = Shots(page, screenshots / f"{viewport[0]}x{viewport[1]}-people-defects")
    try:
        email = f"people{viewport[0]}@example.com"
        _signed_in(context, email)
        with server.app.app_context(), server.app.extensions["db"].transaction() as session:
            user_id = session.query(User.id).filter_by(email=email).scalar()
            ann, bo = Person(user_id=user_id, name="Ann"), Person(user_id=user_id, name="Bo")
            session.add_all([ann, bo])
            session.flush()
            ann_id = ann.id
        page.goto("/people")
        name = page.get_by_label("Name").first
        expect(name).to_have_value("Ann")
        name.fill("Annie")
        name.press("Enter")
        expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
        shot("renamed-saved")

        page.goto(f"/people/{ann_id}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Annie")
        forget = page.get_by_role("button", name="Forget this person…")
        assert "btn-secondary" in forget.get_attribute("class")
        forget.click()
        dialog = page.get_by_role("dialog", name="Forget this person?")
        expect(dialog).to_be_visible()
        shot("forget-dialog")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()
        assert page.url.endswith(f"/people/{ann_id}")
        forget.click()
        dialog.get_by_role("button", name="Forget").click()
        page.wait_for_url("**/people")
        assert page.request.get(f"/api/people/{ann_id}").status == 404
        assert native == [], "the browser's own confirm() was used"
    finally:
        context.close()


def test_the_upload_buttons_name_is_its_visible_text(browser, server):
    context = _context(browser, server, (1440, 900))
    page = context.new_page()
    try:
        _signed_in(context, "named@example.com")
        page.goto("/")
        button = page.get_by_role("button", name="Upload photos", exact=True)
        expect(button).to_be_visible()
        assert button.inner_text().strip() == "Upload photos" and button.get_attribute("aria-label") is None
    finally:
        context.close()
