"""The whole library's timeline reads month counts the database keeps (issue 18, target 7: a few hundred rows
whatever the library's size), and they equal a recount of the photos after every kind of change: uploads, Trash,
restore, delete for good, date edits one by one and in bulk, a Live Photo's MOV taken in by its still, and the
upgrade of a library already there. A timeline with one filter reads its own kept counts
(test_timeline_filter_counts.py)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event, inspect, text, true

from shoebox.library.timeline import month_counts
from shoebox.models import User
from shoebox.scope import Scope
from tests.conftest import make_jpeg
from tests.media.live_samples import CONTENT_ID, apple_mov, apple_still
from tests.migrations import downgrade


def taken(account, when: str, n: int) -> int:
    """A photo of the account's taken at `when` (ISO local time)."""
    photo = account.upload_one(f"{n}.jpg", make_jpeg(color=(80, 80, n * 7 % 256), size=(32, 24)))
    assert account.patch(f"/api/photos/{photo['id']}", json={"taken_at": when}).status_code == 200
    return photo["id"]


def timeline(account) -> list[tuple[str, int]]:
    reply = account.get("/api/timeline")
    assert reply.status_code == 200, reply.json
    assert reply.json["total"] == sum(month["count"] for month in reply.json["months"])
    return [(month["month"], month["count"]) for month in reply.json["months"]]


def recounted(app, email: str) -> list[tuple[str, int]]:
    """The months counted from the photos (a narrowed scope of the whole library takes the counting path)."""
    with app.extensions["db"].make_session() as session:
        owner = session.query(User).filter_by(email=email).one()
        return month_counts(session, Scope.of_user(owner.id).narrow(true()))


def test_the_kept_timeline_equals_a_recount_after_uploads_trash_restore_and_delete_for_good(app, alice):
    ids = [taken(alice, f"2023-{n % 3 + 1:02d}-1{n}T12:00:00", n) for n in range(6)]
    assert timeline(alice) == [("2023-03", 2), ("2023-02", 2), ("2023-01", 2)]
    alice.post("/api/trash", json={"ids": ids[:4]})
    alice.post("/api/trash/restore", json={"ids": [ids[0]]})
    alice.post("/api/trash/delete", json={"ids": [ids[1]]})
    assert alice.delete(f"/api/photos/{ids[4]}").status_code == 204
    assert timeline(alice) == recounted(app, alice.email) == [("2023-03", 1), ("2023-01", 1)]


def test_a_month_whose_photos_all_left_is_no_month(alice):
    only = taken(alice, "2010-05-05T05:05:05", 1)
    taken(alice, "2011-01-01T00:00:00", 2)
    alice.post("/api/trash", json={"ids": [only]})
    assert timeline(alice) == [("2011-01", 1)]


def test_a_date_edit_moves_the_photo_to_its_new_month(app, alice):
    first = taken(alice, "2020-01-31T23:59:59", 1)
    taken(alice, "2020-01-15T10:00:00", 2)
    alice.patch(f"/api/photos/{first}", json={"taken_at": "2020-02-01T00:00:00+05:00"})  # local time counts
    assert timeline(alice) == recounted(app, alice.email) == [("2020-02", 1), ("2020-01", 1)]


def test_bulk_date_edits_move_the_photos_to_their_new_months(app, alice):
    ids = [taken(alice, f"2021-03-31T2{n}:30:00", n) for n in range(3)]
    alice.patch("/api/photos", json={"ids": ids[1:], "shift_seconds": 2 * 3600})  # 22:30 + 2 h: April
    assert timeline(alice) == [("2021-04", 1), ("2021-03", 2)]
    alice.patch("/api/photos", json={"ids": ids, "taken_at": "1999-12-31T23:00:00"})
    assert timeline(alice) == recounted(app, alice.email) == [("1999-12", 3)]


def test_a_live_photos_mov_taken_in_by_its_still_leaves_one_item_counted(app, alice):
    alice.upload_one("IMG_0002.MOV", apple_mov(CONTENT_ID, created=datetime(2024, 4, 30, 12)))
    assert sum(count for _month, count in timeline(alice)) == 1  # a video meanwhile
    alice.upload_one("IMG_0002.JPG", apple_still(CONTENT_ID, taken="2024:05:01 10:00:00"))
    assert len(alice.get("/api/photos").json["items"]) == 1
    assert timeline(alice) == recounted(app, alice.email) == [("2024-05", 1)]


def test_another_users_photos_are_never_counted(alice, bob):
    taken(alice, "2022-07-07T07:07:07", 1)
    theirs = taken(bob, "2022-07-08T08:08:08", 2)
    taken(bob, "2005-01-01T00:00:00", 3)
    bob.patch(f"/api/photos/{theirs}", json={"taken_at": "2022-08-01T00:00:00"})
    assert timeline(alice) == [("2022-07", 1)]
    assert timeline(bob) == [("2022-08", 1), ("2005-01", 1)]


