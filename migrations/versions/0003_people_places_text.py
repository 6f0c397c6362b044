"""People (faces grouped per user), places from GPS and text in photos; keyword index covers them

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PLACE_COLUMNS = (("city", 128), ("region", 128), ("country", 128), ("country_code", 2))

FTS_COLUMNS_0002 = "caption, tags, note, filename, camera"
FTS_COLUMNS_0003 = FTS_COLUMNS_0002 + ", people, place, ocr"
FTS_SELECT_0002 = ("SELECT p.id, p.caption, (SELECT group_concat(t.name, ' ') FROM photo_tags t "
                   "WHERE t.photo_id = p.id AND NOT t.hidden), p.note, p.filename, "
                   "trim(coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, ''))")
FTS_SELECT_0003 = (FTS_SELECT_0002 + ", (SELECT group_concat(DISTINCT pe.name) FROM faces f JOIN people pe "
                   "ON pe.id = f.person_id WHERE f.photo_id = p.id AND pe.name IS NOT NULL), "
                   "trim(coalesce(p.city, '') || ' ' || coalesce(p.region, '') || ' ' || coalesce(p.country, '')), "
                   "p.ocr_text")


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("name_source", sa.String(length=4), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=True),
        sa.Column("face_count", sa.Integer(), nullable=False),
        sa.Column("cover_face_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_people_user_id", "people", ["user_id"])
    op.create_table(
        "faces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("box_left", sa.Float(), nullable=False),
        sa.Column("box_top", sa.Float(), nullable=False),
        sa.Column("box_right", sa.Float(), nullable=False),
        sa.Column("box_bottom", sa.Float(), nullable=False),
        sa.Column("descriptor", sa.LargeBinary(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("person_source", sa.String(length=4), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("photo_id", "user_id", "person_id"):
        op.create_index(f"ix_faces_{column}", "faces", [column])
    with op.batch_alter_table("photos") as batch:
        for name, length in PLACE_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch.add_column(sa.Column("ocr_text", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_fts(FTS_COLUMNS_0003, FTS_SELECT_0003)
        # OCR often glues words ("Region-basedsegmentation"): a trigram index finds words inside such runs.
        op.execute("CREATE VIRTUAL TABLE photo_ocr_fts USING fts5(ocr, tokenize='trigram')")
        op.execute("INSERT INTO photo_ocr_fts(rowid, ocr) SELECT id, ocr_text FROM photos WHERE ocr_text IS NOT NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS photo_ocr_fts")
        _rebuild_fts(FTS_COLUMNS_0002, FTS_SELECT_0002)
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("ocr_text")
        for name, _length in reversed(PLACE_COLUMNS):
            batch.drop_column(name)
    op.drop_table("faces")
    op.drop_table("people")


def _rebuild_fts(columns: str, select: str) -> None:
    """FTS5 tables cannot gain columns: create the table again with these columns and refill it."""
    op.execute("DROP TABLE IF EXISTS photo_fts")
    op.execute(f"CREATE VIRTUAL TABLE photo_fts USING fts5({columns}, tokenize='unicode61 remove_diacritics 2')")
    op.execute(f"INSERT INTO photo_fts(rowid, {columns}) {select} FROM photos p")
