"""Kept month counts of the timeline's commonest filters (issue 18, target 7: requests independent of library size)

A timeline with one tag, camera, format or favourites filter counted every matching photo per request (300,000
photos: a tag on 79% of them 1.7 s p95, a camera 0.6 s). Two tables, kept by triggers as `timeline_counts`
(migration 0024) and `facet_counts` (0020) are, count per owner and month ("YYYY-MM" of taken_at) the photos in
the library (not in Trash):

- `timeline_value_counts`: by the photo's own values (camera make, camera model, format, favourite; '' for no
  value, which no stored photo has: the readers of metadata keep None for an empty one). One row per combination
  rather than one per (facet, value): the camera filter matches a photo whose model OR make holds the text, and
  "canon" matches both of most Canons, so summing a make's and a model's counts would count them twice.
- `timeline_tag_counts`: by shown tag (not hidden), as the tag filter matches them.

A photo's tags count while it is in the library: the photo's own triggers add or take its tags when it goes to
Trash or comes back or changes month, and before it is deleted (its tags are deleted after it by the foreign key,
when their own trigger no longer finds it), as in 0020.

Revision ID: 0026
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0024"
branch_labels = None
depends_on = None

#: The month of taken_at (SQLite keeps it as text, "YYYY-MM-DD HH:MM:SS.ffffff"; to_char pads the year to four).
_SQLITE_MONTH, _POSTGRES_MONTH = "substr({row}.taken_at, 1, 7)", "to_char({row}.taken_at, 'YYYY-MM')"
_VALUES = ("camera_make", "camera_model", "format")
_VALUE_KEY = "user_id, month, camera_make, camera_model, format, favourite"
_VALUE_UPSERT = (f"INSERT INTO timeline_value_counts ({_VALUE_KEY}, n) SELECT {{row}}.user_id, {{month}}, "
                 + ", ".join(f"coalesce({{row}}.{column}, '')" for column in _VALUES)
                 + f", {{row}}.favourite, {{sign}}1 WHERE {{row}}.trashed_at IS NULL "
                 f"ON CONFLICT ({_VALUE_KEY}) DO UPDATE SET n = timeline_value_counts.n + excluded.n;")
_TAG_UPSERT = ("INSERT INTO timeline_tag_counts (user_id, tag, month, n) {select} "
               "ON CONFLICT (user_id, tag, month) DO UPDATE SET n = timeline_tag_counts.n + excluded.n;")


def _photo_values(month: str, row: str, sign: str) -> str:
    """SQL: ±1 for the photo `row`'s month and values when it is in the library."""
    return _VALUE_UPSERT.format(row=row, month=month.format(row=row), sign=sign)


def _photo_tags(month: str, row: str, sign: str) -> str:
    """SQL: ±1 for each shown tag of the photo `row` in its month, when it is in the library."""
    return _TAG_UPSERT.format(select=f"SELECT {row}.user_id, t.name, {month.format(row=row)}, {sign}1 "
                                     f"FROM photo_tags t WHERE t.photo_id = {row}.id AND NOT t.hidden "
                                     f"AND {row}.trashed_at IS NULL")


def _tag(month: str, row: str, sign: str) -> str:
    """SQL: ±1 for the tag `row` in its photo's month, when it is shown and its photo is in the library."""
    return _TAG_UPSERT.format(select=f"SELECT p.user_id, {row}.name, {month.format(row='p')}, {sign}1 FROM photos p "
                                     f"WHERE p.id = {row}.photo_id AND p.trashed_at IS NULL AND NOT {row}.hidden")


def _moved(month: str) -> str:
    """A condition on an update: the photo changed month, owner, or went in or out of Trash (its tags move)."""
    return (f"({month.format(row='OLD')} IS DISTINCT FROM {month.format(row='NEW')} "
            "OR OLD.user_id IS DISTINCT FROM NEW.user_id OR (OLD.trashed_at IS NULL) <> (NEW.trashed_at IS NULL))")


def _values_changed(month: str) -> str:
    """A condition on an update: the photo moved, or one of its kept values changed."""
    return " OR ".join([_moved(month), *(f"OLD.{column} IS DISTINCT FROM NEW.{column}"
                                         for column in (*_VALUES, "favourite"))])


_WATCHED = f"taken_at, trashed_at, user_id, {', '.join(_VALUES)}, favourite"


