"""The job queue: Huey on SQLite (embedded default) or Redis (REDIS_URL), with tasks that take photo ids.

`python app.py` runs a worker thread inside the web process; `flask shoebox worker` runs dedicated workers
on this or any other machine that shares the database and the data directory.

No job is lost when a worker dies. Huey removes a message from its queue when a worker takes it (no
acknowledgement), so a worker killed mid-batch (SIGKILL, power loss, OOM) takes its batch with it; Huey's
retries cover only exceptions. The database therefore keeps the truth: the analysis marks its photos
`running` (which stamps `updated_at`) before the models run, and `Queue.requeue_stale` puts photos
`running` for longer than JOB_STALE_SECONDS back to `queued` and enqueues them again, in one atomic UPDATE
(so several workers doing it at once requeue each photo once). Every worker does it when it starts and
then every minute (a Huey periodic task; the in-process worker thread in its loop). The analysis is
idempotent (captions and tags are upserted, the embedding of a kind replaced), so a batch that runs twice,
for instance when a slow worker was not dead after all, ends with the same rows as one that ran once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import timedelta

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import Task
from sqlalchemy import update

from shoebox.config import Settings
from shoebox.db import Database
from shoebox.models import Photo, utcnow

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
        self.db = database
        self._analyze = huey.task(retries=2, retry_delay=5, name="analyze_photos")(self.analyzer.run_task)
        huey.periodic_task(crontab(), name="requeue_stale_photos")(self.requeue_stale)
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()

    def enqueue_analysis(self, photo_ids: Sequence[int], parts: Sequence[str] = ("all",)) -> None:
        """Queue photos for analysis in batches of ANALYSIS_BATCH_SIZE (their status is already 'queued')."""
        size = max(1, self.settings.ANALYSIS_BATCH_SIZE)
        ids = list(photo_ids)
        for start in range(0, len(ids), size):
            self._analyze(ids[start:start + size], list(parts))

    def requeue_stale(self) -> list[int]:
        """Queue again the photos left `running` longer than JOB_STALE_SECONDS (their worker died)."""
        cutoff = utcnow() - timedelta(seconds=self.settings.JOB_STALE_SECONDS)
        with self.db.transaction() as session:
            ids = sorted(session.scalars(
                update(Photo).where(Photo.status == "running", Photo.updated_at < cutoff)
                .values(status="queued", status_reason=None, updated_at=utcnow()).returning(Photo.id)))
            # Enqueued before the commit: a failure leaves them `running` for the next look; a crash between
            # the two only queues them twice, which the idempotent analysis absorbs.
            self.enqueue_analysis(ids)
        if ids:
            log.warning("requeued %d photo(s) left running by a stopped worker: %s", len(ids), ids)
        return ids

    def start_worker_thread(self) -> None:
        """Run jobs in a daemon thread of this process (the one-command embedded setup)."""
        if self._worker is None and not self.huey.immediate:
            self._worker = threading.Thread(target=self._work, name="shoebox-worker", daemon=True)
            self._worker.start()

    def stop_worker_thread(self) -> None:
        self._stop.set()

    def _work(self) -> None:
        next_look = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_look:
                    self.requeue_stale()
                    next_look = time.monotonic() + 60
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
        self.requeue_stale()
        self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()


def init_app(app: Flask, settings: Settings, database: Database) -> Queue:
    queue = Queue(app, make_huey(settings), settings, database)
    app.extensions["queue"] = queue
    return queue
