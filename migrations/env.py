"""Alembic environment: runs on the app's engine (passed in by Database.upgrade) or on sqlalchemy.url."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from shoebox import models  # noqa: F401  (registers the tables)
from shoebox.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
