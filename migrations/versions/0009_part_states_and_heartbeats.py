"""A status per analysis part, counts the database keeps, and worker heartbeats

- `photo_part_states`: the parts of a photo's analysis that did not run ("waiting" for a model, or "off"), so a
  photo whose captioner is missing is known to have its tags, faces, place, text and embedding;
  `analysis_problems`: why a part waits, once per part (the Jobs page shows it, not every photo).
- `analysis_counts`: photos per (owner, status) and part states per (owner, part, state), kept by triggers, so
  the Jobs page (polled every few seconds) reads a few rows instead of counting the library.
- `worker_beats`: when each worker holding analysis claims last said it is alive, so any worker on any machine
  can take over the photos of one that died; an index on `photos.claimed_by` finds the claims.

Photos "waiting" before this revision kept only a joined reason; each reason names its model kind
("caption model 'x' cannot be loaded: ..."), which maps to the part that waits.

Revision ID: 0009
Revises: 0008
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: The model kinds (shoebox.ai, as named in a reason) and the part each one runs.
KIND_PARTS = {"caption": "caption", "tag": "tags", "faces": "faces", "places": "places", "ocr": "text",
              "embedding": "embedding"}


def _bump(row: str, part: str, state: str, sign: str) -> str:
    """SQL adding ±1 to the kept count of (row.user_id, part, state), creating the row when missing."""
    return (f"INSERT INTO analysis_counts (user_id, part, state, n) VALUES ({row}.user_id, {part}, {row}.{state}, "
            f"{sign}1) ON CONFLICT (user_id, part, state) DO UPDATE SET n = analysis_counts.n + excluded.n;")


#: (name, table, the part it counts under, the state column)
COUNTED = (("photo_status", "photos", "'photo'", "status"), ("part_state", "photo_part_states", "{row}.part", "state"))


def _sqlite_triggers() -> list[str]:
    statements = []
    for name, table, part, state in COUNTED:
        new, old = part.format(row="NEW"), part.format(row="OLD")
        statements += [
            f"CREATE TRIGGER count_{name}_insert AFTER INSERT ON {table} BEGIN {_bump('NEW', new, state, '+')} END",
            f"CREATE TRIGGER count_{name}_delete AFTER DELETE ON {table} BEGIN {_bump('OLD', old, state, '-')} END",
            f"CREATE TRIGGER count_{name}_update AFTER UPDATE OF {state} ON {table} "
            f"WHEN OLD.{state} IS NOT NEW.{state} BEGIN {_bump('OLD', old, state, '-')} "
            f"{_bump('NEW', new, state, '+')} END",
        ]
    return statements


def _postgres_triggers() -> list[str]:
    statements = []
    for name, table, part, state in COUNTED:
        new, old = part.format(row="NEW"), part.format(row="OLD")
        statements += [
            f"CREATE FUNCTION count_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' THEN {_bump('OLD', old, state, '-')} END IF; "
            f"IF TG_OP <> 'DELETE' THEN {_bump('NEW', new, state, '+')} END IF; "
            f"RETURN NULL; END $$",
            f"CREATE TRIGGER count_{name}_rows AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION count_{name}()",
            f"CREATE TRIGGER count_{name}_update AFTER UPDATE OF {state} ON {table} FOR EACH ROW "
            f"WHEN (OLD.{state} IS DISTINCT FROM NEW.{state}) EXECUTE FUNCTION count_{name}()",
        ]
    return statements


def upgrade() -> None:
    op.create_table(
        "photo_part_states",
        sa.Column("photo_id", sa.Integer(), sa.ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("part", sa.String(length=16), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
    )
    op.create_table(
        "analysis_problems",
        sa.Column("part", sa.String(length=16), primary_key=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "worker_beats",
        sa.Column("worker", sa.String(length=128), primary_key=True),
        sa.Column("beat_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "analysis_counts",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("part", sa.String(length=16), primary_key=True),
        sa.Column("state", sa.String(length=16), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_index("ix_photos_claimed_by", "photos", ["claimed_by"])
    op.create_index("ix_photos_user_status", "photos", ["user_id", "status", "id"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    op.execute("INSERT INTO analysis_counts (user_id, part, state, n) "
               "SELECT user_id, 'photo', status, count(*) FROM photos GROUP BY user_id, status")
    _split_waiting_reasons()


def _split_waiting_reasons() -> None:
    """The parts each "waiting" photo waits for, from its joined reason; the reasons go to analysis_problems."""
    bind = op.get_bind()
    problems: dict[str, str] = {}
    for (reason,) in bind.execute(sa.text("SELECT DISTINCT status_reason FROM photos "
                                          "WHERE status = 'waiting' AND status_reason IS NOT NULL")):
        for piece in reason.split("; "):
            kind = piece.split(" model ", 1)[0]
            if kind in KIND_PARTS and " model " in piece:
                problems.setdefault(KIND_PARTS[kind], piece)
    for kind, part in KIND_PARTS.items():
        bind.execute(sa.text(
            "INSERT INTO photo_part_states (photo_id, part, user_id, state) SELECT id, :part, user_id, 'waiting' "
            "FROM photos WHERE status = 'waiting' AND (status_reason LIKE :first OR status_reason LIKE :later)"),
            {"part": part, "first": f"{kind} model %", "later": f"%; {kind} model %"})
    for part, reason in problems.items():
        bind.execute(sa.text("INSERT INTO analysis_problems (part, reason, seen_at) VALUES (:part, :reason, :now)"),
                     {"part": part, "reason": reason, "now": datetime.now(UTC).replace(tzinfo=None)})
    bind.execute(sa.text("UPDATE photos SET status_reason = NULL WHERE status = 'waiting' AND id IN "
                         "(SELECT photo_id FROM photo_part_states)"))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, _part, _state in COUNTED:
        if postgres:
            op.execute(f"DROP TRIGGER count_{name}_rows ON {table}")
            op.execute(f"DROP TRIGGER count_{name}_update ON {table}")
            op.execute(f"DROP FUNCTION count_{name}()")
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER count_{name}_{event}")
    op.execute("UPDATE photos SET status_reason = 'waiting for a model' "
               "WHERE status = 'waiting' AND status_reason IS NULL")
    op.drop_index("ix_photos_user_status", table_name="photos")
    op.drop_index("ix_photos_claimed_by", table_name="photos")
    for table in ("analysis_counts", "worker_beats", "analysis_problems", "photo_part_states"):
        op.drop_table(table)
