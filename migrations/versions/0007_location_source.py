"""Where a photo's location came from ("exif" or "user"), so a later read of the file's metadata never replaces
a location the user set or removed; existing locations came from EXIF

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("location_source", sa.String(length=8), nullable=True))
    op.execute("UPDATE photos SET location_source = 'exif' WHERE gps_latitude IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("location_source")
