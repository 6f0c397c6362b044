"""The tag index covers a tag filter's photo ids (issue 18, target 3: filtered meaning search at a million photos)

`ix_photo_tags_name` was (name): reading a tag's photo ids (a tag filter's side, `Filters.superset`, and a rare
tag's `id IN (...)`) looked each tag row up in the table by rowid after the index. As (name, hidden, photo_id) the
ids come from the index alone, in photo id order: a 10% tag at a million photos (100,000 ids) 18 -> 13 ms
(bench/README.md). Same name, so the query plans that named it still do.

Revision ID: 0025
Revises: 0026
"""

from alembic import op

revision = "0025"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_photo_tags_name", table_name="photo_tags")
    op.create_index("ix_photo_tags_name", "photo_tags", ["name", "hidden", "photo_id"])


def downgrade() -> None:
    op.drop_index("ix_photo_tags_name", table_name="photo_tags")
    op.create_index("ix_photo_tags_name", "photo_tags", ["name"])
