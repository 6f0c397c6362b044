"""An index of the photos that have OCR text (issue 18, target 7, on PostgreSQL)

A keyword search also looks for its words glued inside longer OCR runs (`TsvectorIndex.substring_search`: a LIKE
over the folded OCR text). SQLite answers that from its trigram table; PostgreSQL read every photo of the library to
find the few with OCR text (pgserver ships no pg_trgm): 55 ms of each search at 310,000 photos, a word found in one
photo 98 -> 15 ms with this partial index (bench/README.md). Made on both backends, as the model declares it.

Revision ID: 0027
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0025"
branch_labels = None
depends_on = None

HAS_OCR = sa.text("ocr_text IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_photos_user_ocr", "photos", ["user_id", "id"], sqlite_where=HAS_OCR, postgresql_where=HAS_OCR)


def downgrade() -> None:
    op.drop_index("ix_photos_user_ocr", table_name="photos")
