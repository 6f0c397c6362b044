"""The tag classifier's most probable labels per photo (JSON), so search can read what the classifier saw below the
tags (ConSE); existing photos get them at their next analysis (`flask shoebox reindex --only tags`)

Revision ID: 0011
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("labels", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("labels")
