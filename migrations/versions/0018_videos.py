"""Videos beside photos: `photos.media_type` ("image" or "video"; every existing row is an image), the clip's
`duration_ms`, `video_codec` and `frame_rate`, and the state of its web-playable rendition (`rendition_status`
None where the browser plays the original, else queued / running / done / failed, with `rendition_progress` 0..1
for the Jobs page and `rendition_reason` when it failed)

Plain ADD COLUMN on both databases (no batch mode: its SQLite table rebuild drops AUTOINCREMENT and the count
triggers).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

RENDITIONS = sa.text("rendition_status IS NOT NULL")
COLUMNS = ("rendition_reason", "rendition_progress", "rendition_status", "frame_rate", "video_codec", "duration_ms",
           "media_type")


def upgrade() -> None:
    op.add_column("photos", sa.Column("media_type", sa.String(8), nullable=False, server_default="image"))
    op.add_column("photos", sa.Column("duration_ms", sa.Integer(), nullable=True))
    op.add_column("photos", sa.Column("video_codec", sa.String(16), nullable=True))
    op.add_column("photos", sa.Column("frame_rate", sa.Float(), nullable=True))
    op.add_column("photos", sa.Column("rendition_status", sa.String(8), nullable=True))
    op.add_column("photos", sa.Column("rendition_progress", sa.Float(), nullable=True))
    op.add_column("photos", sa.Column("rendition_reason", sa.Text(), nullable=True))
    # The Jobs page's renditions, read without the rest of a big library (only clips that need one are in it).
    op.create_index("ix_photos_user_rendition", "photos", ["user_id", "rendition_status", "id"],
                    sqlite_where=RENDITIONS, postgresql_where=RENDITIONS)


def downgrade() -> None:
    op.drop_index("ix_photos_user_rendition", table_name="photos")
    # DROP COLUMN (SQLite 3.35+) keeps the table, its AUTOINCREMENT and its triggers.
    for name in COLUMNS:
        op.drop_column("photos", name)
