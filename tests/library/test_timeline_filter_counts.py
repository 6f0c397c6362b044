"""A timeline with one tag, camera, format or favourites filter reads month counts the database keeps (issue 18,
target 7: a few rows per month however many photos match), and they equal a recount of the matching photos after
every kind of change: uploads, user and AI tags added, removed and hidden, favourites on and off, Trash, restore,
delete for good, date edits, a camera re-read, another user's photos, and the upgrade of a library already there."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from urllib.parse import parse_qsl

import pytest
from PIL import ExifTags, Image
from sqlalchemy import event, inspect, select, text, update

from shoebox.library.timeline import month_counts
from shoebox.models import Photo, PhotoTag, User
from shoebox.scope import Scope
from shoebox.search.filters import parse_filters
from tests.conftest import make_image
from tests.migrations import downgrade

#: One of each kept filter, and a few that match nothing or several values.
QUERIES = ("tag=beach", "tag=sky", "tag=%20Beach%20", "camera=canon", "camera=eos", "camera=nikon", "camera=d7",
           "format=png", "format=jpeg", "favourite=true", "tag=none")
#: Tells each picture apart (an identical file is the same photo; the stripes cover all but the blue).
_SEQUENCE = count()


def taken(account, when: str, make: str | None = "Canon", model: str | None = "Canon EOS R6", fmt: str = "JPEG",
          tags: tuple[str, ...] = ()) -> int:
    """A photo of the account's with this camera and format, taken at `when` (ISO local time), with these tags."""
    exif = Image.Exif()
    if make:
        exif[ExifTags.Base.Make] = make
    if model:
        exif[ExifTags.Base.Model] = model
    n = next(_SEQUENCE)
    picture = make_image(fmt, size=(32, 24), color=(90, 90, n * 7 % 256), exif=exif)
    photo = account.upload_one(f"photo.{fmt.lower()}", picture)
    changes = {"taken_at": when, **({"tags": list(tags)} if tags else {})}
    assert account.patch(f"/api/photos/{photo['id']}", json=changes).status_code == 200
    return photo["id"]


def timeline(account, query: str) -> list[tuple[str, int]]:
    reply = account.get(f"/api/timeline?{query}")
    assert reply.status_code == 200, reply.json
    assert reply.json["total"] == sum(month["count"] for month in reply.json["months"])
    return [(month["month"], month["count"]) for month in reply.json["months"]]


def recounted(app, email: str, query: str) -> list[tuple[str, int]]:
    """The months counted from the matching photos (the counting path every other filter takes)."""
    filters = parse_filters(dict(parse_qsl(query)))
    with app.extensions["db"].make_session() as session:
        scope = Scope.of_user(session.scalar(select(User.id).where(User.email == email)))
        return month_counts(session, scope.narrow(*filters.conditions(scope, session)))


def assert_kept_equal_recounts(app, account) -> None:
    for query in QUERIES:
        assert timeline(account, query) == recounted(app, account.email, query), query


def test_a_tags_timeline_follows_user_tag_edits_one_by_one_and_in_bulk(app, alice):
    first = taken(alice, "2023-01-10T10:00:00", tags=("beach", "sky"))
    second = taken(alice, "2023-02-10T10:00:00", tags=("beach",))
    third = taken(alice, "2023-02-11T10:00:00")
    assert timeline(alice, "tag=beach") == [("2023-02", 1), ("2023-01", 1)]
    alice.patch(f"/api/photos/{first}", json={"tags": ["sky"]})
    alice.patch("/api/photos", json={"ids": [second, third], "add_tags": ["sky"], "remove_tags": ["beach"]})
    assert timeline(alice, "tag=sky") == [("2023-02", 2), ("2023-01", 1)]
    assert timeline(alice, "tag=beach") == []
    assert_kept_equal_recounts(app, alice)


