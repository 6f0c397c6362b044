"""Requests that stay cheap in a big library (issue 18, target 7): the filter choices read kept counts that follow
every change, filtered searches page by keyset (every photo once, in order) and count only so far, the camera,
format and tag filters read a rare value from its own side, and the keyword index checks each match's photo
instead of listing the whole library first. Structural checks (which statements run, their SQLite plans), never
timings."""

from __future__ import annotations

import zlib

import pytest
from PIL import ExifTags, Image
from sqlalchemy import event, text, true

from shoebox.cursors import encode_offset
from shoebox.scope import Scope
from shoebox.search import filters, service
from tests.conftest import make_image


def shot(make: str | None, model: str | None, day: int, fmt: str = "JPEG", n: int = 0) -> bytes:
    """A small picture taken on `day` of March 2024 at noon with this camera."""
    exif = Image.Exif()
    if make:
        exif[ExifTags.Base.Make] = make
    if model:
        exif[ExifTags.Base.Model] = model
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = f"2024:03:{day:02d} 12:00:00"
    return make_image(fmt, size=(32, 24), color=(90, 90, n % 256), exif=exif)  # stripes cover all but blue


def add(account, name: str, tags: list[str], make: str | None = "Canon", model: str | None = "EOS R6",
        day: int = 1, fmt: str = "JPEG") -> int:
    photo = account.upload_one(name, shot(make, model, day, fmt, n=zlib.crc32(name.encode())))
    if tags:
        assert account.patch(f"/api/photos/{photo['id']}", json={"tags": tags}).status_code == 200
    return photo["id"]


def facets(account) -> dict:
    reply = account.get("/api/facets")
    assert reply.status_code == 200, reply.json
    return {"tags": {tag["name"]: tag["count"] for tag in reply.json["tags"]}, "cameras": reply.json["cameras"],
            "formats": reply.json["formats"]}


def recounted(app, owner_email: str) -> dict:
    """The facets counted from the rows (a narrowed scope of the whole library takes the counting path)."""
    from shoebox.models import User

    database = app.extensions["db"]
    with database.make_session() as session:
        owner = session.query(User).filter_by(email=owner_email).one()
        found = filters.facets(session, Scope.of_user(owner.id).narrow(true()))
    return {"tags": {tag["name"]: tag["count"] for tag in found["tags"]}, "cameras": found["cameras"],
            "formats": found["formats"]}


# -- kept facet counts -----------------------------------------------------------------------------------------
def test_facets_count_each_tag_camera_and_format_of_ones_own_library(alice, bob):
    add(alice, "a.jpg", ["beach", "sea"], model="EOS R6")
    add(alice, "b.png", ["beach"], make="Apple", model="iPhone 13", fmt="PNG")
    add(bob, "c.jpg", ["secret"], make="NIKON", model="D750")
    assert facets(alice) == {"tags": {"beach": 2, "sea": 1}, "cameras": ["EOS R6", "iPhone 13"],
                             "formats": ["JPEG", "PNG"]}


def test_facets_follow_tag_edits(alice):
    first = add(alice, "a.jpg", ["beach", "sea"])
    add(alice, "b.jpg", ["beach"], day=2)
    alice.patch(f"/api/photos/{first}", json={"tags": ["sea", "dog"]})
    assert facets(alice)["tags"] == {"beach": 1, "sea": 1, "dog": 1}


def test_facets_leave_out_trashed_photos_and_count_them_again_on_restore(alice):
    first = add(alice, "a.png", ["beach"], make="Apple", model="iPhone 13", fmt="PNG")
    add(alice, "b.jpg", ["beach", "sea"], day=2)
    assert alice.delete(f"/api/photos/{first}").status_code == 204
    assert facets(alice) == {"tags": {"beach": 1, "sea": 1}, "cameras": ["EOS R6"], "formats": ["JPEG"]}
    assert alice.post("/api/trash/restore", json={"ids": [first]}).status_code == 200
    assert facets(alice) == {"tags": {"beach": 2, "sea": 1}, "cameras": ["EOS R6", "iPhone 13"],
                             "formats": ["JPEG", "PNG"]}


