"""The job queue: Huey on SQLite (embedded default) or Redis (REDIS_URL), with tasks that take photo ids.

`python app.py` runs a worker thread inside the web process; `flask shoebox worker` runs dedicated workers
on this or any other machine that shares the database and the data directory.

No job is lost when a worker dies. Huey removes a message from its queue when a worker takes it (no
acknowledgement), so a worker killed mid-batch (SIGKILL, power loss, OOM) takes its batch with it; Huey's
retries cover only exceptions. The database therefore keeps the truth: the analysis marks its photos
`running` and claimed by `<host>-<pid>` before the models run, and that process beats a heartbeat while it
holds claims (`shoebox.jobs.claims`). Every worker looks every heartbeat for photos `running` under a process
that is gone (a dead pid on this host; a heartbeat silent for 3 beats, wherever it ran) and queues them again
(`Queue.requeue_dead_claims`); when it starts and then every minute it also queues again the photos `queued`
with no message left in the queue and those `running` for longer than JOB_STALE_SECONDS (`requeue_lost`).
The analysis is
idempotent (captions and tags are upserted, the embedding of a kind replaced), so a batch that runs twice,
for instance when a slow worker was not dead after all, ends with the same rows as one that ran once.

Photos trashed TRASH_DAYS ago are deleted for good by `Queue.purge_trash`, every hour (a Huey periodic task; the
in-process worker thread in its loop) and when a worker starts.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import Task
from huey.storage import SqliteStorage

from shoebox.config import Settings
from shoebox.db import Database, create_private_sqlite

log = logging.getLogger(__name__)


def make_huey(settings: Settings) -> Huey:
    if settings.REDIS_URL:
        return RedisHuey("shoebox", url=settings.REDIS_URL, immediate=settings.JOBS_IMMEDIATE)
    create_private_sqlite(settings.data_path / "jobs.db")  # queued work names photos: owner-only like the rest
    return SqliteHuey("shoebox", filename=str(settings.data_path / "jobs.db"), immediate=settings.JOBS_IMMEDIATE,
                      timeout=30, storage_class=QueueStorage)


class QueueStorage(SqliteStorage):
    """Huey's SQLite storage in WAL's usual `synchronous=NORMAL` (SQLite's default is FULL: an fsync per enqueue,
    two per upload, 6 ms each here and far more on a busy disk). A queued job survives the process dying; a power
    cut may lose the last few, which `requeue_lost` queues again (analyses) or a first view renders (previews)."""

    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


class Queue:
    """Enqueue analysis of photos; the task bodies live in `shoebox.jobs.analysis`."""

    def __init__(self, huey: Huey, settings: Settings, database: Database) -> None:
        from shoebox.ai.registry import get_models
        from shoebox.jobs.analysis import Analyzer

        self.huey = huey
        self.settings = settings
        self.database = database
        self.analyzer = Analyzer(settings, database, lambda: get_models(settings))
        self._analyze = huey.task(retries=2, retry_delay=5, name="analyze_photos")(self.analyzer.run_task)
        # Its arguments are (owner id, sha256), not a list of photo ids: `pending_photo_ids` counts analyses only.
        self._preview = huey.task(retries=2, retry_delay=5, name="render_preview")(self._render_preview)
        # Its argument is one photo id (not a list): `pending_photo_ids` counts analyses only.
        self._rendition = huey.task(retries=1, retry_delay=30, name="make_rendition")(self._make_rendition)
        huey.periodic_task(crontab(), name="requeue_lost_photos")(self.requeue_lost)
        huey.periodic_task(crontab(minute="17"), name="purge_trash")(self.purge_trash)
        self._worker: threading.Thread | None = None
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()

    def enqueue_analysis(self, photo_ids: Sequence[int], parts: Sequence[str] = ("all",)) -> None:
        """Queue photos for analysis in batches of ANALYSIS_BATCH_SIZE (their status is already 'queued')."""
        size = max(1, self.settings.ANALYSIS_BATCH_SIZE)
        ids = list(photo_ids)
        for start in range(0, len(ids), size):
            self._analyze(ids[start:start + size], list(parts))

    def enqueue_preview(self, user_id: int, sha256: str) -> None:
        """Queue the rendering of a new photo's 1440 px preview (its upload has answered without it)."""
        self._preview(user_id, sha256)

    def _render_preview(self, user_id: int, sha256: str) -> None:
        from shoebox.library.previews import render_preview

        render_preview(self.analyzer.storage, user_id, sha256)

    def enqueue_rendition(self, photo_id: int) -> None:
        """Queue the making of a clip's web-playable rendition (its row already says 'queued')."""
        self._rendition(photo_id)

    def _make_rendition(self, photo_id: int) -> None:
        from shoebox.library.renditions import make_rendition

        make_rendition(self.database, self.analyzer.storage, photo_id)

    def pending_renditions(self) -> set[int]:
        """Clips whose rendition job waits in the queue."""
        return {int(task.args[0]) for task in [*self.huey.pending(), *self.huey.scheduled()]
                if task.name.endswith("make_rendition") and task.args}

    def pending_photo_ids(self) -> set[int]:
        """Photos that have a job waiting in the queue (or waiting for a retry)."""
        ids: set[int] = set()
        for task in [*self.huey.pending(), *self.huey.scheduled()]:
            if task.args and isinstance(task.args[0], list | tuple):
                ids.update(int(i) for i in task.args[0])
        return ids

    def requeue_lost(self) -> list[int]:
        """Queue again the photos whose job was lost in a crash (see `stuck_photos`); return their ids."""
        from shoebox.jobs.analysis import mark_queued, stuck_photos
        from shoebox.jobs.claims import forget_old_beats

        with self.database.transaction() as session:
            stale_after = timedelta(seconds=self.settings.JOB_STALE_SECONDS)
            ids = stuck_photos(session, self.pending_photo_ids(), stale_after, self._claim_timeout())
            mark_queued(session, ids)
            forget_old_beats(session)
        self.enqueue_analysis(ids)
        if ids:
            log.info("queued %d photo(s) again whose analysis was interrupted", len(ids))
        return ids

    def _claim_timeout(self) -> timedelta:
        from shoebox.jobs.claims import claim_timeout

        return claim_timeout(self.settings.JOB_HEARTBEAT_SECONDS)

    def requeue_dead_claims(self) -> list[int]:
        """Queue again the photos `running` under a process that is gone (cheap: reads only the claims)."""
        from shoebox.jobs.claims import dead_claims, release

        with self.database.make_session() as session:  # reading first: no write lock while all is well
            if not dead_claims(session, self._claim_timeout()):
                return []
        with self.database.transaction() as session:
            ids = release(session, dead_claims(session, self._claim_timeout()))
        self.enqueue_analysis(ids)
        if ids:
            log.info("queued %d photo(s) again whose worker stopped beating", len(ids))
        return ids

    def start_watching(self) -> None:
        """Look for dead workers' claims every heartbeat, in a daemon thread of this worker process."""
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watch, name="shoebox-claims", daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.JOB_HEARTBEAT_SECONDS):
            try:
                self.requeue_dead_claims()
            except Exception:  # the database may be away for a moment: look again next time
                log.warning("could not look for dead workers' photos", exc_info=True)
    def purge_trash(self) -> int:
        """Delete for good the photos (of every user) that have been in Trash for TRASH_DAYS; return how many."""
        from shoebox.library.storage import Storage
        from shoebox.library.trash import Trash

        trash = Trash(Storage(self.settings.data_path), self.settings.TRASH_DAYS)
        with self.database.transaction() as session:
            count = trash.purge_expired(session)
        if count:
            log.info("deleted %d photo(s) for good after %d days in Trash", count, self.settings.TRASH_DAYS)
        return count

    def start_worker_thread(self, lock_path: Path | None = None) -> None:
        """Run jobs in a daemon thread of this process (the one-command embedded setup). With `lock_path`,
        only the process holding that file lock works: one job worker among several server processes, taken
        over by another within seconds if its process dies."""
        if self._worker is None and not self.huey.immediate:
            self._worker = threading.Thread(target=self._work, args=(lock_path,), name="shoebox-worker",
                                            daemon=True)
            self._worker.start()

    def stop_worker_thread(self, wait: float = 0) -> None:
        self._stop.set()
        if self._worker is not None and wait:
            self._worker.join(wait)

    def _work(self, lock_path: Path | None = None) -> None:
        if lock_path is not None and not self._wait_for_lock(lock_path):
            return
        self.start_watching()
        chores = {self.requeue_lost: 60, self.purge_trash: 3600}  # each at start, then every so many seconds
        due = dict.fromkeys(chores, time.monotonic())
        while not self._stop.is_set():
            try:
                for chore, every in chores.items():
                    if time.monotonic() >= due[chore]:
                        due[chore] = time.monotonic() + every
                        chore()
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

    def _wait_for_lock(self, lock_path: Path) -> bool:
        """Block until this process holds the worker lock (kept until it exits); False if stopped first."""
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        while not self._stop.is_set():
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._stop.wait(2)
                continue
            self._lock_fd = fd  # the kernel releases it when this process dies, however it dies
            log.info("this process (pid %d) runs the job worker", os.getpid())
            return True
        os.close(fd)
        return False

    def run_consumer(self, workers: int) -> None:
        """Block running Huey's own consumer (signals, scheduler, `workers` threads): `flask shoebox worker`.
        First queues again whatever a crashed worker left unfinished, and purges the Trash."""
        self.requeue_lost()
        self.start_watching()
        self.purge_trash()
        self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()


def init_app(app: Flask, settings: Settings, database: Database) -> Queue:
    queue = Queue(make_huey(settings), settings, database)
    app.extensions["queue"] = queue
    return queue