def test_an_ai_tag_counts_while_shown_not_while_hidden(app, alice):
    photo = taken(alice, "2022-05-05T05:00:00")
    with app.extensions["db"].transaction() as session:
        session.add(PhotoTag(photo_id=photo, name="sky", source="ai", confidence=0.9))
    assert timeline(alice, "tag=sky") == [("2022-05", 1)]
    alice.patch("/api/photos", json={"ids": [photo], "remove_tags": ["sky"]})  # kept, hidden
    assert timeline(alice, "tag=sky") == []
    alice.patch(f"/api/photos/{photo}", json={"tags": ["sky"]})  # shown again
    assert timeline(alice, "tag=sky") == [("2022-05", 1)]
    assert_kept_equal_recounts(app, alice)


def test_a_camera_timeline_counts_a_photo_whose_make_and_model_both_match_once(app, alice):
    taken(alice, "2021-03-01T00:00:00", "Canon", "Canon EOS R6")
    taken(alice, "2021-03-02T00:00:00", "NIKON CORPORATION", "D750")
    taken(alice, "2021-04-02T00:00:00", None, "EOS 5D")
    taken(alice, "2021-04-03T00:00:00", "Canon", None)
    assert timeline(alice, "camera=canon") == [("2021-04", 1), ("2021-03", 1)]
    assert timeline(alice, "camera=eos") == [("2021-04", 1), ("2021-03", 1)]
    assert_kept_equal_recounts(app, alice)


def test_a_camera_read_again_from_the_file_moves_its_count(app, alice):
    photo = taken(alice, "2021-06-01T00:00:00", "Canon", "Canon EOS R6")
    with app.extensions["db"].transaction() as session:  # as a rescan of the file's metadata writes it
        session.execute(update(Photo).where(Photo.id == photo).values(camera_make="Nikon", camera_model="D7500"))
    assert timeline(alice, "camera=canon") == []
    assert timeline(alice, "camera=d7") == [("2021-06", 1)]
    assert_kept_equal_recounts(app, alice)


def test_format_and_favourite_timelines_follow_favourites_on_and_off(app, alice):
    png = taken(alice, "2020-07-01T00:00:00", fmt="PNG")
    jpeg = taken(alice, "2020-08-01T00:00:00")
    alice.patch("/api/photos", json={"ids": [png, jpeg], "favourite": True})
    alice.patch(f"/api/photos/{png}", json={"favourite": False})
    assert timeline(alice, "favourite=true") == [("2020-08", 1)]
    assert timeline(alice, "favourite=false") == [("2020-08", 1), ("2020-07", 1)]  # no filter, as ever
    assert timeline(alice, "format=PNG") == [("2020-07", 1)]
    assert_kept_equal_recounts(app, alice)


def test_trash_restore_and_delete_for_good_take_the_photos_counts_with_them(app, alice):
    ids = [taken(alice, f"2019-0{n % 2 + 1}-0{n + 1}T12:00:00", tags=("beach",)) for n in range(6)]
    alice.patch("/api/photos", json={"ids": ids, "favourite": True})
    alice.post("/api/trash", json={"ids": ids[:4]})
    alice.post("/api/trash/restore", json={"ids": [ids[0]]})
    alice.post("/api/trash/delete", json={"ids": [ids[1]]})
    assert alice.delete(f"/api/photos/{ids[4]}").status_code == 204
    for query in ("tag=beach", "camera=canon", "format=jpeg", "favourite=true"):
        assert timeline(alice, query) == [("2019-02", 1), ("2019-01", 1)], query
    assert_kept_equal_recounts(app, alice)


