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


def _bump(row: str, sign: str, where: str = "{row}.trashed_at IS NULL") -> str:
    """SQL adding ±1 to the Jobs page's kept count of `row`'s status, when `row` is not in Trash (see 0009)."""
    return (f"INSERT INTO analysis_counts (user_id, part, state, n) SELECT {row}.user_id, 'photo', {row}.status, "
            f"{sign}1 WHERE {where.format(row=row)} "
            f"ON CONFLICT (user_id, part, state) DO UPDATE SET n = analysis_counts.n + excluded.n;")


#: The photo-status count triggers of 0009 again, with Trash left out: a photo moved to Trash leaves the Jobs
#: page's counts and comes back with its status when restored.
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER count_photo_status_insert AFTER INSERT ON photos BEGIN {_bump('NEW', '+')} END",
    f"CREATE TRIGGER count_photo_status_delete AFTER DELETE ON photos BEGIN {_bump('OLD', '-')} END",
    "CREATE TRIGGER count_photo_status_update AFTER UPDATE OF status, trashed_at ON photos "
    "WHEN OLD.status IS NOT NEW.status OR OLD.trashed_at IS NOT NEW.trashed_at "
    f"BEGIN {_bump('OLD', '-')} {_bump('NEW', '+')} END",
)
POSTGRES_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION count_photo_status() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' THEN {_bump('OLD', '-')} END IF; "
    f"IF TG_OP <> 'DELETE' THEN {_bump('NEW', '+')} END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER count_photo_status_update AFTER UPDATE OF status, trashed_at ON photos FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.trashed_at IS DISTINCT FROM NEW.trashed_at) "
    "EXECUTE FUNCTION count_photo_status()",
)


def _count_only_the_library() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER count_photo_status_update ON photos")
    else:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER count_photo_status_{event}")
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute("DELETE FROM analysis_counts WHERE part = 'photo'")
    op.execute("INSERT INTO analysis_counts (user_id, part, state, n) SELECT user_id, 'photo', status, count(*) "
               "FROM photos WHERE trashed_at IS NULL GROUP BY user_id, status")


def upgrade() -> None:
    op.add_column("photos", sa.Column("favourite", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("photos", sa.Column("trashed_at", sa.DateTime(), nullable=True))
    op.create_index("ix_photos_user_favourite", "photos", ["user_id", "favourite", "taken_at", "id"])
    op.create_index("ix_photos_user_trashed", "photos", ["user_id", "trashed_at", "id"], sqlite_where=TRASHED,
                    postgresql_where=TRASHED)
    _count_only_the_library()


def _drop_status_triggers() -> None:
    """The triggers that read trashed_at go before the column does (PostgreSQL refuses otherwise)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS count_photo_status_update ON photos")
    else:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS count_photo_status_{event}")


def _count_every_photo() -> None:
    """0009's triggers back, and every photo counted again."""
    if op.get_bind().dialect.name == "postgresql":
        statements = [POSTGRES_TRIGGERS[0].replace("WHERE NEW.trashed_at IS NULL", "WHERE true")
                      .replace("WHERE OLD.trashed_at IS NULL", "WHERE true"),
                      "CREATE TRIGGER count_photo_status_update AFTER UPDATE OF status ON photos FOR EACH ROW "
                      "WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION count_photo_status()"]
    else:
        statements = [
            f"CREATE TRIGGER count_photo_status_insert AFTER INSERT ON photos BEGIN {_bump('NEW', '+', 'true')} END",
            f"CREATE TRIGGER count_photo_status_delete AFTER DELETE ON photos BEGIN {_bump('OLD', '-', 'true')} END",
            "CREATE TRIGGER count_photo_status_update AFTER UPDATE OF status ON photos WHEN OLD.status IS NOT "
            f"NEW.status BEGIN {_bump('OLD', '-', 'true')} {_bump('NEW', '+', 'true')} END",
        ]
    for statement in statements:
        op.execute(statement)
    op.execute("DELETE FROM analysis_counts WHERE part = 'photo'")
    op.execute("INSERT INTO analysis_counts (user_id, part, state, n) SELECT user_id, 'photo', status, count(*) "
               "FROM photos GROUP BY user_id, status")


def downgrade() -> None:
    _drop_status_triggers()
    op.drop_index("ix_photos_user_trashed", table_name="photos")
    op.drop_index("ix_photos_user_favourite", table_name="photos")
    with op.batch_alter_table("photos", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("trashed_at")
        batch.drop_column("favourite")
    _count_every_photo()
