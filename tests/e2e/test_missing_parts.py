"""A server without a captioning model, as a new user meets it offline: the photo page says in plain words what
is missing and that search already works; the Jobs page says once why, and how to fix it."""

from __future__ import annotations

import pytest

from tests.conftest import make_jpeg
from tests.e2e.conftest import serving, sync_api
from tests.e2e.test_browser_flow import Shots, Watch, sign_up

pytestmark = pytest.mark.slow  # a real browser

expect = sync_api.expect


def test_a_missing_captioner_is_explained_on_the_photo_and_once_on_the_jobs_page(browser, tmp_path, screenshots):
    with serving(tmp_path / "data", CAPTION_MODEL=str(tmp_path / "no-captioner"), PLACES_ENABLED=True) as server:
        context = browser.new_context(base_url=server.url)
        context.set_default_timeout(15000)
        page = context.new_page()
        watch = Watch(page)
        shot = Shots(page, screenshots / "missing-parts")
        try:
            sign_up(page, shot, "offline@example.com")
            with page.expect_file_chooser() as chooser:
                page.get_by_role("button", name="Upload photos").click()
            chooser.value.set_files([{"name": "beach.jpg", "mimeType": "image/jpeg", "buffer": make_jpeg()}])
            heading = page.locator("[data-upload-panel]").get_by_role("heading")
            expect(heading).to_have_text("1 uploaded", timeout=90_000)
            photo_id = page.request.get("/api/photos").json()["items"][0]["id"]

            page.goto(f"/photos/{photo_id}")
            expect(page.locator("[data-status]")).to_have_text("Partly analysed")
            reason = page.locator("[data-status-reason]")
            expect(reason).to_have_text("Everything but the caption is done: this server has no model for it yet "
                                        "(see Background work). Search already finds this photo by its place and "
                                        "file name.")
            shot("photo")

            page.goto("/jobs")
            expect(page.locator("[data-count='analysed']")).to_have_text("1")
            expect(page.locator("[data-jobs-summary]")).to_have_text("100% of 1 photo analysed · 1 missing a part "
                                                                     "(see below)")
            missing = page.locator("[data-jobs-parts] li")
            expect(missing).to_have_count(1)
            expect(missing).to_contain_text("Captions: missing on 1 photo")
            expect(missing).to_contain_text("no-captioner")
            expect(missing).to_contain_text("set CAPTION_MODEL=/path/to/the/model")
            expect(missing).to_contain_text("flask shoebox reindex")
            shot("jobs")
        finally:
            context.close()
    assert not watch.problems, "\n".join(watch.problems)
