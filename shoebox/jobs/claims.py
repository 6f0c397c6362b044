"""Analysis claims that any worker on any machine can check.

A batch marks its photos `running`, claimed by its process's owner tag (`<host>-<pid>`), and in the same
transaction writes that process's heartbeat (`worker_beats`). While the process holds any claim, a background
thread refreshes the heartbeat every JOB_HEARTBEAT_SECONDS. A claim is lost when its process is gone: on the same
host the pid says so at once; elsewhere its heartbeat is older than MISSED_BEATS heartbeats. Every worker looks
for lost claims every heartbeat (`Queue.requeue_dead_claims`), so a worker killed anywhere (SIGKILL, OOM, a
machine lost) has its photos queued again within (MISSED_BEATS + 1) heartbeats: 40 s at the default 10 s.

The heartbeat is a timestamp from the worker's clock compared with the checker's: the machines' clocks must
agree to well within MISSED_BEATS heartbeats (NTP does).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shoebox.db import Database
from shoebox.models import Photo, WorkerBeat, utcnow
from shoebox.processes import owner_alive, owner_tag

log = logging.getLogger(__name__)

#: Heartbeats a claim may miss before it is taken for lost.
MISSED_BEATS = 3
#: Heartbeats of a process gone for this long are removed (they only name processes that no longer run).
FORGET_AFTER = timedelta(days=1)


def upsert(session: Session, model: Any, keys: dict, values: dict) -> None:
    """INSERT the row, or UPDATE it where its key exists: one statement, safe when two processes race."""
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)
    session.execute(insert.values(**keys, **values).on_conflict_do_update(index_elements=list(keys), set_=values))


def beat(session: Session, worker: str) -> None:
    """Say that `worker` is alive now."""
    upsert(session, WorkerBeat, {"worker": worker}, {"beat_at": utcnow()})


class Heartbeat:
    """This process's heartbeat: refreshed every `interval` seconds by a daemon thread while any claim is held."""

    def __init__(self, database: Database, interval: float) -> None:
        self.database = database
        self.interval = interval
        self._holders = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def claim(self, session: Session) -> str:
        """One more batch of this process holds claims: beat in `session` (the one that claims), keep beating
        until `release`; return the owner tag to claim with."""
        worker = owner_tag()
        beat(session, worker)
        with self._lock:
            self._holders += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="shoebox-heartbeat", daemon=True)
                self._thread.start()
        return worker

    def release(self) -> None:
        """A batch let go of its claims (finished, failed, or gave up on an exception)."""
        with self._lock:
            self._holders = max(0, self._holders - 1)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            with self._lock:
                if not self._holders:
                    self._thread = None
                    return
            try:
                with self.database.transaction() as session:
                    beat(session, owner_tag())
            except Exception:  # the database may be away for a moment; the next beat tries again
                log.warning("could not refresh this worker's heartbeat", exc_info=True)


def claim_timeout(interval: float) -> timedelta:
    return timedelta(seconds=interval * MISSED_BEATS)


def dead_claimers(session: Session, claimers: Iterable[str], timeout: timedelta) -> set[str]:
    """The claimers among these whose process is gone: a dead pid on this host, or no heartbeat for `timeout`."""
    claimers = set(claimers)
    if not claimers:
        return set()
    beats = dict(session.execute(select(WorkerBeat.worker, WorkerBeat.beat_at)
                                 .where(WorkerBeat.worker.in_(claimers))).all())
    old = utcnow() - timeout
    return {c for c in claimers if not _alive_here(c) or beats.get(c) is None or beats[c] < old}


def dead_claims(session: Session, timeout: timedelta) -> set[str]:
    """The claimers of `running` photos whose process is gone (see `dead_claimers`): an indexed read."""
    running = select(Photo.claimed_by).where(Photo.claimed_by.is_not(None), Photo.status == "running").distinct()
    return dead_claimers(session, session.scalars(running), timeout)


def release(session: Session, claimers: set[str]) -> list[int]:
    """Put the photos these claimers still hold back to `queued`; return their ids. Conditional on the claim, so
    of two workers releasing at once only one gets each photo (the other's UPDATE finds it no longer running)."""
    if not claimers:
        return []
    ids = session.scalars(update(Photo).where(Photo.status == "running", Photo.claimed_by.in_(claimers))
                          .values(status="queued", status_reason=None, claimed_by=None).returning(Photo.id))
    return sorted(ids)


def forget_old_beats(session: Session) -> None:
    session.execute(delete(WorkerBeat).where(WorkerBeat.beat_at < utcnow() - FORGET_AFTER))


def _alive_here(claimed_by: str) -> bool:
    host, _, pid = claimed_by.rpartition("-")
    return not pid.isdigit() or owner_alive(host, int(pid))
