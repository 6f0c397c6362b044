"""Issue 19, feature 3 (the API): "on this day" shows the photos taken on this month and day in earlier years,
grouped by year, only the viewer's own; a year in review is an album of the viewer's best photos of that year."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import Account, make_jpeg

_colours = itertools.count(1)


def dated_photos(user: Account, *dates: str) -> list[int]:
    """One photo per date (ISO, local time), each with its own bytes, uploaded and dated; their ids in order."""
    ids = []
    for taken in dates:
        n = next(_colours)
        photo = user.upload_one(f"p{n}.jpg", make_jpeg(color=(n * 37 % 256, n * 11 % 256, n * 5 % 256)))
        assert user.patch(f"/api/photos/{photo['id']}", json={"taken_at": taken}).status_code == 200
        ids.append(photo["id"])
    return ids


def on_this_day(user: Account, day: str) -> list[tuple[int, int, list[int]]]:
    """(year, count, photo ids) for each earlier year, as the page gets them."""
    reply = user.get(f"/api/memories/on-this-day?date={day}")
    assert reply.status_code == 200, reply.json
    assert reply.json["date"] == day
    return [(y["year"], y["count"], [p["id"] for p in y["photos"]]) for y in reply.json["years"]]


# -- on this day --------------------------------------------------------------------------------------------
def test_on_this_day_shows_earlier_years_on_this_date_latest_first(alice):
    old, older, _today, _next_day = dated_photos(alice, "2022-07-14T09:00:00", "2019-07-14T23:59:59",
                                                "2025-07-14T08:00:00", "2022-07-15T00:00:00")
    reply = alice.get("/api/memories/on-this-day?date=2025-07-14").json
    assert [(y["year"], y["years_ago"], y["count"]) for y in reply["years"]] == [(2022, 3, 1), (2019, 6, 1)]
    assert on_this_day(alice, "2025-07-14") == [(2022, 1, [old]), (2019, 1, [older])]  # not today, nor the 15th


def test_on_this_day_never_shows_this_years_photos(alice):
    dated_photos(alice, "2025-07-14T10:00:00", "2025-01-01T10:00:00")
    assert on_this_day(alice, "2025-07-14") == []


def test_on_this_day_never_shows_another_users_photos(alice, bob):
    (mine,) = dated_photos(alice, "2020-03-01T12:00:00")
    dated_photos(bob, "2021-03-01T12:00:00")
    assert on_this_day(alice, "2024-03-01") == [(2020, 1, [mine])]
    assert [year for year, _count, _ids in on_this_day(bob, "2024-03-01")] == [2021]


def test_on_this_day_lists_a_busy_day_in_part_and_counts_it_all(alice):
    ids = dated_photos(alice, *[f"2020-05-05T10:0{n}:00" for n in range(4)])
    reply = alice.get("/api/memories/on-this-day?date=2024-05-05&limit=2").json
    assert [(y["count"], [p["id"] for p in y["photos"]]) for y in reply["years"]] == [(4, ids[:2])]


def test_the_29th_of_february_shows_on_the_28th_in_a_year_without_one(alice):
    leap_day, eve = dated_photos(alice, "2024-02-29T12:00:00", "2023-02-28T12:00:00")
    assert on_this_day(alice, "2025-02-28") == [(2024, 1, [leap_day]), (2023, 1, [eve])]
    # In a leap year each day shows its own: the 28th of 2024 shows no photo of the 29th.
    assert on_this_day(alice, "2028-02-28") == [(2023, 1, [eve])]
    assert on_this_day(alice, "2028-02-29") == [(2024, 1, [leap_day])]


def test_on_this_day_is_empty_for_a_new_library(alice):
    assert on_this_day(alice, "2025-07-14") == []


@pytest.mark.parametrize("day", ["yesterday", "2025-02-30", "14/07/2025"])
def test_on_this_day_needs_a_real_date(alice, day):
    reply = alice.get(f"/api/memories/on-this-day?date={day}")
    assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_parameter"


def test_on_this_day_defaults_to_the_servers_date(alice):
    from datetime import date

    reply = alice.get("/api/memories/on-this-day")
    assert reply.status_code == 200 and reply.json["date"] == date.today().isoformat()


# -- year in review -----------------------------------------------------------------------------------------
def review(user: Account, **body):
    return user.post("/api/memories/year-in-review", json=body)


def album_ids(user: Account, album_id: int) -> list[int]:
    return sorted(item["id"] for item in user.get(f"/api/albums/{album_id}/photos?limit=200").json["items"])


def test_a_year_in_review_is_my_album_of_that_years_photos_only(alice, bob):
    of_2023 = dated_photos(alice, "2023-01-10T10:00:00", "2023-06-01T10:00:00", "2023-12-31T23:59:59")
    dated_photos(alice, "2022-12-31T23:59:59", "2024-01-01T00:00:00")
    dated_photos(bob, "2023-05-05T10:00:00")
    reply = review(alice, year=2023)
    assert reply.status_code == 201, reply.json
    album = reply.json
    assert (album["name"], album["photo_count"]) == ("2023 in review", 3)
    assert "spread across its months" in album["description"]
    assert album_ids(alice, album["id"]) == sorted(of_2023)
    assert [a["id"] for a in alice.get("/api/albums").json["items"]] == [album["id"]]
    assert bob.get("/api/albums").json["items"] == []
    assert bob.get(f"/api/albums/{album['id']}").status_code == 404


def test_a_year_in_review_spreads_its_photos_across_the_months(alice):
    january = dated_photos(alice, *[f"2023-01-{day:02d}T10:00:00" for day in range(1, 6)])
    (june,) = dated_photos(alice, "2023-06-15T10:00:00")
    album = review(alice, year=2023, size=3).json
    assert album_ids(alice, album["id"]) == sorted([january[0], january[1], june])


def test_a_year_in_review_takes_one_photo_a_day_before_a_second_of_any_day(alice):
    busy_day = dated_photos(alice, "2023-03-04T10:00:00", "2023-03-04T11:00:00", "2023-03-04T12:00:00")
    (quiet_day,) = dated_photos(alice, "2023-03-20T10:00:00")
    album = review(alice, year=2023, size=2).json
    assert album_ids(alice, album["id"]) == sorted([busy_day[0], quiet_day])


def test_a_year_in_review_prefers_photos_of_people_i_named(tmp_path):
    from tests.backends import make_app
    from tests.people.conftest import astronaut_png

    app = make_app({"DATA_DIR": str(tmp_path / "data"), "JOBS_IMMEDIATE": True, "WORKER_IN_PROCESS": False,
                    "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none", "FACES_ENABLED": True,
                    "FACE_MIN_COUNT": 1})
    try:
        alice = Account(app, "alice@example.com")
        plain = dated_photos(alice, "2023-04-01T10:00:00", "2023-04-02T10:00:00")
        portrait = alice.upload_one("eileen.png", astronaut_png())["id"]
        alice.patch(f"/api/photos/{portrait}", json={"taken_at": "2023-04-30T10:00:00"})
        person = alice.get(f"/api/photos/{portrait}").json["faces"][0]["person_id"]
        assert alice.patch(f"/api/people/{person}", json={"name": "Eileen"}).status_code == 200
        album = review(alice, year=2023, size=2).json
        assert album_ids(alice, album["id"]) == sorted([portrait, plain[0]])
    finally:
        app.extensions["db"].dispose()


def test_a_year_without_photos_makes_no_album(alice):
    dated_photos(alice, "2023-04-01T10:00:00")
    reply = review(alice, year=2021)
    assert reply.status_code == 400 and reply.json["error"]["code"] == "no_photos"
    assert alice.get("/api/albums").json["items"] == []


@pytest.mark.parametrize("body", [{}, {"year": "2023"}, {"year": 0}, {"year": 10000}, {"year": True},
                                  {"year": 2023, "size": 0}, {"year": 2023, "size": 201},
                                  {"year": 2023, "colour": "red"}])
def test_a_year_in_review_needs_a_year_and_a_sensible_size(alice, body):
    dated_photos(alice, "2023-04-01T10:00:00")
    reply = review(alice, **body)
    assert reply.status_code == 400
    assert alice.get("/api/albums").json["items"] == []


@pytest.mark.embedded_only(reason="reads SQLite's query plans")
def test_on_this_day_reads_one_range_of_the_timeline_index_per_year(app, alice):
    from tests.places.test_map import photo_statements

    dated_photos(alice, "2020-07-14T09:00:00", "2022-07-14T09:00:00", "2022-08-01T09:00:00")
    statements = photo_statements(app, lambda: on_this_day(alice, "2025-07-14"))
    plans = []
    with app.extensions["db"].engine.connect() as connection:
        for sql, params in statements:
            plans.append(" / ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)))
    days = [plan for plan in plans if "taken_at>?" in plan]
    one_year = "ix_photos_user_taken (user_id=? AND taken_at>? AND taken_at<?)"
    assert len(days) == 1 and days[0].count(one_year) == 5  # 2020 to 2024, in one statement
    assert not any("SCAN photos" in plan for plan in plans), plans