def test_facets_forget_photos_deleted_for_good(alice):
    first = add(alice, "a.png", ["beach"], make="Apple", model="iPhone 13", fmt="PNG")
    add(alice, "b.jpg", ["sea"], day=2)
    alice.delete(f"/api/photos/{first}")
    assert alice.post("/api/trash/delete", json={"ids": [first]}).status_code == 200
    assert facets(alice) == {"tags": {"sea": 1}, "cameras": ["EOS R6"], "formats": ["JPEG"]}


def test_kept_facets_equal_a_recount_after_a_mixed_history(app, alice):
    ids = [add(alice, f"{n}.jpg", ["beach", f"t{n % 3}"], model=f"Model {n % 2}", day=n + 1) for n in range(6)]
    alice.patch(f"/api/photos/{ids[0]}", json={"tags": ["dog"]})
    alice.patch("/api/photos", json={"ids": ids[1:4], "add_tags": ["sea"], "remove_tags": ["beach"]})
    alice.post("/api/trash", json={"ids": ids[2:5]})
    alice.post("/api/trash/restore", json={"ids": [ids[3]]})
    alice.post("/api/trash/delete", json={"ids": [ids[4]]})
    alice.patch(f"/api/photos/{ids[3]}", json={"tags": []})
    assert facets(alice) == recounted(app, alice.email)


def test_the_upgrade_counts_the_facets_of_photos_already_there(database):
    database.upgrade("0017")
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO users (email, password_hash, token_version, token_key, created_at, "
                                "is_admin) VALUES ('a@example.com', 'x', 0, 'k', '2024-01-01', false)"))
        for sha, trashed in (("a", None), ("b", None), ("c", "2024-02-01")):
            connection.execute(text(
                "INSERT INTO photos (user_id, sha256, filename, format, mime_type, file_size, width, height, "
                "taken_at, taken_at_source, camera_model, status, trashed_at, favourite, created_at, updated_at) "
                "VALUES ((SELECT id FROM users), :sha, 'a.jpg', 'JPEG', 'image/jpeg', 1, 1, 1, '2024-01-01', "
                "'upload', 'EOS', 'done', :trashed, false, '2024-01-01', '2024-01-01')"),
                {"sha": sha, "trashed": trashed})
            connection.execute(text("INSERT INTO photo_tags (photo_id, name, source, hidden) SELECT id, 'sea', "
                                    "'user', false FROM photos WHERE sha256 = :sha"), {"sha": sha})
    database.upgrade()
    with database.engine.connect() as connection:
        counts = set(connection.execute(text("SELECT facet, value, n FROM facet_counts")).all())
    assert counts == {("camera", "EOS", 2), ("format", "JPEG", 2), ("tag", "sea", 2)}


def test_the_facets_read_kept_counts_not_the_library(app, alice):
    add(alice, "a.jpg", ["beach"])
    statements = run_statements(app, lambda: facets(alice))
    assert statements and not [s for s in statements if "from photos" in s or "photo_tags" in s]
    assert any("from facet_counts" in s for s in statements)


# -- filters and pages ------------------------------------------------------------------------------------------
@pytest.fixture
def few_or_many(request, monkeypatch):
    """The filters' two plans: a value read from its own side (few photos have it), or checked while the
    timeline is walked (as for a value most of a big library has)."""
    if request.param == "walk":
        monkeypatch.setattr(filters, "SMALL_SIDE", 0)
        monkeypatch.setattr(filters._Plan, "_few", lambda self, wanted: False)
    return request.param


@pytest.mark.parametrize("few_or_many", ["own side", "walk"], indirect=True)
def test_camera_format_and_tag_filters_find_the_same_photos_either_way(alice, bob, few_or_many):
    canon = add(alice, "canon.jpg", ["beach"], make="Canon", model="EOS R6", day=1)
    phone = add(alice, "phone.png", ["beach", "sea"], make="Apple", model="iPhone 13", day=2, fmt="PNG")
    makeless = add(alice, "nikon.jpg", [], make="NIKON CORPORATION", model=None, day=3)
    add(bob, "bob.jpg", ["beach"], make="Canon", model="EOS R6")

    def found(query: str) -> set[int]:
        reply = alice.get(f"/api/search?sort=date&{query}")
        assert reply.status_code == 200, reply.json
        return {item["id"] for item in reply.json["items"]}

    assert found("camera=canon") == {canon}
    assert found("camera=IPHONE") == {phone}
    assert found("camera=nikon") == {makeless}  # by its make: it has no model
    assert found("format=png") == {phone}
    assert found("tag=beach") == {canon, phone}
    assert found("tag=beach&camera=apple") == {phone}
    assert found("camera=leica") == set()


