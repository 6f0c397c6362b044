"""kill -9 of a real worker mid-job and of a real gunicorn server mid-upload: nothing lost, nothing left over."""

from __future__ import annotations

import importlib.util
import io
import os
import socket
import time

import pytest
from PIL import Image
from sqlalchemy import select

from shoebox import create_app
from shoebox.maintenance import Checker
from shoebox.models import Photo
from tests.conftest import Account
from tests.reliability.helpers import PYTHON, REPO, env_for, free_port, http, kill9, multipart, start, wait_for

HERE = os.path.dirname(__file__)


def _app(data_dir):
    return create_app({"DATA_DIR": str(data_dir), "TESTING": True, "WORKER_IN_PROCESS": False,
                       "JOBS_IMMEDIATE": False, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
                       "EMBED_MODEL": "none", "LOG_LEVEL": "WARNING"}, env_file=None)


def _status(app, photo_id: int) -> str:
    with app.extensions["db"].make_session() as session:
        return session.scalar(select(Photo.status).where(Photo.id == photo_id))


def _checker(app) -> Checker:
    return Checker(app.extensions["db"], app.extensions["library"].storage, app.extensions["queue"])


def test_a_worker_killed_mid_job_finishes_the_photo_exactly_once_after_restart(tmp_path):
    data, saved = tmp_path / "data", tmp_path / "saved.log"
    app = _app(data)
    photo_id = Account(app, "alice@example.com").upload_one()["id"]
    slow = start([PYTHON, f"{HERE}/slow_worker.py"], env_for(data, SAVED_LOG=str(saved), SLOW_ANALYSIS="60"),
                 tmp_path)
    try:
        wait_for(lambda: _status(app, photo_id) == "running", 60, "the worker to start the job")
    finally:
        kill9(slow)
    assert _status(app, photo_id) == "running" and not saved.exists()
    worker = start([PYTHON, f"{HERE}/slow_worker.py"], env_for(data, SAVED_LOG=str(saved)), tmp_path)
    try:
        wait_for(lambda: _status(app, photo_id) == "done", 60, "the restarted worker to finish the photo")
        time.sleep(0.5)  # a duplicate job, were there one, would run now
    finally:
        kill9(worker)
    assert saved.read_text().split() == [str(photo_id)]
    assert app.extensions["queue"].pending_photo_ids() == set()
    assert _checker(app).check().clean
    app.extensions["db"].dispose()


def _serve(data_dir, port: int):
    env = env_for(data_dir, SHOEBOX_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", WORKER_IN_PROCESS="0")
    server = start([PYTHON, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"), "--chdir", str(REPO)], env,
                   data_dir.parent)
    try:
        wait_for(lambda: _up(port), 60, "gunicorn to serve", every=0.2)
    except AssertionError:
        kill9(server)
        raise
    return server


def _up(port: int) -> bool:
    try:
        return http("GET", f"http://127.0.0.1:{port}/api/openapi.json")[0] == 200
    except OSError:
        return False


def _noisy_jpeg(side: int = 900) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def _start_upload(port: int, token: str, body: bytes, content_type: str, sent: int) -> socket.socket:
    """Send the headers and the first `sent` bytes of an upload, then stall like a slow client."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = (f"POST /api/photos HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    sock.sendall(head + body[:sent])
    return sock


@pytest.mark.skipif(importlib.util.find_spec("gunicorn") is None, reason="gunicorn is not installed")
def test_a_server_killed_mid_upload_leaves_nothing_and_the_upload_works_after_restart(tmp_path):
    data, port = tmp_path / "data", free_port()
    server = _serve(data, port)
    try:
        token = http("POST", f"http://127.0.0.1:{port}/api/auth/register",
                     {"email": "alice@example.com", "password": "correct horse battery"})[1]["access_token"]
        body, content_type = multipart("slow.jpg", _noisy_jpeg())
        sock = _start_upload(port, token, body, content_type, sent=len(body) // 2)
        time.sleep(0.5)
    finally:
        kill9(server)
    sock.close()
    app = _app(data)
    leftovers = [p for area in ("tmp", "originals", "thumbs") for p in (data / area).rglob("*") if p.is_file()]
    assert leftovers == []
    assert _checker(app).check().clean

    server = _serve(data, port)
    try:
        sock = _start_upload(port, token, body, content_type, sent=len(body))
        reply = sock.recv(65536).decode(errors="replace")
        sock.close()
        assert reply.startswith("HTTP/1.1 201"), reply[:300]
        assert len(http("GET", f"http://127.0.0.1:{port}/api/photos", token=token)[1]["items"]) == 1
    finally:
        kill9(server)
    assert _checker(app).check().clean
    app.extensions["db"].dispose()
