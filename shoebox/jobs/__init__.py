"""The job queue: Huey on SQLite (embedded default) or Redis (REDIS_URL), with tasks that take photo ids.

`python app.py` runs a worker thread inside the web process; `flask shoebox worker` runs dedicated workers
on this or any other machine that shares the database and the data directory.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Task

from shoebox.config import Settings
from shoebox.db import Database

log = logging.getLogger(__name__)


def make_huey(settings: Settings) -> Huey:
    if settings.REDIS_URL:
        return RedisHuey("shoebox", url=settings.REDIS_URL, immediate=settings.JOBS_IMMEDIATE)
    return SqliteHuey("shoebox", filename=str(settings.data_path / "jobs.db"), immediate=settings.JOBS_IMMEDIATE,
                      timeout=30)


class Queue:
    """Enqueue analysis of photos; the task bodies live in `shoebox.jobs.analysis`."""

    def __init__(self, app: Flask, huey: Huey, settings: Settings, database: Database) -> None:
        from shoebox.jobs.analysis import Analyzer

        self.huey = huey
        self.settings = settings
        self.analyzer = Analyzer(app, settings, database)
        self._analyze = huey.task(retries=2, retry_delay=5, name="analyze_photos")(self.analyzer.run_task)
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()

    def enqueue_analysis(self, photo_ids: Sequence[int], parts: Sequence[str] = ("all",)) -> None:
        """Queue photos for analysis in batches of ANALYSIS_BATCH_SIZE (their status is already 'queued')."""
        size = max(1, self.settings.ANALYSIS_BATCH_SIZE)
        ids = list(photo_ids)
        for start in range(0, len(ids), size):
            self._analyze(ids[start:start + size], list(parts))

    def start_worker_thread(self) -> None:
        """Run jobs in a daemon thread of this process (the one-command embedded setup)."""
        if self._worker is None and not self.huey.immediate:
            self._worker = threading.Thread(target=self._work, name="shoebox-worker", daemon=True)
            self._worker.start()

    def stop_worker_thread(self) -> None:
        self._stop.set()

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                for task in self.huey.read_schedule():  # retries waiting for their delay
                    self.huey.enqueue(task)
                task: Task | None = self.huey.dequeue()
                if task is None:
                    self._stop.wait(0.5)
                    continue
                self.huey.execute(task)
            except Exception:  # a broken job must never kill the worker
                log.exception("job worker error")
                self._stop.wait(1)

    def run_consumer(self, workers: int) -> None:
        """Block running Huey's own consumer (signals, scheduler, `workers` threads): `flask shoebox worker`."""
        self.huey.create_consumer(workers=workers, worker_type="thread", periodic=False).run()


def init_app(app: Flask, settings: Settings, database: Database) -> Queue:
    queue = Queue(app, make_huey(settings), settings, database)
    app.extensions["queue"] = queue
    return queue
