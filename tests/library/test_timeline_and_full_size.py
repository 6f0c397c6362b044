"""The timeline's month counts, the listing from a given month, and the viewer's full-size picture."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import Image
from sqlalchemy import event

from shoebox.library.timeline import month_counts
from shoebox.models import Photo
from shoebox.scope import Scope
from tests.conftest import make_image, make_jpeg

IMMUTABLE = "private, max-age=31536000, immutable"


def _photo_taken(account, taken_at: str, colour: tuple[int, int, int]) -> dict:
    photo = account.upload_one(f"{taken_at}.jpg", make_jpeg(color=colour, size=(64, 48)))
    assert account.patch(f"/api/photos/{photo['id']}", json={"taken_at": taken_at}).status_code == 200
    return photo


def _library(account) -> dict[str, int]:
    taken = ["2024-06-30T23:59:59", "2024-06-01T00:00:00", "2024-05-15T12:00:00", "2019-01-02T03:04:05"]
    return {when: _photo_taken(account, when, (40 * n, 90, 200 - 40 * n))["id"] for n, when in enumerate(taken)}


def test_timeline_counts_photos_per_month_newest_month_first(alice):
    _library(alice)
    reply = alice.get("/api/timeline")
    assert reply.status_code == 200
    assert reply.json == {"months": [{"month": "2024-06", "count": 2}, {"month": "2024-05", "count": 1},
                                     {"month": "2019-01", "count": 1}], "total": 4}


def test_timeline_counts_only_the_viewers_own_photos(alice, bob):
    _library(alice)
    _photo_taken(bob, "2001-02-03T04:05:06", (1, 2, 3))
    assert bob.get("/api/timeline").json == {"months": [{"month": "2001-02", "count": 1}], "total": 1}


def test_timeline_of_an_empty_library_has_no_months(alice):
    assert alice.get("/api/timeline").json == {"months": [], "total": 0}


def test_timeline_takes_the_search_filters(alice):
    _library(alice)
    assert alice.get("/api/timeline?from=2024-05-01&to=2024-05-31").json == {
        "months": [{"month": "2024-05", "count": 1}], "total": 1}


def test_listing_to_a_months_last_day_starts_at_that_month_and_pages_on_past_it(alice):
    ids = _library(alice)
    first = alice.get("/api/photos?to=2024-05-31&limit=1").json
    assert [item["id"] for item in first["items"]] == [ids["2024-05-15T12:00:00"]]
    rest = alice.get(f"/api/photos?to=2024-05-31&limit=5&cursor={first['next_cursor']}").json
    assert [item["id"] for item in rest["items"]] == [ids["2019-01-02T03:04:05"]] and rest["next_cursor"] is None


def test_a_counted_timeline_reads_only_the_user_and_date_index_and_sorts_nothing(app, alice):
    """At 300,000 photos a month count of a narrowed scope (the whole library's are kept) must neither read the
    photo rows nor sort them: every statement is a search of the (user_id, taken_at) index."""
    _library(alice)
    database = app.extensions["db"]
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the plan is SQLite's (PostgreSQL picks by its statistics)")
    statements = []
    event.listen(database.engine, "before_cursor_execute",
                 lambda _conn, _cursor, sql, params, _ctx, _many: statements.append((sql, params)))
    with database.transaction() as session:
        since = Scope.of_user(1).narrow(Photo.taken_at >= datetime(2000, 1, 1))
        assert len(month_counts(session, since)) == 3
        selects = [(sql, params) for sql, params in statements if sql.lstrip().upper().startswith("SELECT")]
        plans = [[str(row[-1]) for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
                 for sql, params in selects]
    reads = [step for plan in plans for step in plan if step.startswith(("SEARCH", "SCAN", "USE TEMP"))]
    assert len(plans) >= 3 and reads, plans
    assert all(step.startswith("SEARCH photos USING COVERING INDEX ix_photos_user_taken") for step in reads), plans


def test_full_size_of_a_jpeg_is_its_original_kept_a_year_under_its_version(alice):
    photo = alice.upload_one("big.jpg", make_jpeg(size=(2000, 1500)))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert detail["full_url"] == f"/api/photos/{photo['id']}/full?v={photo['version']}"
    reply = alice.get(detail["full_url"])
    assert reply.status_code == 200 and reply.mimetype == "image/jpeg"
    assert reply.data == alice.get(detail["original_url"]).data
    assert reply.headers["Cache-Control"] == IMMUTABLE


def test_full_size_of_a_tiff_is_a_full_size_webp_rendition(alice):
    photo = alice.upload_one("scan.tif", make_image("TIFF", size=(1800, 1200)))
    reply = alice.get(f"/api/photos/{photo['id']}/full?v={photo['version']}")
    assert reply.status_code == 200 and reply.mimetype == "image/webp"
    assert Image.open(io.BytesIO(reply.data)).size == (1800, 1200)  # bigger than the 1440 px preview
    assert reply.headers["Cache-Control"] == IMMUTABLE
    again = alice.get(f"/api/photos/{photo['id']}/full", headers={"If-None-Match": reply.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "private, no-cache"


def test_full_size_of_another_users_photo_is_not_found(alice, bob):
    photo = alice.upload_one("scan.tif", make_image("TIFF", size=(300, 200)))
    reply = bob.get(f"/api/photos/{photo['id']}/full")
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"


def test_full_size_rendition_goes_when_its_photo_is_deleted_for_good(app, alice):
    photo = alice.upload_one("scan.tif", make_image("TIFF", size=(300, 200)))
    assert alice.get(f"/api/photos/{photo['id']}/full").status_code == 200
    rendition = list(app.extensions["library"].storage.root.rglob("*-full.webp"))
    assert len(rendition) == 1
    assert alice.delete(f"/api/photos/{photo['id']}").status_code == 204  # to Trash: kept for a restore
    assert rendition[0].exists()
    assert alice.post("/api/trash/delete", json={"ids": [photo["id"]]}).status_code == 200
    assert not rendition[0].exists()


def test_timeline_counts_the_calendars_first_and_last_months_across_the_years_between(alice):
    _photo_taken(alice, "9999-12-31T23:59:59", (10, 20, 30))
    _photo_taken(alice, "0001-01-01T00:00:00", (30, 20, 10))
    _photo_taken(alice, "2020-02-29T12:00:00", (20, 30, 10))
    assert alice.get("/api/timeline").json == {"months": [{"month": "9999-12", "count": 1},
                                                          {"month": "2020-02", "count": 1},
                                                          {"month": "0001-01", "count": 1}], "total": 3}
