"""The backends the suite runs against: embedded (SQLite + in-process Huey), or, with
`SHOEBOX_TEST_BACKEND=postgres`, a real PostgreSQL 16 + pgvector (PyPI `pgserver`, Unix socket) and a real
Redis (Debian `redis-server` on a free loopback port). Every app a test builds goes through `make_app`.
Under pytest-xdist each worker process starts its own servers (own data directory, own port or socket)."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask

from shoebox import create_app

BACKEND = os.environ.get("SHOEBOX_TEST_BACKEND", "embedded").strip().lower() or "embedded"
POSTGRES = BACKEND == "postgres"
if BACKEND not in ("embedded", "postgres"):
    raise RuntimeError(f"SHOEBOX_TEST_BACKEND must be 'embedded' or 'postgres', not {BACKEND!r}")


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on loopback: no persistence, stopped with the session."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install -y redis-server)")
        for _attempt in range(5):  # another process (an xdist worker) may take the free port first
            self.port = free_port()
            self.url = f"redis://127.0.0.1:{self.port}/0"
            self.process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.client = self._connect()
            if self.client is not None:
                return
            self.process.kill()
            self.process.wait(10)
        raise RuntimeError("redis-server did not start")

    def _connect(self):
        """A client of this process's server once it answers; None if the server exited (port taken)."""
        import redis

        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                if client.info("server")["process_id"] == self.process.pid:
                    return client
                return None  # another process's server answers on this port
            except redis.ConnectionError:
                time.sleep(0.05)
        return None

    def flush(self) -> None:
        self.client.flushall()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class PostgresServer:
    """pgserver's PostgreSQL + pgvector; each app gets a fresh database copied from a migrated template."""

    TEMPLATE = "shoebox_template"

    def __init__(self) -> None:
        import pgserver

        self.root = Path(tempfile.mkdtemp(prefix="shoebox-pg-"))
        self.server = pgserver.get_server(self.root / "pgdata", cleanup_mode="delete")
        self.base = self.server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
        self._names = itertools.count(1)
        self._admin("CREATE DATABASE " + self.TEMPLATE)
        from shoebox.db import Database

        template = Database(self.url(self.TEMPLATE))
        template.upgrade()
        template.dispose()

    def url(self, database: str) -> str:
        """SQLAlchemy URL of a database on this server."""
        head, _, query = self.base.partition("?")
        return f"{head.rsplit('/', 1)[0]}/{database}?{query}"

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.server.get_uri(), autocommit=True) as connection:
            connection.execute(statement)

    def create_database(self, migrated: bool = True) -> str:
        """A fresh database (migrated, or empty); returns its name."""
        name = f"test_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {self.TEMPLATE}" if migrated else ""))
        return name

    def drop_database(self, name: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self.server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


class Services:
    """The servers of this test session, started on first use and stopped at its end."""

    def __init__(self) -> None:
        self._redis: RedisServer | None = None
        self._postgres: PostgresServer | None = None
        #: Databases by the DATA_DIR they belong to, so two apps on one data dir share one database.
        self.databases: dict[str, str] = {}

    @property
    def redis(self) -> RedisServer:
        if self._redis is None:
            self._redis = RedisServer()
        return self._redis

    @property
    def postgres(self) -> PostgresServer:
        if self._postgres is None:
            if not POSTGRES:  # starting it costs half a minute: the embedded run must not pay that
                raise RuntimeError("PostgreSQL starts only in the PostgreSQL run: mark the test postgres_only")
            self._postgres = PostgresServer()
        return self._postgres

    def database_for(self, data_dir: str) -> str:
        """The database URL of a data dir (created on first use)."""
        key = str(Path(data_dir).resolve())
        if key not in self.databases:
            self.databases[key] = self.postgres.create_database()
        return self.postgres.url(self.databases[key])

    def drop_databases_except(self, keep: set[str]) -> None:
        """Drop the databases made since `keep` was taken (a test's own ones)."""
        for key in [k for k in self.databases if k not in keep]:
            self.postgres.drop_database(self.databases.pop(key))

    def stop(self) -> None:
        if self._redis is not None:
            self._redis.stop()
        if self._postgres is not None:
            self._postgres.stop()


services = Services()


def backend_settings(data_dir: str, backend: str = BACKEND) -> dict[str, Any]:
    """The settings that point an app at a backend (nothing for embedded)."""
    if backend != "postgres":
        return {}
    return {"DATABASE_URL": services.database_for(data_dir), "REDIS_URL": services.redis.url}


#: Faces, OCR and places are slow and have their own tests (tests/people): off unless a test turns them on.
QUIET_PARTS = {"FACES_ENABLED": False, "OCR_ENABLED": False, "PLACES_ENABLED": False}


def make_app(overrides: dict[str, Any], backend: str = BACKEND) -> Flask:
    """`create_app` on the selected backend (or the one named); `overrides` must name a DATA_DIR."""
    settings = {**backend_settings(overrides["DATA_DIR"], backend), **QUIET_PARTS, **overrides}
    return create_app(settings, env_file=None)