def _sqlite_triggers() -> list[str]:
    month = _SQLITE_MONTH

    def sqlite(condition: str) -> str:
        return condition.replace("IS DISTINCT FROM", "IS NOT")

    return [
        f"CREATE TRIGGER timeline_value_insert AFTER INSERT ON photos BEGIN {_photo_values(month, 'NEW', '+')} END",
        f"CREATE TRIGGER timeline_value_delete BEFORE DELETE ON photos BEGIN {_photo_values(month, 'OLD', '-')} "
        f"{_photo_tags(month, 'OLD', '-')} END",
        f"CREATE TRIGGER timeline_value_update AFTER UPDATE OF {_WATCHED} ON photos "
        f"WHEN {sqlite(_values_changed(month))} "
        f"BEGIN {_photo_values(month, 'OLD', '-')} {_photo_values(month, 'NEW', '+')} END",
        f"CREATE TRIGGER timeline_tag_move AFTER UPDATE OF taken_at, trashed_at, user_id ON photos "
        f"WHEN {sqlite(_moved(month))} BEGIN {_photo_tags(month, 'OLD', '-')} {_photo_tags(month, 'NEW', '+')} END",
        f"CREATE TRIGGER timeline_tag_insert AFTER INSERT ON photo_tags BEGIN {_tag(month, 'NEW', '+')} END",
        f"CREATE TRIGGER timeline_tag_delete AFTER DELETE ON photo_tags BEGIN {_tag(month, 'OLD', '-')} END",
        "CREATE TRIGGER timeline_tag_update AFTER UPDATE OF name, hidden, photo_id ON photo_tags "
        f"BEGIN {_tag(month, 'OLD', '-')} {_tag(month, 'NEW', '+')} END",
    ]


def _postgres_triggers() -> list[str]:
    month = _POSTGRES_MONTH
    return [
        "CREATE FUNCTION timeline_value() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN {_photo_values(month, 'OLD', '-')} {_photo_tags(month, 'OLD', '-')} "
        "RETURN OLD; END IF; "
        f"IF TG_OP = 'UPDATE' THEN {_photo_values(month, 'OLD', '-')} END IF; "
        f"{_photo_values(month, 'NEW', '+')} "
        f"IF TG_OP = 'UPDATE' AND {_moved(month)} THEN {_photo_tags(month, 'OLD', '-')} "
        f"{_photo_tags(month, 'NEW', '+')} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER timeline_value_delete BEFORE DELETE ON photos FOR EACH ROW EXECUTE FUNCTION timeline_value()",
        "CREATE TRIGGER timeline_value_insert AFTER INSERT ON photos FOR EACH ROW EXECUTE FUNCTION timeline_value()",
        f"CREATE TRIGGER timeline_value_update AFTER UPDATE OF {_WATCHED} ON photos FOR EACH ROW "
        f"WHEN ({_values_changed(month)}) EXECUTE FUNCTION timeline_value()",
        "CREATE FUNCTION timeline_tag() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_tag(month, 'OLD', '-')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_tag(month, 'NEW', '+')} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER timeline_tag_rows AFTER INSERT OR DELETE OR UPDATE OF name, hidden, photo_id ON photo_tags "
        "FOR EACH ROW EXECUTE FUNCTION timeline_tag()",
    ]


def upgrade() -> None:
    op.create_table(
        "timeline_value_counts",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("camera_make", sa.String(length=64), primary_key=True),
        sa.Column("camera_model", sa.String(length=64), primary_key=True),
        sa.Column("format", sa.String(length=16), primary_key=True),
        sa.Column("favourite", sa.Boolean(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_table(
        "timeline_tag_counts",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("tag", sa.String(length=64), primary_key=True),
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    _backfill((_POSTGRES_MONTH if postgres else _SQLITE_MONTH).format(row="p"))


def _backfill(month: str) -> None:
    values = ", ".join(f"coalesce(p.{column}, '')" for column in _VALUES)
    op.execute(f"INSERT INTO timeline_value_counts ({_VALUE_KEY}, n) SELECT p.user_id, {month}, {values}, "
               f"p.favourite, count(*) FROM photos p WHERE p.trashed_at IS NULL "
               f"GROUP BY p.user_id, {month}, {values}, p.favourite")
    op.execute(f"INSERT INTO timeline_tag_counts (user_id, tag, month, n) SELECT p.user_id, t.name, {month}, "
               f"count(*) FROM photo_tags t JOIN photos p ON p.id = t.photo_id "
               f"WHERE p.trashed_at IS NULL AND NOT t.hidden GROUP BY p.user_id, t.name, {month}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table in (("timeline_value_delete", "photos"), ("timeline_value_insert", "photos"),
                               ("timeline_value_update", "photos"), ("timeline_tag_rows", "photo_tags")):
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
        op.execute("DROP FUNCTION timeline_value()")
        op.execute("DROP FUNCTION timeline_tag()")
    else:
        for trigger in ("value_insert", "value_delete", "value_update", "tag_move", "tag_insert", "tag_delete",
                        "tag_update"):
            op.execute(f"DROP TRIGGER timeline_{trigger}")
    op.drop_table("timeline_tag_counts")
    op.drop_table("timeline_value_counts")
