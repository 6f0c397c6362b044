"""Fixtures shared by the suite: an app on a temp data dir, a client, and signed-in users."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image

from shoebox import create_app

pytest_plugins = ["tests.tiny_models"]

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "WORKER_IN_PROCESS": False,
                      "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
                      "EMBED_MODEL": "none", "FACES_ENABLED": False, "OCR_ENABLED": False,
                      "PLACES_ENABLED": False}, env_file=None)
    yield app
    app.extensions["db"].dispose()


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
