"""Alembic environment: runs on the app's engine (passed in by Database.upgrade) or on sqlalchemy.url."""

from alembic import context
from sqlalchemy import engine_from_config, pool, text

from shoebox import models  # noqa: F401  (registers the tables)
from shoebox.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # a batch-mode table rebuild drops the old table: with foreign keys on, that cascades
            _sqlite_foreign_keys(connection, on=False)
        try:
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                _check_foreign_keys(connection)
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """PRAGMA foreign_keys is ignored inside a transaction: set it on the driver's connection, outside one."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection) -> None:
    broken = connection.execute(text("PRAGMA foreign_key_check")).all()
    if broken:
        raise RuntimeError(f"the migration left {len(broken)} row(s) pointing at missing rows, e.g. {broken[0]}")


run_migrations_online()
