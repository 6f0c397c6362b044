"""The in-process job worker yields the CPU to the web requests of its process (bench/load.py, --analysis)."""

from __future__ import annotations

import os
import sys

import pytest

from shoebox.jobs import WORKER_NICENESS
from tests.backends import make_app
from tests.waiting import wait_until

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="niceness is per thread on Linux only")


def test_the_in_process_job_worker_runs_nicer_than_the_requests_beside_it(tmp_path):
    app = make_app({"DATA_DIR": str(tmp_path / "data"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                    "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"})
    queue = app.extensions["queue"]
    requests_niceness = os.getpriority(os.PRIO_PROCESS, 0)
    queue.start_worker_thread()
    try:
        worker = queue._worker
        wanted = min(19, requests_niceness + WORKER_NICENESS)
        wait_until(lambda: os.getpriority(os.PRIO_PROCESS, worker.native_id) == wanted, "the worker's niceness", 10)
    finally:
        queue.stop_worker_thread(wait=5)
        app.extensions["db"].dispose()
    assert os.getpriority(os.PRIO_PROCESS, 0) == requests_niceness  # this (a request's) thread kept its priority
