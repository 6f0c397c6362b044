"""People, places and text in photos, as a person sees them in a real browser: a face box linking to its person,
naming them on the People page, stepping through their photos from their page, the place of a GPS photo leading
to a search, the text read in a scanned page."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import serving, sync_api
from tests.e2e.test_browser_flow import Shots, Watch, sign_up
from tests.people.conftest import astronaut_png, gps_jpeg, page_png

pytestmark = pytest.mark.slow  # a real browser and the offline face, text and place models

expect = sync_api.expect


@pytest.fixture(scope="module")
def understanding_server(tmp_path_factory):
    """A live server whose analysis finds faces, reads text and resolves places (the offline models)."""
    with serving(tmp_path_factory.mktemp("e2e-people") / "data", FACES_ENABLED=True, OCR_ENABLED=True,
                 PLACES_ENABLED=True, FACE_MIN_COUNT=1) as server:
        yield server


def files() -> list[dict]:
    return [{"name": "eileen.png", "mimeType": "image/png", "buffer": astronaut_png()},
            {"name": "eiffel.jpg", "mimeType": "image/jpeg", "buffer": gps_jpeg(48.8322, 2.3561)},  # Paris 13e
            {"name": "scan.png", "mimeType": "image/png", "buffer": page_png()}]


@pytest.mark.parametrize("viewport", [(375, 812), (1440, 900)], ids=["phone", "desktop"])
def test_faces_places_and_text_on_the_photo_page(browser, understanding_server, screenshots, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=understanding_server.url,
                                  has_touch=width < 600)
    context.set_default_timeout(15000)
    page = context.new_page()
    watch = Watch(page)
    shot = Shots(page, screenshots / f"{width}x{height}-people")
    try:
        sign_up(page, shot, f"faces{width}@example.com")
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Upload photos").click()
        chooser.value.set_files(files())
        expect(page.locator("[data-upload-panel]").get_by_role("heading")).to_have_text("3 uploaded", timeout=90_000)
        ids = {p["filename"]: p["id"] for p in page.request.get("/api/photos").json()["items"]}

        page.goto(f"/photos/{ids['eileen.png']}")
        box = page.locator("[data-face-box]")
        expect(box).to_have_count(1)
        person_url = box.get_attribute("href")
        assert person_url and person_url.startswith("/people/")
        shot("photo-face-box")

        page.goto("/people")
        name = page.get_by_label("Name")
        expect(name).to_have_count(1)
        name.fill("Eileen Collins")
        name.press("Enter")
        page.wait_for_function("() => fetch('/api/people').then(r => r.json()).then(d => "
                               "d.items.some(p => p.name === 'Eileen Collins'))")
        shot("people-named")
        page.goto(f"/photos/{ids['eileen.png']}")
        expect(page.get_by_role("link", name="Eileen Collins", exact=True)).to_be_visible()
        expect(page.locator("[data-face-box]")).to_have_attribute("title", "Eileen Collins")
        page.goto(person_url)
        expect(page.get_by_label("Name")).to_have_value("Eileen Collins")
        expect(page.locator(f"a[href='/photos/{ids['eileen.png']}']")).to_have_count(1)
        # Her photo, opened from her page, steps through her photos only and leads back to her.
        page.locator(f"a[href='/photos/{ids['eileen.png']}']").click()
        page.wait_for_url(f"**/photos/{ids['eileen.png']}")
        expect(page.locator("body[data-ready]")).to_have_count(1)
        expect(page.locator("[data-back]")).to_have_attribute("href", person_url)
        expect(page.get_by_role("button", name="Next photo")).to_be_hidden()

        page.goto(f"/photos/{ids['eiffel.jpg']}")
        place = page.get_by_role("link", name="Salpêtrière, Paris, Île-de-France, France")
        expect(place).to_be_visible()
        place.click()
        page.wait_for_url("**/search?place=Paris")
        expect(page.locator("a.tile")).to_have_count(1)

        page.goto(f"/photos/{ids['scan.png']}")
        expect(page.locator("[data-meta]")).to_contain_text("segmentation")
        shot("photo-text")

        page.goto("/places")
        expect(page.get_by_role("region", name="France")).to_contain_text("Paris")
        district = page.get_by_role("list", name="Districts of Paris").get_by_role("link", name="Salpêtrière (1)")
        expect(district).to_have_attribute("href", "/search?place=Salp%C3%AAtri%C3%A8re")
        shot("places")
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)
