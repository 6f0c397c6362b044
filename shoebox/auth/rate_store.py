"""Rate-limit counts shared by every server process of one install: a small SQLite file in DATA_DIR.

The `limits` package keeps counts in memory (each gunicorn worker its own: two workers, twice the attempts)
or in Redis, which the embedded install does not have. This storage, registered for `sqlite:///PATH`, gives
it one count across processes: SQLite's file lock makes each check-and-count atomic. A connection per call
(a few tens of microseconds) keeps it safe across threads and across gunicorn's fork.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from limits.storage import MovingWindowSupport, Storage

from shoebox.private_files import private_dir, private_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS ix_hits_key_at ON hits (key, at);
CREATE INDEX IF NOT EXISTS ix_hits_expires ON hits (expires);
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL);
"""


class SqliteStorage(Storage, MovingWindowSupport):
    """`limits` storage in an SQLite file: moving windows (what Shoebox uses) and plain counters."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(uri.split("://", 1)[1])
        private_file(private_dir(self.path.parent) / self.path.name)  # owner-only, like the rest of DATA_DIR
        with contextlib.closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
            db.executescript(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One connection holding the write lock (BEGIN IMMEDIATE) until it commits or rolls back."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=NORMAL")  # a count lost to a power cut is no loss
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Count `amount` hits now unless that would put more than `limit` in the last `expiry` seconds."""
        if amount > limit:
            return False
        now = time.time()
        with self._transaction() as db:
            db.execute("DELETE FROM hits WHERE expires <= ?", (now,))
            (count,) = db.execute("SELECT count(*) FROM hits WHERE key = ? AND at > ?", (key, now - expiry)).fetchone()
            if count + amount > limit:
                return False
            db.executemany("INSERT INTO hits (key, at, expires) VALUES (?, ?, ?)", [(key, now, now + expiry)] * amount)
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(time of the oldest of the latest `limit` hits in the window, their number); (now, 0) for none."""
        now = time.time()
        with self._transaction() as db:
            oldest, count = db.execute(
                "SELECT min(at), count(*) FROM (SELECT at FROM hits WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?)",
                (key, now - expiry, limit)).fetchone()
        return (oldest, count) if count else (now, 0)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._transaction() as db:
            db.execute("DELETE FROM counters WHERE key = ? AND expires <= ?", (key, now))
            db.execute("INSERT INTO counters (key, value, expires) VALUES (?, ?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value", (key, amount, now + expiry))
            return db.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()[0]

    def _counter(self, key: str) -> tuple[int, float] | None:
        with self._transaction() as db:
            return db.execute("SELECT value, expires FROM counters WHERE key = ? AND expires > ?",
                              (key, time.time())).fetchone()

    def get(self, key: str) -> int:
        row = self._counter(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._counter(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            with self._transaction() as db:
                db.execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        with self._transaction() as db:
            removed = db.execute("DELETE FROM hits").rowcount + db.execute("DELETE FROM counters").rowcount
        return removed

    def clear(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM hits WHERE key = ?", (key,))
            db.execute("DELETE FROM counters WHERE key = ?", (key,))
