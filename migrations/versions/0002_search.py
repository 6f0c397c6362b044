"""Keyword search index (SQLite FTS5 / PostgreSQL tsvector + pgvector) and a perceptual hash for near-duplicates

On PostgreSQL: the `vector` extension, `embeddings.vec` (untyped `vector`, filled from the BLOB by the ORM;
per-dimension HNSW indexes are created by shoebox.search.postgres when a dimension is first stored), and
`photo_search(photo_id, document tsvector)` with a GIN index. No backfill there: PostgreSQL support arrives
with this revision, so no PostgreSQL database holds photos at 0001 (migrate-data rebuilds after copying).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("phash", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # No porter stemmer: it breaks prefix search while typing ("electri" would not find "electricity",
        # stored as "electr"); word variants are the meaning search's job.
        op.execute("CREATE VIRTUAL TABLE photo_fts USING fts5(caption, tags, note, filename, camera, "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute("INSERT INTO photo_fts(rowid, caption, tags, note, filename, camera) "
                   "SELECT p.id, p.caption, (SELECT group_concat(t.name, ' ') FROM photo_tags t "
                   "WHERE t.photo_id = p.id AND NOT t.hidden), p.note, p.filename, "
                   "trim(coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, '')) FROM photos p")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
        op.execute("ALTER TABLE embeddings ADD COLUMN vec vector")
        op.execute("CREATE TABLE photo_search (photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE, "
                   "document tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_photo_search_document ON photo_search USING gin (document)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE photo_fts")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE photo_search")
        op.execute("ALTER TABLE embeddings DROP COLUMN vec")
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("phash")