def test_filtered_search_pages_give_every_photo_once_newest_first(alice):
    ids = [add(alice, f"{n}.jpg", ["beach"], day=1 + n // 3) for n in range(8)]  # three photos to a day
    add(alice, "other.png", ["sea"], fmt="PNG", day=9)
    seen, cursor = [], None
    while True:
        reply = alice.get("/api/search?sort=date&tag=beach&limit=3" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status_code == 200, reply.json
        seen += [item["id"] for item in reply.json["items"]]
        cursor = reply.json["next_cursor"]
        if not cursor:
            break
    newest_first = sorted(ids, key=lambda i: (1 + ids.index(i) // 3, i), reverse=True)
    assert seen == newest_first


def test_a_search_cursor_from_before_the_keyset_pages_still_works(alice):
    ids = [add(alice, f"{n}.jpg", ["beach"], day=n + 1) for n in range(4)]
    reply = alice.get(f"/api/search?sort=date&tag=beach&limit=2&cursor={encode_offset(2)}")
    assert [item["id"] for item in reply.json["items"]] == [ids[1], ids[0]]


def test_a_filtered_search_counts_its_matches_only_so_far_past_the_page(alice, monkeypatch):
    for n in range(5):
        add(alice, f"{n}.jpg", ["beach"], day=n + 1)
    monkeypatch.setattr(service, "COUNT_AHEAD", 2)
    reply = alice.get("/api/search?sort=date&tag=beach&limit=2").json
    assert (reply["total"], reply["total_is_exact"], len(reply["items"])) == (4, False, 2)
    monkeypatch.setattr(service, "COUNT_AHEAD", 500)
    reply = alice.get("/api/search?sort=date&tag=beach&limit=2").json
    assert (reply["total"], reply["total_is_exact"]) == (5, True)


@pytest.mark.embedded_only(reason="reads SQLite's query plans")
def test_a_deep_filtered_page_seeks_in_the_timeline_index(app, alice):
    for n in range(4):
        add(alice, f"{n}.jpg", ["beach"], day=n + 1)
    cursor = alice.get("/api/search?sort=date&limit=2").json["next_cursor"]
    plans = query_plans(app, lambda: alice.get(f"/api/search?sort=date&limit=2&cursor={cursor}"))
    assert any("ix_photos_user_taken (user_id=? AND taken_at<?)" in plan for plan in plans), plans


@pytest.mark.embedded_only(reason="reads SQLite's query plans")
def test_a_rare_tag_is_read_from_the_tag_index_not_the_timeline(app, alice):
    add(alice, "a.jpg", ["lighthouse"])
    plans = query_plans(app, lambda: alice.get("/api/search?sort=date&tag=lighthouse"))
    page = [plan for plan in plans if "photo_tags" in plan]
    assert page and all("ix_photo_tags_name (name=?" in plan for plan in page), page


@pytest.mark.embedded_only(reason="reads SQLite's query plans")
def test_keyword_search_checks_each_match_instead_of_listing_the_library(app, alice):
    add(alice, "a.jpg", ["lighthouse"])
    plans = query_plans(app, lambda: alice.get("/api/search?q=lighthouse"))
    fts = [plan for plan in plans if "VIRTUAL TABLE" in plan]
    assert fts and all("LIST SUBQUERY" not in plan and "INTEGER PRIMARY KEY" in plan for plan in fts), fts


# -- helpers ----------------------------------------------------------------------------------------------------
def run_statements(app, request) -> list[str]:
    return [" ".join(sql.lower().split()) for sql, _params in recorded(app, request)]


def recorded(app, request) -> list[tuple[str, object]]:
    engine, seen = app.extensions["db"].engine, []
    listener = lambda _conn, _cursor, sql, params, *_: seen.append((sql, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def query_plans(app, request) -> list[str]:
    """SQLite's plan of each SELECT that reads photos while `request()` runs."""
    statements = [(sql, params) for sql, params in recorded(app, request)
                  if "photos" in sql and sql.lstrip().upper().startswith("SELECT")]
    with app.extensions["db"].engine.connect() as connection:
        return [" / ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                for sql, params in statements]