def test_date_edits_move_a_photo_and_its_tags_to_their_new_month(app, alice):
    ids = [taken(alice, f"2018-03-31T2{n}:30:00", tags=("beach",)) for n in range(3)]
    alice.patch(f"/api/photos/{ids[0]}", json={"taken_at": "2018-05-01T00:00:00"})
    alice.patch("/api/photos", json={"ids": ids[1:], "shift_seconds": 2 * 3600})  # 22:30 + 2 h: April
    assert timeline(alice, "tag=beach") == [("2018-05", 1), ("2018-04", 1), ("2018-03", 1)]
    assert timeline(alice, "format=jpeg") == [("2018-05", 1), ("2018-04", 1), ("2018-03", 1)]
    assert_kept_equal_recounts(app, alice)


def test_another_users_photos_are_never_counted(app, alice, bob):
    taken(alice, "2017-07-07T07:07:07", tags=("beach",))
    theirs = taken(bob, "2017-07-08T08:08:08", tags=("beach",))
    bob.patch("/api/photos", json={"ids": [theirs], "favourite": True})
    for query in QUERIES:
        assert timeline(alice, query) == ([] if query.startswith(("favourite", "tag=sky", "tag=none", "camera=nikon",
                                                                   "camera=d7", "format=png")) else
                                          [("2017-07", 1)]), query
    assert_kept_equal_recounts(app, bob)


def test_a_date_range_of_whole_months_trims_the_kept_months_and_one_cutting_a_month_counts(app, alice):
    for when in ("2016-01-31T23:00:00", "2016-02-15T00:00:00", "2016-03-01T00:00:00", "2016-04-30T00:00:00"):
        taken(alice, when, tags=("beach",))
    assert timeline(alice, "tag=beach&from=2016-02-01&to=2016-03-31") == [("2016-03", 1), ("2016-02", 1)]
    assert timeline(alice, "tag=beach&from=2016-02-16&to=2016-04-29") == [("2016-03", 1)]
    for query in ("tag=beach&to=2016-02-29", "tag=beach&from=2016-01-31", "favourite=true&from=2016-03-01"):
        assert timeline(alice, query) == recounted(app, alice.email, query), query


@pytest.mark.parametrize("query", ["tag=beach", "camera=canon", "format=jpeg", "favourite=true",
                                   "tag=beach&from=2015-01-01&to=2015-12-31"])
def test_a_one_filter_timeline_reads_kept_counts_not_the_photos(app, alice, query):
    taken(alice, "2015-01-01T00:00:00", tags=("beach",))
    statements = []
    event.listen(app.extensions["db"].engine, "before_cursor_execute",
                 lambda _conn, _cursor, sql, *_rest: statements.append(sql.lower()))
    timeline(alice, query)
    selects = [s for s in statements if s.lstrip().startswith("select") and "from users" not in s]
    assert selects and not [s for s in selects if "from photos" in s or "from photo_tags" in s]


def test_two_filters_still_count_their_photos(app, alice):
    photo = taken(alice, "2014-01-01T00:00:00", tags=("beach",))
    taken(alice, "2014-02-01T00:00:00", tags=("beach",))
    alice.patch("/api/photos", json={"ids": [photo], "favourite": True})
    assert timeline(alice, "tag=beach&favourite=true") == [("2014-01", 1)]


# -- the migration ---------------------------------------------------------------------------------------------
def _insert_photo(connection, email: str, when: str, trashed: str | None, make: str | None, favourite: bool,
                  tags: dict[str, bool]) -> None:
    """A photo (and its tags: name -> hidden) written as the app before 0026 wrote it."""
    photo = connection.scalar(text(
        "INSERT INTO photos (user_id, sha256, filename, format, mime_type, file_size, width, height, camera_make, "
        "taken_at, taken_at_source, status, trashed_at, favourite, created_at, updated_at) "
        "VALUES ((SELECT id FROM users WHERE email = :email), :sha, 'a.jpg', 'JPEG', 'image/jpeg', 1, 1, 1, :make, "
        ":taken, 'upload', 'done', :trashed, :favourite, '2024-01-01', '2024-01-01') RETURNING id"),
        {"email": email, "sha": f"{next(_SEQUENCE):064x}", "taken": datetime.fromisoformat(when),
         "trashed": trashed, "make": make, "favourite": favourite})
    for name, hidden in tags.items():
        connection.execute(text("INSERT INTO photo_tags (photo_id, name, source, hidden) "
                                "VALUES (:photo, :name, 'ai', :hidden)"), {"photo": photo, "name": name,
                                                                          "hidden": hidden})


