"""kill -9 of a real worker mid-job and of a real gunicorn server mid-upload: nothing lost, nothing left over."""

from __future__ import annotations

import io
import os
import socket
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from shoebox import create_app
from shoebox.maintenance import Checker
from shoebox.models import Photo
from tests.conftest import Account, make_jpeg
from tests.reliability.helpers import PYTHON, REPO, env_for, free_port, http, kill9, multipart, start
from tests.waiting import wait_until

pytestmark = pytest.mark.slow  # real worker and gunicorn processes, killed and restarted

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
    alice = Account(app, "alice@example.com")
    photo_id = alice.upload_one()["id"]
    slow = start([PYTHON, f"{HERE}/slow_worker.py"], env_for(data, SAVED_LOG=str(saved), SLOW_ANALYSIS="60"),
                 tmp_path)
    try:
        wait_until(lambda: _status(app, photo_id) == "running", "the worker to start the job")
    finally:
        kill9(slow)
    assert _status(app, photo_id) == "running" and not saved.exists()
    worker = start([PYTHON, f"{HERE}/slow_worker.py"], env_for(data, SAVED_LOG=str(saved)), tmp_path)
    try:
        wait_until(lambda: _status(app, photo_id) == "done", "the restarted worker to finish the photo")
        # One worker thread takes jobs in order: once a job queued now is done, a duplicate would have run.
        sentinel_id = alice.upload_one("later.jpg", make_jpeg(color=(1, 2, 3)))["id"]
        wait_until(lambda: _status(app, sentinel_id) == "done", "the worker to finish a later photo")
    finally:
        kill9(worker)
    saved_ids = saved.read_text().splitlines()
    assert saved_ids[0] == str(photo_id) and saved_ids.count(str(photo_id)) == 1 and str(sentinel_id) in saved_ids
    assert app.extensions["queue"].pending_photo_ids() == set()
    assert _checker(app).check().clean
    app.extensions["db"].dispose()


def _serve(data_dir, port: int):
    env = env_for(data_dir, SHOEBOX_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", WORKER_IN_PROCESS="0")
    server = start([PYTHON, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"), "--chdir", str(REPO)], env,
                   data_dir.parent)
    try:
        wait_until(lambda: _up(port), "gunicorn to serve", every=0.2)
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


def _read_by_server(sock: socket.socket) -> bool:
    """Whether the server has read every byte sent on `sock` so far: none waits in our send queue or in the
    server's receive queue (Linux's table of TCP sockets)."""
    queues = _tcp_queues()
    here, there = sock.getsockname()[1], sock.getpeername()[1]
    sending, receiving = queues.get((here, there)), queues.get((there, here))
    return sending is not None and receiving is not None and sending[0] == 0 and receiving[1] == 0


def _tcp_queues() -> dict[tuple[int, int], tuple[int, int]]:
    """(local port, remote port) -> (bytes in the send queue, bytes in the receive queue) of IPv4 TCP sockets."""
    queues = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        _slot, local, remote, _state, counts = line.split()[:5]
        ports = (int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16))
        queues[ports] = tuple(int(count, 16) for count in counts.split(":"))
    return queues


def test_a_server_killed_mid_upload_leaves_nothing_and_the_upload_works_after_restart(tmp_path):
    data, port = tmp_path / "data", free_port()
    server = _serve(data, port)
    try:
        token = http("POST", f"http://127.0.0.1:{port}/api/auth/register",
                     {"email": "alice@example.com", "password": "correct horse battery"})[1]["access_token"]
        body, content_type = multipart("slow.jpg", _noisy_jpeg())
        sock = _start_upload(port, token, body, content_type, sent=len(body) // 2)
        wait_until(lambda: _read_by_server(sock), "the server to read the first half of the upload")
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
