"""Issue 19, feature 1 (the API): the map's points are the viewer's own photos with GPS, compact; too many come
as grid cells with counts; a bbox keeps those inside it, on the map and as a search filter (a cluster's grid);
the Content-Security-Policy lets the map's tiles in from the configured tile server and no other."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, Account, make_jpeg

PARIS, LOUVRE, LISBON, FIJI_EAST, FIJI_WEST = (48.8566, 2.3522), (48.8606, 2.3376), (38.7223, -9.1393), \
    (-16.5, 179.5), (-16.8, -179.8)


def located(user: Account, *places: tuple[float, float] | None) -> list[int]:
    """One photo per place (None: no location), uploaded and placed; their ids in the order given."""
    ids = []
    for n, place in enumerate(places):
        photo = user.upload_one(f"p{n}.jpg", make_jpeg(color=(n * 30 % 256, 60, 140)))
        if place is not None:
            reply = user.patch(f"/api/photos/{photo['id']}", json={"location": {"latitude": place[0],
                                                                                 "longitude": place[1]}})
            assert reply.status_code == 200, reply.json
        ids.append(photo["id"])
    return ids


def points(user: Account, query: str = "") -> dict:
    reply = user.get(f"/api/places/points{query}")
    assert reply.status_code == 200, reply.json
    return reply.json


def test_the_map_gets_each_of_my_photos_with_gps_as_a_compact_row(alice):
    paris, nowhere, lisbon = located(alice, PARIS, None, LISBON)
    answer = points(alice)
    versions = {i: alice.get(f"/api/photos/{i}").json["sha256"][:12] for i in (paris, lisbon)}
    assert answer == {"total": 2, "cells": [], "points": [[paris, *PARIS, versions[paris]],
                                                          [lisbon, *LISBON, versions[lisbon]]]}
    assert nowhere not in [point[0] for point in answer["points"]]
    # Each point's version is its thumbnail's: the popup's picture is cached for a year.
    thumbnail = alice.get(f"/api/photos/{paris}/thumbnail?size=small&v={versions[paris]}")
    assert thumbnail.status_code == 200 and "immutable" in thumbnail.headers["Cache-Control"]


def test_another_users_photos_are_never_on_my_map(alice, bob):
    mine = located(alice, PARIS)
    theirs = located(bob, LOUVRE, LISBON)
    assert [p[0] for p in points(alice)["points"]] == mine
    assert [p[0] for p in points(bob)["points"]] == theirs
    assert points(alice, "?limit=1&bbox=-20,30,20,60")["total"] == 1  # counted among mine only, in cells too


def test_a_bbox_keeps_the_points_inside_it(alice):
    paris, louvre, lisbon = located(alice, PARIS, LOUVRE, LISBON)
    assert [p[0] for p in points(alice, "?bbox=2.3,48.8,2.4,48.9")["points"]] == [paris, louvre]
    assert [p[0] for p in points(alice, "?bbox=-10,38,-9,39")["points"]] == [lisbon]
    assert points(alice, "?bbox=100,0,110,10") == {"total": 0, "points": [], "cells": []}


def test_a_bbox_from_east_to_west_crosses_the_antimeridian(alice):
    east, west, _paris = located(alice, FIJI_EAST, FIJI_WEST, PARIS)
    assert [p[0] for p in points(alice, "?bbox=179,-17,-179,-16")["points"]] == [east, west]


def test_too_many_points_come_as_grid_cells_with_counts(alice):
    ids = located(alice, PARIS, LOUVRE, LISBON)
    answer = points(alice, "?limit=2")
    assert answer["total"] == 3 and answer["points"] == []
    cells = answer["cells"]
    assert [cell["count"] for cell in cells] == [2, 1]  # Paris (two photos), then Lisbon
    paris, lisbon = cells
    assert paris["bbox"] == [LOUVRE[1], PARIS[0], PARIS[1], LOUVRE[0]]  # the box around its photos
    assert (paris["lat"], paris["lon"]) == pytest.approx(((PARIS[0] + LOUVRE[0]) / 2, (PARIS[1] + LOUVRE[1]) / 2))
    assert (lisbon["photo_id"], lisbon["bbox"]) == (ids[2], [LISBON[1], LISBON[0], LISBON[1], LISBON[0]])
    assert paris["photo_id"] in ids[:2]
    assert paris["v"] == alice.get(f"/api/photos/{paris['photo_id']}").json["sha256"][:12]


@pytest.mark.parametrize("bbox", ["1,2,3", "1,2,3,4,5", "a,b,c,d", "0,10,1,5", "-181,0,0,1", "0,-91,1,0",
                                  "nan,0,1,1", "0,0,inf,1"])
def test_an_invalid_bbox_is_refused(alice, bbox):
    for url in (f"/api/places/points?bbox={bbox}", f"/api/search?bbox={bbox}"):
        reply = alice.get(url)
        assert reply.status_code == 400, url
        assert reply.json["error"]["code"] == "invalid_parameter" and "west,south,east,north" in \
            reply.json["error"]["message"]


def test_the_bbox_search_filter_finds_the_photos_of_a_cluster(alice, bob):
    paris, louvre, _lisbon, _nowhere = located(alice, PARIS, LOUVRE, LISBON, None)
    located(bob, PARIS)
    reply = alice.get("/api/search?bbox=2.3,48.8,2.4,48.9&sort=date")
    assert sorted(item["id"] for item in reply.json["items"]) == [paris, louvre]
    assert reply.json["total"] == 2


# -- tiles: the setting, the page and the Content-Security-Policy ---------------------------------------------
def img_src(reply) -> list[str]:
    policy = dict(part.strip().split(" ", 1) for part in reply.headers["Content-Security-Policy"].split(";"))
    return policy["img-src"].split()


def test_images_come_from_openstreetmaps_tile_server_by_default_and_no_other(client):
    assert img_src(client.get("/login")) == ["'self'", "data:", "blob:", "https://tile.openstreetmap.org"]


@pytest.mark.parametrize(("url", "source"), [
    ("http://127.0.0.1:8123/{z}/{x}/{y}.png", "http://127.0.0.1:8123"),
    ("https://{s}.tiles.example.com/base/{z}/{x}/{y}{r}.png?key=k", "https://*.tiles.example.com"),
])
def test_images_come_from_the_configured_tile_server_instead(tmp_path, url, source):
    from tests.backends import make_app

    app = make_app({"DATA_DIR": str(tmp_path / "data"), "MAP_TILE_URL": url})
    try:
        assert img_src(app.test_client().get("/login")) == ["'self'", "data:", "blob:", source]
    finally:
        app.extensions["db"].dispose()


def test_a_tile_url_that_is_not_a_plain_http_url_lets_no_image_host_in(tmp_path):
    from tests.backends import make_app

    app = make_app({"DATA_DIR": str(tmp_path / "data"), "MAP_TILE_URL": "https://x.example; script-src *"})
    try:
        reply = app.test_client().get("/login")
        assert img_src(reply) == ["'self'", "data:", "blob:"]
        assert "script-src 'self';" in reply.headers["Content-Security-Policy"]
    finally:
        app.extensions["db"].dispose()


def test_the_places_page_names_the_tiles_and_their_credit(alice):
    alice.client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD})  # the cookies
    page = alice.client.get("/places").get_data(as_text=True)
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "© &lt;a href=&#34;https://www.openstreetmap.org/copyright&#34;&gt;OpenStreetMap&lt;/a&gt; contributors" \
        in page


# -- cost ---------------------------------------------------------------------------------------------------
def photo_statements(app, request) -> list[tuple[str, object]]:
    """The SQL statements (with their parameters) that read the photos table while `request()` runs."""
    from sqlalchemy import event

    engine, seen = app.extensions["db"].engine, []
    listener = lambda _conn, _cursor, sql, params, *_: seen.append((sql, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return [(sql, params) for sql, params in seen if "FROM photos" in sql and sql.lstrip().upper().startswith("SELECT")]


@pytest.mark.embedded_only(reason="reads SQLite's query plans")
@pytest.mark.parametrize("query", ["", "?limit=1", "?bbox=-20,30,20,60", "?bbox=-20,30,20,60&limit=1"])
def test_the_map_reads_a_range_of_the_location_index_never_the_whole_table(app, alice, query):
    located(alice, PARIS, LOUVRE, LISBON)
    statements = photo_statements(app, lambda: points(alice, query))
    assert statements
    with app.extensions["db"].engine.connect() as connection:
        for sql, params in statements:
            plan = " / ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            assert "ix_photos_user_gps (user_id=? AND gps_latitude>? AND gps_latitude<?)" in plan \
                or "INTEGER PRIMARY KEY (rowid=?)" in plan, plan
