"""Everything in DATA_DIR is owner-only: it holds emails, password hashes, keys, notes, GPS and the photos."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import backends
from tests.backends import make_app
from tests.conftest import Account
from tests.reliability.helpers import NO_MODELS, common_umask, readable_by_others


@pytest.fixture
def queued_app(tmp_path):
    """A fresh install whose uploads wait in the job queue (jobs.db on the embedded install)."""
    with common_umask():
        app = make_app({"DATA_DIR": str(tmp_path / "data"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                        **NO_MODELS})
        yield app
    app.extensions["db"].dispose()


def test_nothing_in_the_data_dir_is_readable_by_others_after_start_and_upload(queued_app):
    with common_umask():
        Account(queued_app, "ana@example.com").upload_one()
    data = Path(queued_app.config["SETTINGS"].DATA_DIR)
    expected = {".secret_key", ".jwt_secret_key", "originals", "thumbs", "tmp"}
    if not backends.POSTGRES:
        expected |= {"shoebox.db", "shoebox.db-wal", "shoebox.db-shm", "jobs.db"}
    assert expected <= {path.name for path in data.iterdir()}
    assert readable_by_others(data) == []


@pytest.mark.embedded_only(reason="the database files are the embedded install's")
def test_an_older_installs_data_dir_and_database_are_made_owner_only_at_start(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    for name in ("shoebox.db", "jobs.db"):
        (data / name).touch(mode=0o644)
        os.chmod(data / name, 0o644)
    os.chmod(data, 0o755)
    with common_umask():
        app = make_app({"DATA_DIR": str(data), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False, **NO_MODELS})
    app.extensions["db"].dispose()
    assert [oct(path.stat().st_mode & 0o777) for path in (data, data / "shoebox.db", data / "jobs.db")] == \
        ["0o700", "0o600", "0o600"]
