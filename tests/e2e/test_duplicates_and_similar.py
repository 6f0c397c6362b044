"""Near-duplicates and "More like this" in a real browser, against an app that runs the packaged text embedder."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw

from tests.e2e.conftest import serving, sync_api
from tests.e2e.test_browser_flow import Shots, Watch, scene, show_pages, sign_up

pytestmark = pytest.mark.slow  # a real browser and the packaged text embedder

expect = sync_api.expect
MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def semantic_server(tmp_path_factory):
    """Like the session's live server, but photos get text embeddings (caption, tags, note) from MiniLM."""
    with serving(tmp_path_factory.mktemp("e2e-similar") / "data", EMBED_MODEL=MINILM) as server:
        yield server


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def four_photos() -> list[dict]:
    """A photo, a smaller re-encoded copy of it, and two photos that look like neither."""
    original = scene((250, 120, 60), (80, 40, 120), (255, 220, 120), "2024:06:21 21:04:00")
    copy = encoded(Image.open(io.BytesIO(original)).resize((480, 320)), "JPEG", quality=70)
    stripes = Image.new("RGB", (800, 800), (235, 235, 225))
    draw = ImageDraw.Draw(stripes)
    for x in range(0, 800, 100):
        draw.rectangle((x, 0, x + 49, 800), fill=(40, 90, 140))
    draw.ellipse((250, 250, 550, 550), fill=(200, 30, 30))
    page = Image.new("RGB", (600, 800), (250, 250, 250))
    draw = ImageDraw.Draw(page)
    for y in range(80, 720, 40):
        draw.rectangle((60, y, 60 + (y * 7) % 420 + 60, y + 12), fill=(20, 20, 20))
    files = [("harbour.jpg", original), ("harbour-small.jpg", copy),
             ("boats.png", encoded(stripes, "PNG")), ("bill.png", encoded(page, "PNG"))]
    return [{"name": name, "mimeType": "image/png" if name.endswith(".png") else "image/jpeg", "buffer": data}
            for name, data in files]


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
def test_duplicates_page_and_more_like_this(browser, semantic_server, screenshots, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=semantic_server.url,
                                  has_touch=width < 600)
    context.set_default_timeout(8000)
    page = context.new_page()
    watch = Watch(page)
    shot = Shots(page, screenshots / f"{width}x{height}-similar")
    try:
        sign_up(page, shot, f"twins{width}@example.com")
        ids = upload(page)
        delete_a_duplicate(page, shot, ids)
        more_like_this(page, shot, ids)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)


def upload(page) -> dict[str, int]:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload photos").click()
    chooser.value.set_files(four_photos())
    panel = page.locator("[data-upload-panel]")
    # Each upload is analysed before it answers (JOBS_IMMEDIATE): the first one loads MiniLM.
    expect(panel.get_by_role("heading")).to_have_text("4 uploaded", timeout=60_000)
    panel.get_by_role("button", name="Close the upload list").click()
    items = page.request.get("/api/photos?limit=10").json()["items"]
    return {item["filename"]: item["id"] for item in items}


def delete_a_duplicate(page, shot, ids: dict[str, int]) -> None:
    # The header's pages (a menu on a phone) lead to it.
    menu = show_pages(page)
    expect(menu.get_by_role("link", name="Jobs")).to_be_visible()
    shot("menu-open")
    menu.get_by_role("link", name="Duplicates").click()
    page.wait_for_url("**/duplicates")
    expect(page.get_by_role("heading", name="Duplicates", exact=True)).to_be_visible()
    expect(page.locator("body[data-ready]")).to_have_count(1)
    groups = page.locator("[data-dup-group]")
    expect(groups).to_have_count(1)
    group = groups.first
    expect(group.get_by_role("heading")).to_have_text("2 similar photos")
    expect(group.get_by_role("link")).to_have_text(["harbour.jpg", "harbour-small.jpg"])
    expect(group.get_by_text("960 × 640")).to_be_visible()
    expect(group.get_by_text("480 × 320")).to_be_visible()
    expect(group.locator("[data-size]")).to_have_text([re.compile(r"^\d[\d.]* KB$")] * 2)  # fetched after
    expect(page.get_by_role("status")).to_have_text("1 group · 2 photos")
    expect(group.locator("img").first).to_have_js_property("complete", True)
    shot("duplicates", full_page=True)

    group.get_by_role("button", name="Delete harbour-small.jpg").click()
    dialog = page.get_by_role("dialog", name="Move this photo to Trash?")
    expect(dialog).to_contain_text("“harbour-small.jpg” stays in Trash for 30 days")
    shot("duplicates-delete-confirm")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(group.locator("[data-dup-photo]")).to_have_count(2)

    group.get_by_role("button", name="Delete harbour-small.jpg").click()
    dialog.get_by_role("button", name="Move to Trash").click()
    # One photo left is a duplicate of nothing: its group goes, and with it the last group.
    expect(groups).to_have_count(0)
    expect(page.get_by_role("heading", name="No near-duplicates found")).to_be_visible()
    assert page.request.get(f"/api/photos/{ids['harbour-small.jpg']}").status == 404
    assert page.request.get("/api/duplicates").json() == {"groups": []}
    shot("duplicates-empty")


def more_like_this(page, shot, ids: dict[str, int]) -> None:
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")
    for name, caption in [("boats.png", "Fishing boats moored in a small harbour at dusk"),
                          ("bill.png", "Scanned electricity bill from the power company")]:
        reply = page.request.patch(f"/api/photos/{ids[name]}", data={"caption": caption},
                                   headers={"X-CSRF-TOKEN": csrf})
        assert reply.ok, reply.text()
    page.goto(f"/photos/{ids['harbour.jpg']}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    caption = page.get_by_label("Caption")
    caption.fill("Sailing boats in the golden harbour")
    caption.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()

    similar = page.get_by_role("region", name="More like this")
    expect(similar).to_be_visible()
    tiles = similar.get_by_role("link")
    expect(tiles).to_have_count(2)  # everyone else in the library, nearest first; never the photo itself
    expect(tiles.first).to_have_attribute("href", f"/photos/{ids['boats.png']}")
    expect(tiles.first.get_by_role("img")).to_have_accessible_name("Fishing boats moored in a small harbour at dusk")
    expect(tiles.last).to_have_attribute("href", f"/photos/{ids['bill.png']}")
    nearest = page.request.get(f"/api/photos/{ids['harbour.jpg']}/similar?limit=8").json()["items"]
    assert [item["id"] for item in nearest] == [ids["boats.png"], ids["bill.png"]]
    assert nearest[0]["similarity"] > nearest[1]["similarity"]
    for img in tiles.locator("img").all():
        expect(img).to_have_js_property("complete", True)
    phone = page.viewport_size["width"] < 600
    if phone:
        page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page repeats the sticky header
    else:
        similar.scroll_into_view_if_needed()  # the details panel scrolls by itself on a wide screen
    shot("photo-more-like-this", full_page=phone)

    tiles.first.click()
    page.wait_for_url(f"**/photos/{ids['boats.png']}")
    expect(page.locator("body[data-ready]")).to_have_count(1)
    expect(page.get_by_role("region", name="More like this").get_by_role("link").first).to_have_attribute(
        "href", f"/photos/{ids['harbour.jpg']}")