def _kept(database) -> tuple[set, set]:
    with database.engine.connect() as connection:
        values = set(connection.execute(text(
            "SELECT u.email, c.month, c.camera_make, c.camera_model, c.format, c.favourite, c.n "
            "FROM timeline_value_counts c JOIN users u ON u.id = c.user_id")).all())
        tags = set(connection.execute(text("SELECT u.email, c.tag, c.month, c.n FROM timeline_tag_counts c "
                                           "JOIN users u ON u.id = c.user_id")).all())
        return {(*row[:5], bool(row[5]), row[6]) for row in values}, tags


@pytest.fixture
def library_at_0024(database):
    database.upgrade("0024")
    with database.engine.begin() as connection:
        for email in ("a@example.com", "b@example.com"):
            connection.execute(text("INSERT INTO users (email, password_hash, token_version, token_key, created_at, "
                                    "is_admin) VALUES (:email, 'x', 0, 'k', '2024-01-01', false)"), {"email": email})
        _insert_photo(connection, "a@example.com", "2024-01-31T23:59:59", None, "Canon", True,
                      {"beach": False, "sky": True})
        _insert_photo(connection, "a@example.com", "2024-01-01T00:00:00", None, "Canon", True, {"beach": False})
        _insert_photo(connection, "a@example.com", "2024-02-01T00:00:00", "2024-03-01", None, False,
                      {"beach": False})
        _insert_photo(connection, "b@example.com", "2024-01-15T00:00:00", None, None, False, {"beach": False})
    return database


def test_the_upgrade_counts_the_photos_and_tags_already_there(library_at_0024):
    library_at_0024.upgrade()
    assert _kept(library_at_0024) == (
        {("a@example.com", "2024-01", "Canon", "", "JPEG", True, 2), ("b@example.com", "2024-01", "", "", "JPEG",
                                                                       False, 1)},
        {("a@example.com", "beach", "2024-01", 2), ("b@example.com", "beach", "2024-01", 1)})


def test_the_upgraded_counts_follow_later_changes(library_at_0024):
    library_at_0024.upgrade()
    with library_at_0024.engine.begin() as connection:
        connection.execute(text("UPDATE photos SET trashed_at = NULL WHERE trashed_at IS NOT NULL"))
        connection.execute(text("UPDATE photo_tags SET hidden = false WHERE name = 'sky'"))
        connection.execute(text("DELETE FROM photos WHERE user_id = (SELECT id FROM users WHERE email = "
                                "'b@example.com')"))
    values, tags = _kept(library_at_0024)
    assert ("a@example.com", "2024-02", "", "", "JPEG", False, 1) in values
    assert ("b@example.com", "2024-01", "", "", "JPEG", False, 0) in values
    assert tags == {("a@example.com", "beach", "2024-01", 2), ("a@example.com", "beach", "2024-02", 1),
                    ("a@example.com", "sky", "2024-01", 1), ("b@example.com", "beach", "2024-01", 0)}


def test_the_downgrade_drops_the_counts_and_their_triggers(library_at_0024):
    library_at_0024.upgrade()
    downgrade(library_at_0024, "0024")
    with library_at_0024.engine.begin() as connection:
        _insert_photo(connection, "b@example.com", "2030-01-01T00:00:00", None, None, False, {"sky": False})
        connection.execute(text("DELETE FROM photos"))  # no trigger left to fail
        names = inspect(connection).get_table_names()
        assert "timeline_value_counts" not in names and "timeline_tag_counts" not in names
