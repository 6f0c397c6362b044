"""An upload holds SQLite's one write lock only while it writes its row, not while it is read, hashed, decoded and
thumbnailed: other uploads and the job worker would wait on it (bench/load.py: upload p99 of seconds)."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import make_jpeg

pytestmark = pytest.mark.embedded_only(reason="SQLite's single write lock")


def test_another_writer_can_write_while_an_upload_is_being_decoded(app, alice):
    library = app.extensions["library"]
    decode = library._inspect
    probes = []

    def decode_and_probe(path, filename):
        other = sqlite3.connect(app.extensions["db"].sqlite_path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" at once if the upload held the lock
            other.execute("ROLLBACK")
            probes.append("free")
        except sqlite3.OperationalError as exc:
            probes.append(str(exc))
        finally:
            other.close()
        return decode(path, filename)

    library._inspect = decode_and_probe
    reply = alice.upload(("first.jpg", make_jpeg(color=(10, 20, 30))), ("second.jpg", make_jpeg(color=(40, 50, 60))))
    assert reply.status_code == 201 and len(reply.json["photos"]) == 2
    assert probes == ["free", "free"]
