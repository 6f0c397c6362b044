"""The library's own (user_id, taken_at, id) index: only photos not in Trash, so counting a month of the timeline
(`trashed_at IS NULL` since Trash came) is a search of one index that never reads a photo row, as it was before.
It holds trashed_at too (always null in it): SQLite calls a partial index covering only when it does.

Revision ID: 0019
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0012"
branch_labels = None
depends_on = None

IN_LIBRARY = sa.text("trashed_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_photos_user_taken_library", "photos", ["user_id", "taken_at", "id", "trashed_at"],
                    sqlite_where=IN_LIBRARY, postgresql_where=IN_LIBRARY)


def downgrade() -> None:
    op.drop_index("ix_photos_user_taken_library", table_name="photos")
