"""Ids are never reused, and every token carries its account's random key

SQLite without AUTOINCREMENT hands the largest deleted id to the next row: a deleted account's id went to the
next registration (whose `sub` then matched the old tokens) and a deleted photo's id to the next upload. On
SQLite every table with an integer id is rebuilt as AUTOINCREMENT (batch mode: create, copy every row with its
id, drop, rename; migrations/env.py switches foreign keys off meanwhile, so the drop cascades nothing). The
copied ids seed sqlite_sequence; an id deleted before this revision above the largest one left can still come
back once, which `users.token_key` makes harmless for tokens. PostgreSQL sequences never go back: only the
new column there.

`users.token_key` is random per account and put in every token (see shoebox/auth); tokens made before this
revision have none and are refused, so everyone signs in once more after the upgrade.

Revision ID: 0005
Revises: 0004
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Every table with an integer id (revoked_tokens is keyed by the token's own random jti).
TABLES = ("users", "photos", "photo_tags", "embeddings", "people", "faces", "reset_tokens")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("token_key", sa.String(length=32), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("token_key", sa.String))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(users.update().where(users.c.id == user_id).values(token_key=secrets.token_hex(16)))
    sqlite = bind.dialect.name == "sqlite"
    with op.batch_alter_table("users", **_rebuild(sqlite, autoincrement=True)) as batch:
        batch.alter_column("token_key", existing_type=sa.String(length=32), nullable=False)
    if sqlite:
        for table in TABLES[1:]:
            with op.batch_alter_table(table, **_rebuild(sqlite, autoincrement=True)):
                pass


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("users", **_rebuild(sqlite, autoincrement=False)) as batch:
        batch.drop_column("token_key")
    if sqlite:
        for table in TABLES[1:]:
            with op.batch_alter_table(table, **_rebuild(sqlite, autoincrement=False)):
                pass


def _rebuild(sqlite: bool, autoincrement: bool) -> dict:
    """Batch arguments: on SQLite always rebuild the table, with or without AUTOINCREMENT."""
    if not sqlite:
        return {}
    return {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": autoincrement}}
