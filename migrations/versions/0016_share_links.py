"""Share links: an album or chosen photos shown to anyone with the link, with an optional expiry and password

`shares` keeps each link's token only as its SHA-256 (to find it) and a random salt (to derive it again with the
install's SECRET_KEY when the owner copies it); `share_photos` holds the photos chosen for a share that is not an
album's. Both never reuse ids (AUTOINCREMENT on SQLite, see 0005); a share goes with its account or album, and a
chosen photo with its share or photo (foreign keys cascade).

Revision ID: 0016
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None

NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("album_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("allow_download", sa.Boolean(), nullable=False),
        sa.Column("show_location", sa.Boolean(), nullable=False),
        sa.Column("show_people", sa.Boolean(), nullable=False),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.Column("last_viewed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["album_id"], ["albums.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
        **NEVER_REUSE_IDS,
    )
    op.create_index("ix_shares_user_id", "shares", ["user_id"])
    op.create_index("ix_shares_album_id", "shares", ["album_id"])
    op.create_table(
        "share_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["share_id"], ["shares.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        # Also the index that lists a share's photos: (share_id, photo_id).
        sa.UniqueConstraint("share_id", "photo_id", name="uq_share_photo"),
        **NEVER_REUSE_IDS,
    )
    op.create_index("ix_share_photos_photo_id", "share_photos", ["photo_id"])


def downgrade() -> None:
    op.drop_index("ix_share_photos_photo_id", table_name="share_photos")
    op.drop_table("share_photos")
    op.drop_index("ix_shares_album_id", table_name="shares")
    op.drop_index("ix_shares_user_id", table_name="shares")
    op.drop_table("shares")
