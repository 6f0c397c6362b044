"""Copy a whole Shoebox database to another one (embedded SQLite -> PostgreSQL), verified row for row.

Tables go in foreign-key order, in batches, in one transaction on the target; the search structures that
live beside the rows (FTS5 / tsvector documents, pgvector columns) are rebuilt from the copied rows; id
sequences continue after the copied ids. Then every table is counted and checksummed on both sides.

The kept counts (models.DERIVED: filter values, timeline months, analysis states) are copied too on PostgreSQL,
with the target's own triggers off meanwhile: in one transaction each copied row's trigger would update the same
few count rows again, and PostgreSQL keeps every version of a row its transaction wrote, so each update walks a
longer chain (a tag on half the photos: one row written 150,000 times for a 300,000-photo library; hours).
`DISABLE TRIGGER USER` needs only the tables' ownership, keeps the foreign keys' checks, and is undone at commit
(or with the rollback of a failed copy). SQLite updates a row in place: its triggers count as the rows come.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Integer, Table, func, select, text

from shoebox import models  # noqa: F401  (registers the tables)
from shoebox.db import Base, Database

BATCH = 1000


class MigrationError(RuntimeError):
    """The copy cannot start or did not verify."""


@dataclass
class TableReport:
    name: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


def tables() -> list[Table]:
    """The application's tables, parents before children."""
    return list(Base.metadata.sorted_tables)


def copied_tables(target: Connection) -> list[Table]:
    """What `copy_all` copies into `target`: the application's tables, and on PostgreSQL the kept counts."""
    return tables() + (list(models.DERIVED.sorted_tables) if target.dialect.name == "postgresql" else [])


def _set_triggers(target: Connection, enabled: bool) -> None:
    """PostgreSQL: switch the kept counts' triggers (every user trigger) on or off for the copy."""
    if target.dialect.name == "postgresql":
        for table in tables():
            target.exec_driver_sql(f"ALTER TABLE {table.name} {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")


def _ordered(table: Table):
    return select(*table.columns).order_by(*table.primary_key.columns)


def _value(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return repr(value)


def table_checksum(connection: Connection, table: Table) -> tuple[int, str]:
    """(row count, SHA-256 over every column of every row in primary-key order)."""
    digest, count = hashlib.sha256(), 0
    result = connection.execute(_ordered(table)).yield_per(BATCH)
    for row in result:
        digest.update("\x1f".join(_value(v) for v in row).encode() + b"\x1e")
        count += 1
    return count, digest.hexdigest()


def _check_empty(connection: Connection) -> None:
    for table in copied_tables(connection):
        if connection.scalar(select(func.count()).select_from(table)):
            raise MigrationError(f"the target already holds rows in {table.name}; migrate into an empty database")


def _copy_table(source: Connection, target: Connection, table: Table, batch: int) -> int:
    copied = 0
    rows = source.execute(_ordered(table))
    while chunk := rows.fetchmany(batch):
        target.execute(table.insert(), [dict(row._mapping) for row in chunk])
        copied += len(chunk)
    return copied


def _reset_sequences(target: Connection) -> None:
    """PostgreSQL: make each serial id continue after the largest copied id."""
    if target.dialect.name != "postgresql":
        return
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer):
            target.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                                f"coalesce(max({pk[0].name}), 0) + 1, false) FROM {table.name}"))


def _rebuild_search(target: Connection) -> None:
    """Fill the keyword index (and pgvector column) from the copied rows."""
    if target.dialect.name == "postgresql":
        from shoebox.search import postgres

        postgres.rebuild(target)
        return
    from shoebox.search.keyword import keyword_index

    ids = list(target.scalars(select(models.Photo.id)))
    for start in range(0, len(ids), 5000):
        keyword_index(target.dialect.name).reindex(target, ids[start:start + 5000])


def copy_all(source: Engine, target_url: str, batch: int = BATCH,
             progress: Callable[[str, int], None] = lambda _name, _rows: None) -> list[TableReport]:
    """Migrate the target's schema, copy every table into it, rebuild search, and verify both sides."""
    target_db = Database(target_url)
    try:
        target_db.upgrade()
        with source.connect() as src, target_db.engine.begin() as dst:
            _check_empty(dst)
            _set_triggers(dst, enabled=False)
            for table in copied_tables(dst):
                progress(table.name, _copy_table(src, dst, table, batch))
            _set_triggers(dst, enabled=True)
            _reset_sequences(dst)
            _rebuild_search(dst)
        with source.connect() as src, target_db.engine.connect() as dst:
            return list(_verify(src, dst, copied_tables(dst)))
    finally:
        target_db.dispose()


def _verify(src: Connection, dst: Connection, which: Iterable[Table]) -> Iterable[TableReport]:
    for table in which:
        (n_src, sum_src), (n_dst, sum_dst) = table_checksum(src, table), table_checksum(dst, table)
        yield TableReport(table.name, n_src, n_dst, sum_src, sum_dst)