def test_a_filtered_timeline_counts_its_own_photos(alice):
    first = taken(alice, "2019-06-01T00:00:00", 1)
    taken(alice, "2019-07-01T00:00:00", 2)
    alice.patch("/api/photos", json={"ids": [first], "favourite": True})
    assert alice.get("/api/timeline?favourite=true").json == {"months": [{"month": "2019-06", "count": 1}],
                                                               "total": 1}


def test_the_whole_librarys_timeline_reads_kept_counts_not_the_photos(app, alice):
    taken(alice, "2018-01-01T00:00:00", 1)
    statements = []
    event.listen(app.extensions["db"].engine, "before_cursor_execute",
                 lambda _conn, _cursor, sql, *_rest: statements.append(sql.lower()))
    assert timeline(alice) == [("2018-01", 1)]
    selects = [s for s in statements if s.lstrip().startswith("select") and "from users" not in s]
    assert selects and not [s for s in selects if "from photos" in s]
    assert any("from timeline_counts" in s for s in selects)


# -- the migration ---------------------------------------------------------------------------------------------
def _insert_photos(connection, rows: list[tuple[str, str, str | None]]) -> None:
    """Photos (owner's email, taken_at, trashed_at) written as the app before 0024 wrote them."""
    for n, (email, when, trashed) in enumerate(rows):
        connection.execute(text(
            "INSERT INTO photos (user_id, sha256, filename, format, mime_type, file_size, width, height, "
            "taken_at, taken_at_source, status, trashed_at, favourite, created_at, updated_at) "
            "VALUES ((SELECT id FROM users WHERE email = :email), :sha, 'a.jpg', 'JPEG', 'image/jpeg', 1, 1, 1, "
            ":taken, 'upload', 'done', :trashed, false, '2024-01-01', '2024-01-01')"),
            {"email": email, "sha": f"{n:064x}", "taken": datetime.fromisoformat(when), "trashed": trashed})


def _kept(database) -> set[tuple[str, str, int]]:
    with database.engine.connect() as connection:
        return set(connection.execute(text("SELECT u.email, c.month, c.n FROM timeline_counts c "
                                           "JOIN users u ON u.id = c.user_id")).all())


@pytest.fixture
def library_at_0019(database):
    database.upgrade("0019")
    with database.engine.begin() as connection:
        for email in ("a@example.com", "b@example.com"):
            connection.execute(text("INSERT INTO users (email, password_hash, token_version, token_key, created_at, "
                                    "is_admin) VALUES (:email, 'x', 0, 'k', '2024-01-01', false)"), {"email": email})
        _insert_photos(connection, [("a@example.com", "2024-01-31T23:59:59", None),
                                    ("a@example.com", "2024-01-01T00:00:00", None),
                                    ("a@example.com", "2024-02-01T00:00:00", "2024-03-01"),
                                    ("a@example.com", "0001-01-01T00:00:00", None),
                                    ("b@example.com", "2024-01-15T00:00:00", None)])
    return database


def test_the_upgrade_counts_the_months_of_photos_already_there(library_at_0019):
    library_at_0019.upgrade()
    assert _kept(library_at_0019) == {("a@example.com", "2024-01", 2), ("a@example.com", "0001-01", 1),
                                      ("b@example.com", "2024-01", 1)}


def test_the_upgraded_counts_follow_later_changes(library_at_0019):
    library_at_0019.upgrade()
    with library_at_0019.engine.begin() as connection:
        connection.execute(text("UPDATE photos SET trashed_at = NULL WHERE trashed_at IS NOT NULL"))
        connection.execute(text("UPDATE photos SET taken_at = :when WHERE taken_at < :old"),
                           {"when": datetime(9999, 12, 31, 23, 59, 59), "old": datetime(2000, 1, 1)})
        connection.execute(text("DELETE FROM photos WHERE user_id = (SELECT id FROM users WHERE email = "
                                "'b@example.com')"))
    assert _kept(library_at_0019) == {("a@example.com", "2024-01", 2), ("a@example.com", "2024-02", 1),
                                      ("a@example.com", "0001-01", 0), ("a@example.com", "9999-12", 1),
                                      ("b@example.com", "2024-01", 0)}


def test_the_downgrade_drops_the_counts_and_their_triggers(library_at_0019):
    library_at_0019.upgrade()
    downgrade(library_at_0019, "0019")
    with library_at_0019.engine.begin() as connection:
        _insert_photos(connection, [("b@example.com", "2030-01-01T00:00:00", None)])  # no trigger left to fail
        assert "timeline_counts" not in inspect(connection).get_table_names()
        assert connection.scalar(text("SELECT count(*) FROM photos")) == 6
