"""Fixtures shared by the suite: an app on a temp data dir, a client, and signed-in users.

`SHOEBOX_TEST_BACKEND=postgres` runs the same tests on PostgreSQL + pgvector and Redis (tests/backends.py);
tests marked `embedded_only` (with their reason) are skipped there, and tests marked `postgres_only` run only
there (PostgreSQL starts only in that run).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from shoebox.db import Database
from tests import backends
from tests.backends import make_app

pytest_plugins = ["tests.tiny_models"]
# Most tests sign up several people, as an instance with REGISTRATION=open lets them; the tests of registration
# control (tests/auth/test_registration.py) set it themselves. Set here, so apps and servers started in
# subprocesses see it too.
os.environ.setdefault("REGISTRATION", "open")

PASSWORD = "correct horse battery"
#: Where the browser tests (tests/e2e) leave their screenshots.
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
STARTED = pytest.StashKey[float]()


def pytest_configure(config):
    config.addinivalue_line("markers", "embedded_only(reason): the test is about SQLite or the in-process queue")
    config.addinivalue_line("markers", "postgres_only(reason): the test needs PostgreSQL, so it runs in the "
                                       "PostgreSQL run (SHOEBOX_TEST_BACKEND=postgres) only")
    config.stash[STARTED] = time.time()


def pytest_collection_modifyitems(config, items):
    other_run = "postgres_only" if not backends.POSTGRES else "embedded_only"
    for item in items:
        marker = item.get_closest_marker(other_run)
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"{other_run.replace('_', ' ')}: {reason}"))


def pytest_report_header(config):
    return f"shoebox backend: {backends.BACKEND}"


def pytest_terminal_summary(terminalreporter, config):
    """Point at the browser tests' screenshots when this run took some."""
    if SCREENSHOTS.is_dir() and any(p.stat().st_mtime >= config.stash[STARTED] for p in SCREENSHOTS.rglob("*.png")):
        terminalreporter.write_line(f"e2e screenshots: {SCREENSHOTS}")


@pytest.fixture(scope="session", autouse=True)
def backend_services():
    """Start the selected backend's servers lazily; stop them when the session ends."""
    yield backends.services
    backends.services.stop()


@pytest.fixture(autouse=True)
def fresh_backend(backend_services):
    """Each test's own databases are dropped after it, and Redis is emptied (queue, rate limits)."""
    before = set(backend_services.databases)
    yield
    if backends.POSTGRES:
        backend_services.drop_databases_except(before)
        backend_services.redis.flush()


@pytest.fixture
def app(tmp_path):
    app = make_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "WORKER_IN_PROCESS": False,
                    "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"})
    yield app
    app.extensions["db"].dispose()


@pytest.fixture
def database(tmp_path):
    """An empty, unmigrated database on the selected backend (migration tests)."""
    if backends.POSTGRES:
        name = backends.services.postgres.create_database(migrated=False)
        database = Database(backends.services.postgres.url(name))
    else:
        database = Database(f"sqlite:///{tmp_path / 'shoebox.db'}")
    yield database
    database.dispose()
    if backends.POSTGRES:
        backends.services.postgres.drop_database(name)


@pytest.fixture
def client(app):
    return app.test_client()


class Account:
    """A registered user and a client that sends their Bearer token."""

    def __init__(self, app, email: str) -> None:
        self.email = email
        self.client = app.test_client()
        reply = self.client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        assert reply.status_code == 201, reply.json
        self.tokens = reply.json
        self.client.delete_cookie("access_token_cookie")
        self.client.delete_cookie("refresh_token_cookie")
        self.headers = {"Authorization": f"Bearer {reply.json['access_token']}"}

    def _send(self, method: str, url: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url, **kw):
        return self._send("GET", url, **kw)

    def post(self, url, **kw):
        return self._send("POST", url, **kw)

    def patch(self, url, **kw):
        return self._send("PATCH", url, **kw)

    def delete(self, url, **kw):
        return self._send("DELETE", url, **kw)

    def upload(self, *files: tuple[str, bytes]):
        data = {"files": [(io.BytesIO(content), name) for name, content in files]}
        return self.post("/api/photos", data=data, content_type="multipart/form-data")

    def upload_one(self, name: str = "photo.jpg", content: bytes | None = None) -> dict:
        reply = self.upload((name, content if content is not None else make_jpeg()))
        assert reply.status_code == 201, reply.json
        return reply.json["photos"][0]


@pytest.fixture
def make_account(app) -> Callable[[str], Account]:
    return lambda email: Account(app, email)


@pytest.fixture
def alice(make_account) -> Account:
    return make_account("alice@example.com")


@pytest.fixture
def bob(make_account) -> Account:
    return make_account("bob@example.com")


def make_image(fmt: str = "JPEG", size=(640, 480), color=(200, 40, 40), exif: Image.Exif | None = None,
               **save) -> bytes:
    """A real image in `fmt`, with a gradient so every call with another colour gives other bytes."""
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], max(1, size[0] // 16)):
        image.paste((x % 256, 255 - x % 256, color[2]), (x, 0, x + 2, size[1]))
    buffer = io.BytesIO()
    if exif is not None:
        save["exif"] = exif.tobytes()  # bytes: an Exif with only sub-IFDs is falsy and would be dropped
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def make_jpeg(**kwargs) -> bytes:
    return make_image("JPEG", **kwargs)
