"""Alembic for the tests: the project's migrations run against a test database, down as well as up (the app itself
only ever upgrades: `Database.upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from shoebox.db import Database

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(database: Database) -> Config:
    """An Alembic config running the project's migrations on this database's engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = database.engine
    return config


def downgrade(database: Database, revision: str) -> None:
    """Take the database's schema down to `revision`."""
    command.downgrade(alembic_config(database), revision)
