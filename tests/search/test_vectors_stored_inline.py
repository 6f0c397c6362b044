"""PostgreSQL: an embedding's `vec` stays in its row (not in the TOAST table), so an exact filtered meaning search
reads one row per candidate; the migration moves vectors stored before it back into their rows and keeps the
HNSW index."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from shoebox.jobs.parts import store_embedding
from shoebox.scope import Scope
from shoebox.search.postgres import PgVectorStore

pytestmark = pytest.mark.postgres_only(reason="PostgreSQL's TOAST storage and pgvector")

DIM = 384  # MiniLM's: float32 vec + float16 BLOB is over PostgreSQL's default 2 kB TOAST target


def _photos(session, count: int) -> list[int]:
    session.execute(text("INSERT INTO users (email, password_hash, token_version, token_key, created_at) "
                         "VALUES ('ana@example.com', 'x', 0, 'k', now())"))
    return list(session.scalars(text(
        "INSERT INTO photos (user_id, sha256, filename, format, mime_type, file_size, width, height, taken_at, "
        "taken_at_source, status, created_at, updated_at) SELECT (SELECT max(id) FROM users), 'h' || n, 'a.jpg', "
        "'JPEG', 'image/jpeg', 1, 1, 1, now(), 'upload', 'done', now(), now() FROM generate_series(1, :count) n "
        "RETURNING id"), {"count": count}))


def _store(database, count: int) -> tuple[list[int], np.ndarray]:
    vectors = np.random.default_rng(0).normal(size=(count, DIM))
    with database.transaction() as session:
        ids = _photos(session, count)
        for photo_id, vector in zip(ids, vectors, strict=True):
            store_embedding(session, photo_id, "text", "minilm", vector)
    return ids, vectors


def _toasted_bytes(database) -> int:
    with database.engine.connect() as connection:
        return connection.scalar(text("SELECT pg_relation_size(reltoastrelid) FROM pg_class "
                                      "WHERE relname = 'embeddings'"))


def test_a_stored_embedding_keeps_its_vector_in_its_row(database):
    database.upgrade()

    _store(database, 5)

    assert _toasted_bytes(database) == 0


def test_upgrade_moves_vectors_stored_before_it_into_their_rows_and_search_still_finds_them(database):
    database.upgrade("0008")
    ids, vectors = _store(database, 5)
    assert _toasted_bytes(database) > 0  # as they were stored before

    database.upgrade()

    assert _toasted_bytes(database) == 0
    with database.transaction() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # through the rebuilt HNSW index
        found = PgVectorStore().search(session, Scope.of_user(session.scalar(text("SELECT max(id) FROM users"))),
                                       "minilm", vectors[3], 1, "text")
    assert [photo_id for photo_id, _ in found] == [ids[3]]
