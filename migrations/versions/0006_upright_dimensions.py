"""Width and height as the photo is shown

Photos whose EXIF orientation turns them a quarter (5-8: a phone held upright) were stored with the width and
height of the sensor (an iPhone portrait as 3264x2448). From this revision on, new uploads store the size as
shown; this swaps the two columns of the rows stored before, where orientation is 5-8. Both SQLite and
PostgreSQL read the old values on the right of an UPDATE's SET, so one statement swaps them. HEIF rows are not
touched: pillow-heif turns the picture itself and reports orientation 1, so their size was already as shown.
Downgrading swaps them back.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SWAP = sa.text("UPDATE photos SET width = height, height = width WHERE orientation IN (5, 6, 7, 8)")


def upgrade() -> None:
    op.execute(_SWAP)


def downgrade() -> None:
    op.execute(_SWAP)
