"""Live Photos and Motion Photos: a still's clip. `photos.motion_sha256` names the clip's file among the owner's
originals (content-addressed like every original: an Apple Live Photo's MOV as it came, an Android Motion Photo's
MP4 cut out of its JPEG), `motion_kind` says which ("live" or "motion"), `motion_filename` the MOV's own name (for
its download), and `content_id` the Apple content identifier that pairs a still with its MOV whichever comes
first (on a still, and on a MOV still waiting for its still), indexed per owner.

Plain ADD COLUMN on both databases (no batch mode: its SQLite table rebuild drops AUTOINCREMENT and the count
triggers).

Revision ID: 0019
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("photos", sa.Column("motion_sha256", sa.String(64), nullable=True))
    op.add_column("photos", sa.Column("motion_kind", sa.String(8), nullable=True))
    op.add_column("photos", sa.Column("motion_filename", sa.String(255), nullable=True))
    op.add_column("photos", sa.Column("content_id", sa.String(64), nullable=True))
    op.create_index("ix_photos_user_content_id", "photos", ["user_id", "content_id"])
    op.create_index("ix_photos_user_motion", "photos", ["user_id", "motion_sha256"])


def downgrade() -> None:
    op.drop_index("ix_photos_user_motion", "photos")
    op.drop_index("ix_photos_user_content_id", "photos")
    for name in ("content_id", "motion_filename", "motion_kind", "motion_sha256"):
        op.drop_column("photos", name)
