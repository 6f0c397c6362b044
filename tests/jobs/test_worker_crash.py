"""A worker killed mid-batch loses no job, and the web app serves while no worker runs.

Real processes: `flask shoebox worker` (tests/jobs/slow_worker.py) on a real Redis queue and the suite's
database (SQLite file, or PostgreSQL with SHOEBOX_TEST_BACKEND=postgres), SIGKILLed in the middle of a batch.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from shoebox.jobs.claims import MISSED_BEATS
from shoebox.models import Photo
from tests import backends
from tests.backends import make_app
from tests.conftest import Account, make_jpeg
from tests.waiting import wait_until

pytestmark = pytest.mark.slow  # real worker processes, killed and restarted

ROOT = Path(__file__).resolve().parents[2]
STALE_SECONDS = 2
HEARTBEAT = 0.5  # seconds (10 by default): the test's wall time scales with it


def worker_env(app) -> dict[str, str]:
    settings = app.config["SETTINGS"]
    return {**os.environ, "DATA_DIR": settings.DATA_DIR, "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL, "JOB_STALE_SECONDS": str(settings.JOB_STALE_SECONDS),
            "JOB_HEARTBEAT_SECONDS": str(settings.JOB_HEARTBEAT_SECONDS), "AUTO_MIGRATE": "false",
            "ANALYSIS_BATCH_SIZE": "2", "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
            # Loading the face models holds the GIL for a second or more: longer than the test's 3 heartbeats
            "FACES_ENABLED": "false", "OCR_ENABLED": "false", "PLACES_ENABLED": "false", "LOG_LEVEL": "WARNING"}


def start_worker(app, log: Path, delay: float, host: str | None = None) -> subprocess.Popen:
    args = [sys.executable, "-m", "tests.jobs.slow_worker", str(log), str(delay), *([host] if host else [])]
    return subprocess.Popen(args, cwd=ROOT, env=worker_env(app), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def statuses(app) -> dict[int, str]:
    with app.extensions["db"].transaction() as session:
        return dict(session.execute(select(Photo.id, Photo.status)).all())


def claims(app) -> dict[int, tuple[str, str | None]]:
    with app.extensions["db"].transaction() as session:
        return {i: (status, by) for i, status, by in session.execute(select(Photo.id, Photo.status,
                                                                           Photo.claimed_by))}


def log_lines(log: Path, kind: str) -> list[list[int]]:
    if not log.exists():
        return []
    return [[int(i) for i in line.split()[1:]] for line in log.read_text().splitlines() if line.startswith(kind)]


def make_queued_app(tmp_path, **settings):
    return make_app({"DATA_DIR": str(tmp_path / "data"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                     "REDIS_URL": backends.services.redis.url, "ANALYSIS_BATCH_SIZE": 2,
                     "JOB_STALE_SECONDS": STALE_SECONDS, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
                     "EMBED_MODEL": "none", **settings})


@pytest.fixture
def queued_app(tmp_path):
    app = make_queued_app(tmp_path)
    yield app
    backends.services.redis.flush()
    app.extensions["db"].dispose()


@pytest.fixture
def heartbeat_app(tmp_path):
    """Heartbeats every HEARTBEAT seconds; a claim is never stale by age in this test (900 s)."""
    app = make_queued_app(tmp_path, JOB_STALE_SECONDS=900, JOB_HEARTBEAT_SECONDS=HEARTBEAT)
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


def test_a_worker_killed_on_another_machine_is_taken_over_once_its_heartbeat_stops(heartbeat_app, tmp_path):
    user = Account(heartbeat_app, "kim@example.com")
    uploaded = [user.upload_one(f"p{i}.jpg", make_jpeg(color=(i * 30, 90, 20)))["id"] for i in range(2)]
    log = tmp_path / "worker.log"
    remote = start_worker(heartbeat_app, log, delay=60, host="elsewhere")  # its pid means nothing here
    batch = wait_until(lambda: log_lines(log, "start"), "the remote worker's batch to start")[0]

    def remote_claims() -> list[int]:
        return [i for i, (status, by) in claims(heartbeat_app).items()
                if status == "running" and (by or "").startswith("elsewhere-")]

    wait_until(lambda: remote_claims() == batch, "the remote worker's claims")
    local = start_worker(heartbeat_app, log, delay=0.1)
    try:
        wait_until(lambda: len(log_lines(log, "watching")) == 2, "the local worker to watch the claims")
        time.sleep(2 * MISSED_BEATS * HEARTBEAT)  # a beating worker keeps its photos, however long it takes
        assert remote_claims() == batch

        remote.kill()  # SIGKILL: its heartbeat thread dies with it
        remote.wait(10)
        killed = time.monotonic()
        wait_until(lambda: not remote_claims(), "the photos to be taken over", every=0.02)
        took = time.monotonic() - killed
        wait_until(lambda: set(statuses(heartbeat_app).values()) == {"done"}, "every photo done")
    finally:
        local.kill()
        local.wait(10)
    # Silent for MISSED_BEATS heartbeats, seen at the next look: (3 + 1) x 10 s = 40 s by default; slack for a
    # busy test machine
    assert took <= (MISSED_BEATS + 1) * HEARTBEAT + 1.5, took
    done = sorted(i for ids in log_lines(log, "done") for i in ids)
    assert done == sorted(uploaded), log.read_text()  # each once, by the local worker
