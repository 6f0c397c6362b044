"""SQLAlchemy 2 engine and session, one per app; SQLite tuned for a web app with a worker beside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

from shoebox.private_files import private_dir, private_file, tighten


class Base(DeclarativeBase):
    pass


#: True while the current request or job is one that writes: SQLite then takes the write lock at
#: BEGIN (waiting up to busy_timeout) instead of failing with "database is locked" mid-transaction.
writing: ContextVar[bool] = ContextVar("writing", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """Inside a writing request: the transactions begun here are plain reads (BEGIN, no write lock), for a read
    that must not hold every other writer up, e.g. the token check while an upload's body is still arriving."""
    token = writing.set(False)
    try:
        yield
    finally:
        writing.reset(token)


def make_engine(url: str, busy_timeout: float = 30.0) -> Engine:
    """An engine; SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE for writes."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised on every connect
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below take over
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # one writer at a time, decided at BEGIN rather than mid-transaction
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing.get() else "BEGIN")

    return engine


class Database:
    """The engine, a thread-local session factory and the migration entry point."""

    def __init__(self, url: str, busy_timeout: float = 30.0) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            create_private_sqlite(Path(url.removeprefix("sqlite:///").split("?")[0]))
        self.engine = make_engine(url, busy_timeout)
        self.make_session = sessionmaker(bind=self.engine, expire_on_commit=False)
        #: The request-scoped (thread-local) session of web requests.
        self.session = scoped_session(self.make_session)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A new writing session, committed on success and rolled back on error (for jobs and CLI commands)."""
        token = writing.set(True)
        session = self.make_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            writing.reset(token)

    def upgrade(self, revision: str = "head") -> None:
        """Create or migrate the schema to the newest Alembic revision (or to `revision`)."""
        from alembic import command
        from alembic.config import Config

        root = Path(__file__).resolve().parent.parent
        config = Config()
        config.set_main_option("script_location", str(root / "migrations"))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        config.attributes["engine"] = self.engine
        command.upgrade(config, revision)

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, when the database is SQLite."""
        return Path(self.url.removeprefix("sqlite:///")) if self.url.startswith("sqlite:///") else None

    def dispose(self) -> None:
        self.session.remove()
        self.engine.dispose()


def create_private_sqlite(path: Path) -> None:
    """Create the database file owner-only before SQLite does (it would make it 0644, and its -wal and -shm
    files take the database file's mode); tighten those of an older install."""
    if str(path) == ":memory:" or not path.name:
        return
    private_dir(path.parent)
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        tighten(path.with_name(path.name + suffix))


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": another writer held the lock longer than busy_timeout."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "database is busy" in text)
