"""Kept month counts for the timeline (issue 18, target 7: requests independent of library size)

`timeline_counts`: per owner, how many photos in the library (not in Trash) were taken in each month ("YYYY-MM" of
taken_at, the local wall-clock time), kept by triggers on photos as `facet_counts` (migration 0020) is, so the
whole library's `/api/timeline` reads a few hundred rows instead of counting every photo (300,000 photos: 150 ms
p95). A month whose count fell to 0 keeps its row (read as no month). A table of its own rather than a "month"
facet in facet_counts: facet_counts holds the filter choices, whose readers and tests take every row of it for
one, and the month is no filter value.

A photo counts where the library scope shows it (shoebox/scope.py: the owner's, not in Trash); nothing else hides
a row: a Live Photo's MOV taken in by its still is deleted (its trigger takes it off), one never stored as its own
row was never counted.

Revision ID: 0024
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0019"
branch_labels = None
depends_on = None

_UPSERT = ("INSERT INTO timeline_counts (user_id, month, n) SELECT {row}.user_id, {month}, {sign}1 "
           "WHERE {row}.trashed_at IS NULL "
           "ON CONFLICT (user_id, month) DO UPDATE SET n = timeline_counts.n + excluded.n;")
#: The month of taken_at (SQLite keeps it as text, "YYYY-MM-DD HH:MM:SS.ffffff"; to_char pads the year to four).
_SQLITE_MONTH, _POSTGRES_MONTH = "substr({row}.taken_at, 1, 7)", "to_char({row}.taken_at, 'YYYY-MM')"


def _count(month: str, row: str, sign: str) -> str:
    """SQL: ±1 for the photo `row`'s month when it is in the library."""
    return _UPSERT.format(row=row, month=month.format(row=row), sign=sign)


def _changed(month: str) -> str:
    """A condition on an update: the photo moved to another month, owner, or in or out of Trash."""
    return (f"{month.format(row='OLD')} IS DISTINCT FROM {month.format(row='NEW')} "
            "OR OLD.user_id IS DISTINCT FROM NEW.user_id OR (OLD.trashed_at IS NULL) <> (NEW.trashed_at IS NULL)")


def _sqlite_triggers() -> list[str]:
    month, changed = _SQLITE_MONTH, _changed(_SQLITE_MONTH).replace("IS DISTINCT FROM", "IS NOT")
    return [
        f"CREATE TRIGGER timeline_photo_insert AFTER INSERT ON photos BEGIN {_count(month, 'NEW', '+')} END",
        f"CREATE TRIGGER timeline_photo_delete AFTER DELETE ON photos BEGIN {_count(month, 'OLD', '-')} END",
        f"CREATE TRIGGER timeline_photo_update AFTER UPDATE OF taken_at, trashed_at, user_id ON photos "
        f"WHEN {changed} BEGIN {_count(month, 'OLD', '-')} {_count(month, 'NEW', '+')} END",
    ]


def _postgres_triggers() -> list[str]:
    month = _POSTGRES_MONTH
    return [
        "CREATE FUNCTION timeline_photo() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_count(month, 'OLD', '-')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_count(month, 'NEW', '+')} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER timeline_photo_rows AFTER INSERT OR DELETE ON photos FOR EACH ROW "
        "EXECUTE FUNCTION timeline_photo()",
        "CREATE TRIGGER timeline_photo_update AFTER UPDATE OF taken_at, trashed_at, user_id ON photos FOR EACH ROW "
        f"WHEN ({_changed(month)}) EXECUTE FUNCTION timeline_photo()",
    ]


def upgrade() -> None:
    op.create_table(
        "timeline_counts",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    month = (_POSTGRES_MONTH if postgres else _SQLITE_MONTH).format(row="photos")
    op.execute(f"INSERT INTO timeline_counts (user_id, month, n) SELECT user_id, {month}, count(*) FROM photos "
               f"WHERE trashed_at IS NULL GROUP BY user_id, {month}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("timeline_photo_rows", "timeline_photo_update"):
            op.execute(f"DROP TRIGGER {trigger} ON photos")
        op.execute("DROP FUNCTION timeline_photo()")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER timeline_photo_{trigger}")
    op.drop_table("timeline_counts")
