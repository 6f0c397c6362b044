"""The whole life of an account in a real browser, on a phone and on a desktop screen."""

from __future__ import annotations

import base64
import io
import re
import shutil
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageDraw, ImageOps
from PIL.TiffImagePlugin import IFDRational

from tests.auth.test_password_reset import reset_link
from tests.conftest import PASSWORD
from tests.e2e.conftest import sync_api

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect
IFD, TAG, GPS = ExifTags.IFD, ExifTags.Base, ExifTags.GPS
NEW_PASSWORD = "a brand new secret"
# Expected non-2xx answers: (method, path pattern, status). Everything else fails the test.
EXPECTED_ERRORS = [
    ("POST", r"/api/photos", 415),  # the text file in the upload batch
    ("PATCH", r"/api/photos/\d+", 401),  # the edit sent after the access cookie was dropped (then refreshed)
]


def scene(top, bottom, sun, taken: str, camera: tuple[str, str] | None = None, gps: bool = False) -> bytes:
    """A small landscape-like JPEG (sky gradient, a sun, a horizon) with EXIF date, camera and GPS."""
    size = (960, 640)
    image = ImageOps.colorize(Image.linear_gradient("L").resize(size), black=top, white=bottom)
    draw = ImageDraw.Draw(image)
    draw.ellipse((600, 180, 760, 340), fill=sun)
    draw.polygon([(0, 470), (260, 380), (520, 450), (760, 360), (960, 430), (960, 640), (0, 640)], fill=(30, 40, 60))
    exif = Image.Exif()
    exif.get_ifd(IFD.Exif)[TAG.DateTimeOriginal] = taken
    if camera:
        exif[TAG.Make], exif[TAG.Model] = camera
        details = exif.get_ifd(IFD.Exif)
        details[TAG.ExposureTime], details[TAG.FNumber] = IFDRational(1, 250), IFDRational(28, 10)
        details[TAG.ISOSpeedRatings], details[TAG.FocalLength] = 200, IFDRational(35, 1)
    if gps:
        info = exif.get_ifd(IFD.GPSInfo)
        info[GPS.GPSLatitudeRef], info[GPS.GPSLatitude] = "N", (53.0, 32.0, 41.0)
        info[GPS.GPSLongitudeRef], info[GPS.GPSLongitude] = "W", (9.0, 54.0, 12.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, exif=exif)
    return buffer.getvalue()


def three_photos() -> list[dict]:
    photos = [
        ("harbour.jpg", scene((250, 120, 60), (80, 40, 120), (255, 220, 120), "2024:06:21 21:04:00",
                              ("FUJIFILM", "X-T4"), gps=True)),
        ("lake.jpg", scene((40, 110, 200), (170, 220, 240), (255, 255, 230), "2024:06:02 09:15:00")),
        ("forest.jpg", scene((20, 90, 60), (160, 210, 140), (250, 240, 200), "2023:10:08 15:30:00")),
    ]
    return [{"name": name, "mimeType": "image/jpeg", "buffer": data} for name, data in photos]


class Watch:
    """Collects console errors, failed requests and unexpected error answers of a page."""

    def __init__(self, page) -> None:
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        if any(f"status of {status}" in text for _m, _p, status in EXPECTED_ERRORS):
            return
        self.problems.append(f"console error: {text} at {message.location}")

    def _failed(self, request) -> None:
        # A navigation cancels what the old page was still loading: that is not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.method} {request.url} {request.failure}")

    def _response(self, response) -> None:
        if response.status < 400:
            return
        path = re.sub(r"^https?://[^/]+", "", response.url).split("?")[0]
        if any((response.request.method, response.status) == (method, status) and re.fullmatch(pattern, path)
               for method, pattern, status in EXPECTED_ERRORS):
            return
        self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")


class Shots:
    def __init__(self, page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0
        shutil.rmtree(folder, ignore_errors=True)  # last run's pictures of this test
        folder.mkdir(parents=True)

    def __call__(self, name: str, full_page: bool = False) -> None:
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=full_page)


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
def test_sign_up_upload_edit_search_and_reset_password(browser, live_server, screenshots, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url,
                                  has_touch=width < 600)
    context.set_default_timeout(8000)
    page = context.new_page()
    watch = Watch(page)
    shot = Shots(page, screenshots / f"{width}x{height}")
    email = f"walker{width}@example.com"
    try:
        sign_up(page, shot, email)
        photo_ids = upload(page, shot)
        photo_id = edit_photo(page, shot, photo_ids)
        search(page, shot, photo_id)
        visit_jobs(page, shot)
        log_out(page, shot)
        reset_password(page, shot, live_server, email)
        log_in(page, shot, email)
        drop_and_delete(page, shot)
        if width > 1000:
            dark_mode(page, shot, photo_id)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def sign_up(page, shot, email: str) -> None:
    page.goto("/register")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Enter your email address.")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Use at least 10 characters (5 so far).")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    shot("register-inline-errors")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", name="Your shoebox is empty")).to_be_visible()
    shot("library-empty")


