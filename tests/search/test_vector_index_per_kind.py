"""PostgreSQL: a photo's look ("visual") and its search embedding may share a dimension (ViT-B and SigLIP-B are
both 768-d); each kind has its own HNSW index, so an approximate scan for one is never filled with the other's."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from shoebox.jobs.parts import store_embedding
from shoebox.models import VISUAL
from shoebox.scope import Scope
from shoebox.search.postgres import PgVectorStore

pytestmark = pytest.mark.postgres_only(reason="pgvector's HNSW indexes")

DIM = 8


def _indexes(database) -> set[str]:
    with database.engine.connect() as connection:
        return set(connection.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings' "
                                           "AND indexname LIKE '%hnsw%'")))


def _photos(session, count: int) -> list[int]:
    session.execute(text("INSERT INTO users (email, password_hash, token_version, token_key, created_at) "
                         "VALUES ('ana@example.com', 'x', 0, 'k', now())"))
    return list(session.scalars(text(
        "INSERT INTO photos (user_id, sha256, filename, format, mime_type, file_size, width, height, taken_at, "
        "taken_at_source, status, created_at, updated_at) SELECT (SELECT max(id) FROM users), 'h' || n, 'a.jpg', "
        "'JPEG', 'image/jpeg', 1, 1, 1, now(), 'upload', 'done', now(), now() FROM generate_series(1, :count) n "
        "RETURNING id"), {"count": count}))


def test_upgrade_replaces_the_index_per_dimension_with_one_per_kind(database):
    database.upgrade("0007")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE INDEX ix_embeddings_vec_hnsw_8 ON embeddings USING hnsw "
                                "((vec::vector(8)) vector_cosine_ops) WHERE dim = 8"))
    with database.transaction() as session:
        ids = _photos(session, 2)
        store_embedding(session, ids[0], "text", "minilm", np.ones(DIM))
        store_embedding(session, ids[1], VISUAL, "efficientnet", np.ones(DIM))
    with database.engine.begin() as connection:  # as the old code left them: one index per dimension
        connection.execute(text("DROP INDEX IF EXISTS ix_embeddings_text_hnsw_8, ix_embeddings_visual_hnsw_8"))

    database.upgrade()

    assert _indexes(database) == {"ix_embeddings_text_hnsw_8", "ix_embeddings_visual_hnsw_8"}


def test_an_approximate_search_of_looks_finds_every_look_beside_nearer_words_of_one_dimension(database):
    database.upgrade()
    rng = np.random.default_rng(0)
    target = np.ones(DIM)
    with database.transaction() as session:
        ids = _photos(session, 110)
        for photo_id in ids[:100]:  # search embeddings nearer the query than any look
            store_embedding(session, photo_id, "text", "minilm", target + rng.normal(0, 0.01, DIM))
        for photo_id in ids[100:]:
            store_embedding(session, photo_id, VISUAL, "efficientnet", target + rng.normal(0, 0.5, DIM))
    with database.transaction() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # the planner would scan 110 rows instead
        found = PgVectorStore().search(session, Scope.of_user(session.scalar(text("SELECT max(id) FROM users"))),
                                       "efficientnet", target, 10, VISUAL)
    assert sorted(photo_id for photo_id, _ in found) == ids[100:]
