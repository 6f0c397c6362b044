"""A worker killed mid-batch loses no job, and the web app serves while no worker runs.

Real processes: `flask shoebox worker` (tests/jobs/slow_worker.py) on a real Redis queue and the suite's
database (SQLite file, or PostgreSQL with SHOEBOX_TEST_BACKEND=postgres), SIGKILLed in the middle of a batch.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from shoebox.models import Photo
from tests import backends
from tests.backends import make_app
from tests.conftest import Account, make_jpeg
from tests.waiting import wait_until

pytestmark = pytest.mark.slow  # real worker processes, killed and restarted

ROOT = Path(__file__).resolve().parents[2]
STALE_SECONDS = 2


def worker_env(app) -> dict[str, str]:
    settings = app.config["SETTINGS"]
    return {**os.environ, "DATA_DIR": settings.DATA_DIR, "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL, "JOB_STALE_SECONDS": str(STALE_SECONDS), "AUTO_MIGRATE": "false",
            "ANALYSIS_BATCH_SIZE": "2", "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
            "LOG_LEVEL": "WARNING"}


def start_worker(app, log: Path, delay: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.jobs.slow_worker", str(log), str(delay)], cwd=ROOT,
                            env=worker_env(app), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def statuses(app) -> dict[int, str]:
    with app.extensions["db"].transaction() as session:
        return dict(session.execute(select(Photo.id, Photo.status)).all())


def log_lines(log: Path, kind: str) -> list[list[int]]:
    if not log.exists():
        return []
    return [[int(i) for i in line.split()[1:]] for line in log.read_text().splitlines() if line.startswith(kind)]


@pytest.fixture
def queued_app(tmp_path):
    app = make_app({"DATA_DIR": str(tmp_path / "data"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                    "REDIS_URL": backends.services.redis.url, "ANALYSIS_BATCH_SIZE": 2,
                    "JOB_STALE_SECONDS": STALE_SECONDS, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
                    "EMBED_MODEL": "none"})
    yield app
    backends.services.redis.flush()
    app.extensions["db"].dispose()


def test_worker_killed_mid_batch_loses_no_job_and_the_web_app_keeps_serving(queued_app, tmp_path):
    user = Account(queued_app, "kim@example.com")
    uploaded = [user.upload_one(f"p{i}.jpg", make_jpeg(color=(i * 30, 90, 20)))["id"] for i in range(6)]
    log = tmp_path / "worker.log"
    first = start_worker(queued_app, log, delay=30)
    killed_batch = wait_until(lambda: log_lines(log, "start"), "the first batch to start")[0]
    wait_until(lambda: all(statuses(queued_app)[i] == "running" for i in killed_batch), "running photos")
    first.kill()  # SIGKILL in the middle of the batch: no cleanup runs
    first.wait(10)

    late = user.upload_one("while-down.jpg", make_jpeg(color=(1, 2, 3)))["id"]  # no worker is running
    listing = user.get("/api/photos")
    assert listing.status_code == 200 and len(listing.json["items"]) == 7
    assert all(statuses(queued_app)[i] == "running" for i in killed_batch)

    second = start_worker(queued_app, log, delay=0.1)
    try:
        wait_until(lambda: set(statuses(queued_app).values()) == {"done"}, "every photo done")
    finally:
        second.kill()
        second.wait(10)
    done = [i for ids in log_lines(log, "done") for i in ids]
    assert sorted(done) == sorted([*uploaded, late])  # each photo completed, once
    assert [i for ids in log_lines(log, "start") for i in ids].count(killed_batch[0]) == 2  # retried once
