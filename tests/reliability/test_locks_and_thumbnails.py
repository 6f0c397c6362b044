"""Busy SQLite locks are retried, never shown to the user; damaged thumbnails are rendered again on demand."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from shoebox import create_app
from shoebox.models import Photo
from tests.conftest import Account, make_jpeg


@pytest.fixture
def impatient_app(tmp_path):
    """An app whose writers give up waiting for the SQLite lock after 50 ms (so locks really collide)."""
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "WORKER_IN_PROCESS": False,
                      "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
                      "DB_BUSY_TIMEOUT_S": 0.05}, env_file=None)
    yield app
    app.extensions["db"].dispose()


def hold_write_lock(app, seconds: float) -> threading.Thread:
    """Another process's writer: takes SQLite's write lock and keeps it for a while."""
    ready = threading.Event()

    def hold():
        connection = sqlite3.connect(app.extensions["db"].sqlite_path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(5)
    return thread


def test_a_write_waiting_past_the_busy_timeout_is_retried_not_failed(impatient_app):
    alice = Account(impatient_app, "alice@example.com")
    photo = alice.upload_one()
    holder = hold_write_lock(impatient_app, 0.4)
    reply = alice.patch(f"/api/photos/{photo['id']}", json={"caption": "written after the lock"})
    holder.join()
    assert reply.status_code == 200, reply.json
    assert alice.get(f"/api/photos/{photo['id']}").json["caption"] == "written after the lock"


def test_an_upload_retried_after_a_lock_stores_the_whole_file(impatient_app):
    alice = Account(impatient_app, "alice@example.com")
    holder = hold_write_lock(impatient_app, 0.4)
    content = make_jpeg(color=(1, 2, 250))
    reply = alice.upload(("locked.jpg", content))
    holder.join()
    assert reply.status_code == 201, reply.json
    assert alice.get(reply.json["photos"][0]["thumbnail_url"]).status_code == 200
    original = alice.get(f"/api/photos/{reply.json['photos'][0]['id']}/original")
    assert original.data == content


def test_a_lock_that_never_ends_is_a_503_busy_not_a_500(impatient_app):
    alice = Account(impatient_app, "alice@example.com")
    photo = alice.upload_one()
    holder = hold_write_lock(impatient_app, 3)
    reply = alice.patch(f"/api/photos/{photo['id']}", json={"caption": "x"})
    holder.join()
    assert reply.status_code == 503 and reply.json["error"]["code"] == "busy"


@pytest.mark.slow
def test_concurrent_writers_never_see_a_locked_database(impatient_app):
    accounts = [Account(impatient_app, f"user{i}@example.com") for i in range(4)]
    photos = [a.upload_one() for a in accounts]

    def work(index: int) -> list[int]:
        account, photo = accounts[index % 4], photos[index % 4]
        statuses = [account.patch(f"/api/photos/{photo['id']}", json={"note": f"n{index}-{k}"}).status_code
                    for k in range(4)]
        statuses.append(account.upload(("w.jpg", make_jpeg(color=(index * 20, 99, 9)))).status_code)
        return statuses

    with ThreadPoolExecutor(8) as pool:
        statuses = [s for batch in pool.map(work, range(8)) for s in batch]
    assert set(statuses) <= {200, 201}, statuses


def test_a_corrupt_thumbnail_is_rendered_again_on_demand(app, alice):
    photo = alice.upload_one()
    with app.app_context():
        row = app.extensions["db"].session.get(Photo, photo["id"])
        path = app.extensions["library"].storage.thumbnail_path(row.user_id, row.sha256, "small")
    path.write_bytes(b"RIFF\x10\x00\x00\x00WEBPgarbage that is not a picture")
    reply = alice.get(photo["thumbnail_url"])
    assert reply.status_code == 200
    assert reply.data[:4] == b"RIFF" and reply.data[8:12] == b"WEBP" and len(reply.data) > 100
    path.write_bytes(path.read_bytes()[:50])  # truncated
    assert len(alice.get(photo["thumbnail_url"]).data) > 100
