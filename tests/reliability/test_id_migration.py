"""Revision 0005: an existing database keeps every row and id, and from then on never hands an id out twice."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Integer, text

from shoebox.db import Base, Database
from tests.migrations import downgrade

#: One row in every table with an integer id, each pointing at its parent (ids chosen by the database).
ROWS = [
    "INSERT INTO users (email, password_hash, token_version, created_at{key_column}) VALUES ('{who}@example.com', "
    "'x', 0, '2024-01-01'{key_value})",
    "INSERT INTO photos (user_id, sha256, filename, format, mime_type, file_size, width, height, taken_at, "
    "taken_at_source, status, created_at, updated_at) SELECT max(id), '{who}', 'a.jpg', 'JPEG', 'image/jpeg', 1, "
    "1, 1, '2024-01-01', 'upload', 'done', '2024-01-01', '2024-01-01' FROM users",
    "INSERT INTO photo_tags (photo_id, name, source, hidden) SELECT max(id), 'sea', 'user', false FROM photos",
    "INSERT INTO embeddings (photo_id, kind, model, dim, vector, created_at) SELECT max(id), 'text', 'm', 1, "
    "{blob}, '2024-01-01' FROM photos",
    "INSERT INTO people (user_id, hidden, face_count, created_at) SELECT max(id), false, 1, '2024-01-01' FROM users",
    "INSERT INTO faces (photo_id, user_id, person_id, box_left, box_top, box_right, box_bottom, descriptor, score, "
    "model, person_source, created_at) SELECT (SELECT max(id) FROM photos), (SELECT max(id) FROM users), max(id), "
    "0, 0, 1, 1, {blob}, 1, 'm', 'ai', '2024-01-01' FROM people",
    "INSERT INTO reset_tokens (user_id, token_hash, expires_at, created_at) SELECT max(id), '{who}', '2024-01-01', "
    "'2024-01-01' FROM users",
]
TABLES = ("users", "photos", "photo_tags", "embeddings", "people", "faces", "reset_tokens")



def _fill(database: Database, who: str, migrated: bool = False) -> None:
    """One row per table for account `who` (`migrated`: the users table has its token_key)."""
    blob = "x'00'" if database.engine.dialect.name == "sqlite" else "'\\x00'::bytea"
    key = {"key_column": ", token_key", "key_value": f", '{who}-key'"} if migrated else \
        {"key_column": "", "key_value": ""}
    with database.engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement.format(who=who, blob=blob, **key)))


def _snapshot(database: Database) -> dict[str, list[tuple]]:
    with database.engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all() for table in TABLES}


def test_upgrade_keeps_every_row_and_id_and_gives_each_account_its_own_token_key(database):
    database.upgrade("0004")
    for who in ("ana", "ben", "cy"):
        _fill(database, who)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM users WHERE email = 'cy@example.com'"))
    before = _snapshot(database)
    database.upgrade()
    after = _snapshot(database)
    for table in TABLES:
        assert [row[:len(before[table][0])] for row in after[table]] == before[table], table
    with database.engine.connect() as connection:
        keys = connection.execute(text("SELECT token_key FROM users")).scalars().all()
    assert len(set(keys)) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)


def test_after_the_upgrade_no_id_is_handed_out_twice(database):
    database.upgrade("0004")
    _fill(database, "ana")
    _fill(database, "ben")
    database.upgrade()
    with database.engine.connect() as connection:
        newest = {table: connection.scalar(text(f"SELECT max(id) FROM {table}")) for table in TABLES}
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM users WHERE email = 'ben@example.com'"))  # the newest of every table
    _fill(database, "cy", migrated=True)
    with database.engine.connect() as connection:
        for table in TABLES:
            assert connection.scalar(text(f"SELECT min(id) FROM {table} WHERE id > {newest[table]}")), table


@pytest.mark.embedded_only(reason="AUTOINCREMENT is SQLite's; PostgreSQL sequences never go back")
def test_every_table_with_an_integer_id_is_autoincrement_on_sqlite(database):
    """Also a guard for tables added later: without AUTOINCREMENT, SQLite reuses the largest deleted id."""
    database.upgrade()
    with database.engine.connect() as connection:
        ddl = dict(connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1  # switched back on after migrating
    with_ids = [t.name for t in Base.metadata.sorted_tables  # a composite key (photo, part) hands out no id
                if [type(c.type) for c in t.primary_key.columns] == [Integer]]
    assert set(TABLES) <= set(with_ids)
    assert [name for name in with_ids if "AUTOINCREMENT" not in ddl[name]] == []


def test_downgrade_to_0004_keeps_every_row(database):
    database.upgrade("0004")
    _fill(database, "ana")
    before = _snapshot(database)
    database.upgrade()
    downgrade(database, "0004")
    assert _snapshot(database) == before


