"""PostgreSQL: keep each embedding's `vec` inside its row instead of in the TOAST table, so an exact (filtered)
meaning search reads one heap row per candidate rather than a row and a TOAST lookup (bench/README.md: a 10% tag
filter at 100k photos 205 -> 69 ms p50); nothing changes on SQLite, whose vectors are searched in memory.

A 384-d row is about 2.4 kB (the float32 `vec` beside the float16 BLOB), over the default 2 kB TOAST target, so
PostgreSQL moved `vec` out of line. `toast_tuple_target` = 8160 (the largest) keeps rows whole up to a page;
existing rows are rewritten once (VACUUM FULL, outside the transaction) with the HNSW indexes dropped first and
built again after (with shoebox.search.postgres's parameters), so the rewrite does not rebuild them twice.

Revision ID: 0023
Revises: 0020
"""

from alembic import op
from sqlalchemy import text

revision = "0023"
down_revision = "0020"
branch_labels = None
depends_on = None


def _hnsw_pairs() -> list[tuple[str, int]]:
    """(kind, dim) of the per-kind HNSW indexes there are, from their names (ix_embeddings_<kind>_hnsw_<dim>)."""
    names = op.get_bind().scalars(text(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings' AND indexname LIKE 'ix_embeddings_%_hnsw_%'"))
    pairs = []
    for name in names:
        kind, _, dim = name.removeprefix("ix_embeddings_").partition("_hnsw_")
        if kind.isalpha() and dim.isdigit():
            pairs.append((kind, int(dim)))
    return sorted(pairs)


def _restore(target: int) -> None:
    from shoebox.search.postgres import vector_index_sql

    pairs = _hnsw_pairs()
    for kind, dim in pairs:
        op.execute(f"DROP INDEX IF EXISTS ix_embeddings_{kind}_hnsw_{dim}")
    op.execute(f"ALTER TABLE embeddings SET (toast_tuple_target = {target})")
    with op.get_context().autocommit_block():
        op.execute("VACUUM FULL embeddings")
    for kind, dim in pairs:
        op.execute(vector_index_sql(kind, dim))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _restore(8160)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _restore(2032)