def upload(page, shot) -> list[int]:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload photos").click()
    chooser.value.set_files(three_photos())
    panel = page.locator("[data-upload-panel]")
    expect(panel.locator('li[data-state="added"]')).to_have_count(3)
    expect(panel.get_by_role("heading")).to_have_text("3 uploaded")
    tiles = page.locator("[data-grid] a.tile")
    expect(tiles).to_have_count(3)  # no reload: the grid took them from the upload answers
    expect(page.locator("[data-grid] h2")).to_have_text(["June 2024", "October 2023"])
    shot("library-uploaded")
    # A duplicate and a file that is no image are reported per file with the reason.
    with page.expect_file_chooser() as chooser:
        panel.get_by_role("button", name="Upload more photos").click()
    chooser.value.set_files([three_photos()[1], {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    expect(panel.locator('li[data-state="duplicate"]')).to_contain_text("Already in your library")
    expect(panel.locator('li[data-state="failed"]')).to_contain_text("not an image")
    shot("upload-duplicate-and-failure")
    panel.get_by_role("button", name="Close the upload list").click()
    expect(tiles).to_have_count(3)
    for tile in tiles.all():
        expect(tile.locator("img")).to_have_js_property("complete", True)
    return [int(tile.get_attribute("data-id")) for tile in tiles.all()]


def open_details(page, tile) -> None:
    """A tile opens the full-screen viewer; its Details button, the photo's page."""
    tile.click()
    expect(page.locator(".pswp")).to_be_visible()
    page.get_by_role("button", name="Details").click()


def edit_photo(page, shot, photo_ids: list[int]) -> int:
    open_details(page, page.locator("[data-grid] a.tile").first)
    page.wait_for_url(f"**/photos/{photo_ids[0]}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    details = page.get_by_role("complementary", name="Photo details")
    expect(details.get_by_text("FUJIFILM X-T4")).to_be_visible()
    osm = details.get_by_role("link", name="Open in OpenStreetMap")
    expect(osm).to_have_attribute("href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=53\.5\d+&mlon=-9\.9\d+#map=15/"))
    caption = page.get_by_label("Caption")
    caption.fill("Boats in the golden harbour")
    caption.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    page.get_by_label("Add a tag").fill("harbour, Sunset")
    page.get_by_label("Add a tag").press("Enter")
    expect(details.get_by_role("link", name="harbour")).to_be_visible()
    expect(details.get_by_role("button", name="Remove tag sunset")).to_be_visible()
    # An expired access cookie is renewed from the refresh cookie, and the edit goes through.
    page.context.clear_cookies(name="access_token_cookie")
    page.get_by_label("Note").fill("Evening walk along the pier.")
    page.get_by_label("Note").blur()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    assert "access_token_cookie" in {cookie["name"] for cookie in page.context.cookies()}  # renewed
    saved = page.request.get(f"/api/photos/{photo_ids[0]}").json()
    assert (saved["caption"], saved["tags"], saved["note"]) == (
        "Boats in the golden harbour", ["harbour", "sunset"], "Evening walk along the pier.")
    page.evaluate("window.scrollTo(0, 0)")
    shot("photo-edited", full_page=page.viewport_size["width"] < 600)
    page.keyboard.press("ArrowRight")  # the grid's order: the next photo
    page.wait_for_url(f"**/photos/{photo_ids[1]}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(f"**/photos/{photo_ids[0]}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("[data-grid] a.tile")).to_have_count(3)
    return photo_ids[0]


def search(page, shot, photo_id: int) -> None:
    page.get_by_role("searchbox", name="Search your photos").fill("golden harbour")
    page.wait_for_url("**/search?q=golden+harbour")
    results = page.locator("[data-grid] a.tile")
    expect(results.first).to_have_attribute("data-id", str(photo_id))
    shot("search-results")
    page.get_by_role("searchbox", name="Search your photos").fill("zebra snowmobile")
    expect(page.get_by_role("heading", name="No photos match “zebra snowmobile”")).to_be_visible()
    shot("search-empty")
    page.get_by_role("button", name="Clear search and filters").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("[data-grid] a.tile")).to_have_count(3)
    # A tag chip on the photo page searches that tag.
    page.goto(f"/photos/{photo_id}")
    page.get_by_role("complementary", name="Photo details").get_by_role("link", name="sunset").click()
    page.wait_for_url("**/search?tag=sunset")
    expect(page.get_by_label("Tag")).to_have_value("sunset")
    expect(page.locator("[data-grid] a.tile")).to_have_count(1)
    expect(page.locator("[data-grid] a.tile").first).to_have_attribute("data-id", str(photo_id))
    shot("search-by-tag")


def visit_jobs(page, shot) -> None:
    page.goto("/jobs")
    expect(page.get_by_role("heading", name="Background work")).to_be_visible()
    expect(page.locator("[data-jobs-summary]")).not_to_have_text("Loading…")
    shot("jobs")


def show_pages(page):
    """The navigation that names every page: the row under the header, or on a phone the menu it opens."""
    toggle = page.get_by_role("button", name="Menu")
    if toggle.is_visible():
        toggle.click()
    return page.get_by_role("navigation", name="Pages")


def log_out(page, shot) -> None:
    show_pages(page).get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    page.goto("/")
    page.wait_for_url("**/login?next=/")  # signed out for real: the cookies are gone
    shot("login")


def reset_password(page, shot, server, email: str) -> None:
    sent = len(server.inbox.messages)
    page.get_by_role("link", name="Forgot password?").click()
    page.wait_for_url("**/forgot-password")  # loaded: a click before the script runs would submit a plain GET
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_role("status")).to_contain_text("reset link is on its way")
    shot("forgot-password")
    link = reset_link(server.inbox.wait_for(sent + 1))
    assert link.startswith(server.url)
    page.goto(link)
    page.get_by_label("New password").fill("tiny")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Use at least 10 characters (4 so far).")).to_be_visible()
    shot("reset-password-inline-error")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("status")).to_contain_text("password has been changed")
    page.wait_for_url("**/login")


