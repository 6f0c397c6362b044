"""Favourites and Trash: `photos.favourite` (the user's heart) and `photos.trashed_at` (when the photo was moved
to Trash; None for every photo in the library), with the indexes that keep the Favourites view and the Trash fast
in a library of 300k photos (the Trash's only holds trashed rows)

The columns are added with ALTER TABLE ADD COLUMN on both databases (the boolean with a server default): no
batch mode, whose SQLite table rebuild would copy every photo and drop the table's AUTOINCREMENT (NEVER_REUSE_IDS).

Revision ID: 0012
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None

TRASHED = sa.text("trashed_at IS NOT NULL")


def upgrade() -> None:
    op.add_column("photos", sa.Column("favourite", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("photos", sa.Column("trashed_at", sa.DateTime(), nullable=True))
    op.create_index("ix_photos_user_favourite", "photos", ["user_id", "favourite", "taken_at", "id"])
    op.create_index("ix_photos_user_trashed", "photos", ["user_id", "trashed_at", "id"], sqlite_where=TRASHED,
                    postgresql_where=TRASHED)


def downgrade() -> None:
    op.drop_index("ix_photos_user_trashed", table_name="photos")
    op.drop_index("ix_photos_user_favourite", table_name="photos")
    with op.batch_alter_table("photos", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("trashed_at")
        batch.drop_column("favourite")
