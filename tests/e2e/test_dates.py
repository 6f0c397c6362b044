"""In a real browser: a photo whose file has no date takes the file's own time, and the user corrects the date
and location on the photo page."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pytest

from tests.conftest import PASSWORD, make_image
from tests.e2e.conftest import serving, sync_api
from tests.e2e.test_browser_flow import Watch

expect = sync_api.expect
#: The PNG's modified time: noon in Paris (summer time, UTC+02:00).
MODIFIED = datetime(2015, 6, 1, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("e2e-dates") / "data") as server:
        yield server


def test_an_uploaded_png_is_dated_by_its_files_last_modified_time_and_can_be_corrected(browser, server, tmp_path):
    drawing = tmp_path / "drawing.png"
    drawing.write_bytes(make_image("PNG"))
    os.utime(drawing, (MODIFIED.timestamp(), MODIFIED.timestamp()))
    context = browser.new_context(base_url=server.url, timezone_id="Europe/Paris", locale="en-GB")
    context.set_default_timeout(8000)
    page = context.new_page()
    watch = Watch(page, server)
    try:
        reply = page.request.post("/api/auth/register", data={"email": "dates@example.com", "password": PASSWORD})
        assert reply.ok, reply.text()
        page.goto("/")
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Upload photos").click()
        chooser.value.set_files(str(drawing))
        expect(page.locator("[data-upload-panel]").get_by_role("heading")).to_have_text("1 uploaded")
        photo = page.request.get("/api/photos").json()["items"][0]
        detail = page.request.get(f"/api/photos/{photo['id']}").json()
        assert (detail["taken_at"], detail["taken_at_offset"], detail["taken_at_source"]) == (
            "2015-06-01T12:00:00", "+02:00", "file")

        page.goto(f"/photos/{photo['id']}")
        expect(page.locator("body[data-ready]")).to_have_count(1)
        expect(page.get_by_label("Date taken")).to_have_value(re.compile(r"^2015-06-01T12:00(:00)?$"))
        page.get_by_label("Date taken").fill("2014-05-04T03:02:01")
        page.get_by_label("Date taken").dispatch_event("change")
        expect(page.locator("[data-date-source]")).to_have_text("Set by you")
        page.get_by_label("Location").fill("48.8584, 2.2945")
        page.get_by_label("Location").blur()
        expect(page.locator("[data-save-status]")).to_have_text("Saved")
        detail = page.request.get(f"/api/photos/{photo['id']}").json()
        assert (detail["taken_at"], detail["taken_at_offset"], detail["taken_at_source"]) == (
            "2014-05-04T03:02:01", "+02:00", "user")
        assert (detail["gps"]["latitude"], detail["gps"]["longitude"], detail["location_source"]) == (
            48.8584, 2.2945, "user")
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)