def log_in(page, shot, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("[data-grid] a.tile")).to_have_count(3)
    for tile in page.locator("[data-grid] a.tile").all():
        expect(tile.locator("img")).to_have_js_property("complete", True)
    shot("library-after-sign-in")


def drop_and_delete(page, shot) -> None:
    """Drop a file anywhere on the page: it uploads; then delete it, after saying yes to the question."""
    page.goto("/")
    tiles = page.locator("[data-grid] a.tile")
    expect(tiles).to_have_count(3)
    dropped = base64.b64encode(scene((120, 60, 160), (250, 170, 120), (255, 250, 220), "2025:01:05 12:00:00"))
    transfer = page.evaluate_handle("""(data) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], "dropped.jpg", { type: "image/jpeg" }));
        return transfer;
    }""", dropped.decode())
    page.dispatch_event("main", "dragenter", {"dataTransfer": transfer})
    expect(page.get_by_text("Drop photos to upload")).to_be_visible()
    shot("drop-overlay")
    page.dispatch_event("main", "drop", {"dataTransfer": transfer})
    expect(page.get_by_text("Drop photos to upload")).to_be_hidden()
    expect(tiles).to_have_count(4)
    expect(page.locator("[data-grid] h2").first).to_have_text("January 2025")
    new_id = tiles.first.get_attribute("data-id")
    page.get_by_role("button", name="Close the upload list").click()
    open_details(page, tiles.first)
    page.wait_for_url(f"**/photos/{new_id}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    page.get_by_role("button", name="Delete photo").click()
    dialog = page.get_by_role("dialog", name="Move this photo to Trash?")
    expect(dialog).to_be_visible()
    shot("delete-confirm")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Delete photo").click()
    dialog.get_by_role("button", name="Move to Trash").click()
    page.wait_for_url(lambda url: "/photos/" in url and not url.endswith(f"/photos/{new_id}"))
    expect(page.locator("body[data-ready]")).to_have_count(1)
    assert page.request.get(f"/api/photos/{new_id}").status == 404
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"/$"))
    expect(tiles).to_have_count(3)


def dark_mode(page, shot, photo_id: int) -> None:
    page.emulate_media(color_scheme="dark")
    shot("library-dark")
    page.goto(f"/photos/{photo_id}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    shot("photo-dark")
