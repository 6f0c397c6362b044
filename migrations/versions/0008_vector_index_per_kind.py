"""PostgreSQL: one HNSW index per embedding kind and dimension instead of one per dimension, now that a photo
has a second embedding kind ("visual", its look) that may share a dimension with its search embedding (ViT-B
and SigLIP-B are both 768-d); nothing changes on SQLite, whose vectors are searched in memory.

Existing per-dimension indexes are dropped and the per-kind ones built for the (kind, dimension) pairs stored;
new pairs get theirs when first stored (shoebox.search.postgres.ensure_vector_index makes the same index).

Revision ID: 0008
Revises: 0013
"""

from alembic import op
from sqlalchemy import text

revision = "0008"
down_revision = "0013"
branch_labels = None
depends_on = None


def _index_names(prefix: str) -> list[str]:
    return list(op.get_bind().scalars(text(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings' AND indexname LIKE :prefix"),
        {"prefix": prefix + "%"}))


def _hnsw(name: str, dim: int, where: str) -> str:
    return (f"CREATE INDEX IF NOT EXISTS {name} ON embeddings USING hnsw ((vec::vector({dim})) vector_cosine_ops) "
            f"WHERE {where}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in _index_names("ix_embeddings_vec_hnsw_"):
        op.execute(f'DROP INDEX IF EXISTS "{name}"')
    pairs = op.get_bind().execute(text("SELECT DISTINCT kind, dim FROM embeddings ORDER BY kind, dim")).all()
    for kind, dim in pairs:
        if kind.isalpha():  # the kinds Shoebox writes: "text", "image", "visual"
            op.execute(_hnsw(f"ix_embeddings_{kind}_hnsw_{int(dim)}", int(dim), f"kind = '{kind}' AND dim = {int(dim)}"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in _index_names("ix_embeddings_"):
        if "_hnsw_" in name and not name.startswith("ix_embeddings_vec_hnsw_"):
            op.execute(f'DROP INDEX IF EXISTS "{name}"')
    for (dim,) in op.get_bind().execute(text("SELECT DISTINCT dim FROM embeddings ORDER BY dim")).all():
        op.execute(_hnsw(f"ix_embeddings_vec_hnsw_{int(dim)}", int(dim), f"dim = {int(dim)}"))
