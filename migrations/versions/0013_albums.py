"""Albums: a user's named sets of their photos (a photo can be in many), with a chosen cover and sort order

Both tables never reuse ids (AUTOINCREMENT on SQLite, see 0005). Memberships go with their album or their photo,
and albums with their account (foreign keys cascade); a deleted cover photo leaves the album showing its newest.

Revision ID: 0013
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0014"
branch_labels = None
depends_on = None

NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.create_table(
        "albums",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("cover_photo_id", sa.Integer(), nullable=True),
        sa.Column("photo_order", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cover_photo_id"], ["photos.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        **NEVER_REUSE_IDS,
    )
    op.create_index("ix_albums_user_id", "albums", ["user_id"])
    op.create_index("ix_albums_cover_photo_id", "albums", ["cover_photo_id"])
    op.create_table(
        "album_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("album_id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["album_id"], ["albums.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        # Also the index that counts an album's photos and lists them: (album_id, photo_id), never the table.
        sa.UniqueConstraint("album_id", "photo_id", name="uq_album_photo"),
        **NEVER_REUSE_IDS,
    )
    op.create_index("ix_album_photos_photo_id", "album_photos", ["photo_id"])


def downgrade() -> None:
    op.drop_index("ix_album_photos_photo_id", table_name="album_photos")
    op.drop_table("album_photos")
    op.drop_index("ix_albums_cover_photo_id", table_name="albums")
    op.drop_index("ix_albums_user_id", table_name="albums")
    op.drop_table("albums")
