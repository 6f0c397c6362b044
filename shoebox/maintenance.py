"""`flask shoebox check [--repair]`: find what a crash, a full disk or a hand in the data directory left wrong.

Findings, and what a repair does:
- interrupted_upload: a temp file of a process that died mid-upload, or one a live process left behind over half
  an hour ago (its clean-up failed, as on a data directory turned read-only mid-upload); removed, with the files
  of a photo whose row was never committed (safe at any time: it only touches files no upload is still using).
- orphan_file: an original or thumbnail with no photo row (a crash between deleting a row and its files);
  removed (files of an upload in flight are recognised by its live claim and left alone).
- missing_original: a photo row whose original is gone; reported only (restore it from a backup).
- bad_thumbnail: a thumbnail missing or damaged; rendered again from the original. (A preview not there yet is
  none: an upload answers before its preview is rendered, by the worker or on first view.)
- lost_job: a photo `queued` with no job, or `running` under a worker that died; queued again.
- not_analysed: a photo whose analysis failed or waits for a model; queued again.
- missing_rendition: a clip browsers cannot play whose web-playable rendition is not on disk (a restored backup
  leaves renditions out: they are derived), failed, or waits with no job left in the queue; made again by the worker.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from shoebox.db import Database
from shoebox.jobs import Queue
from shoebox.jobs.analysis import mark_queued, stuck_photos
from shoebox.jobs.claims import claim_timeout
from shoebox.library.renditions import requeue, source_hash
from shoebox.library.storage import THUMB_SIZES, Storage, TempFile, thumbnail_intact
from shoebox.media.errors import MediaError
from shoebox.media.thumbnails import render_thumbnails_from
from shoebox.models import Photo

log = logging.getLogger(__name__)

KINDS = ("interrupted_upload", "orphan_file", "missing_original", "bad_thumbnail", "lost_job", "not_analysed",
         "missing_rendition")


@dataclass
class Finding:
    kind: str
    detail: str
    repair: Callable[[], None] | None = None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    repaired: int = 0

    def counts(self) -> Counter[str]:
        return Counter(f.kind for f in self.findings)

    def summary(self) -> str:
        """One line: how many of each kind."""
        counts = self.counts()
        if not counts:
            return "check: all clean"
        return "check: " + ", ".join(f"{counts[k]} {k.replace('_', ' ')}" for k in KINDS if counts[k])

    @property
    def clean(self) -> bool:
        return not self.findings


class Checker:
    """Compares the database, the data directory and the queue; repairs what can be repaired."""

    def __init__(self, database: Database, storage: Storage, queue: Queue) -> None:
        self.db = database
        self.storage = storage
        self.queue = queue

    def check(self, full: bool = True) -> Report:
        """All findings; the quick check (for startup) skips walking the originals and thumbnails."""
        with self.db.make_session() as session:
            rows = {(u, s): (i, st) for i, u, s, st in session.execute(
                select(Photo.id, Photo.user_id, Photo.sha256, Photo.status))}
            clips = {(u, s): i for i, u, s in session.execute(
                select(Photo.id, Photo.user_id, Photo.motion_sha256).where(Photo.motion_sha256.is_not(None)))}
            settings = self.queue.settings
            lost = set(stuck_photos(session, self.queue.pending_photo_ids(),
                                    timedelta(seconds=settings.JOB_STALE_SECONDS),
                                    claim_timeout(settings.JOB_HEARTBEAT_SECONDS)))
        report = Report(list(self._temp_findings()))
        if full:
            report.findings += [*self._orphans(rows.keys() | clips.keys()), *self._photo_files(rows),
                                *self._clip_files(clips)]
        report.findings += [Finding("lost_job", f"photo {i}", None) for i in sorted(lost)]
        report.findings += [Finding("not_analysed", f"photo {i} ({st})", None)
                            for i, st in sorted(rows.values()) if st in ("failed", "waiting")]
        report.findings += [Finding("missing_rendition", f"photo {i} ({why})", None) for i, why in self._renditions()]
        return report

    def _renditions(self) -> list[tuple[int, str]]:
        """Clips whose rendition is not there: said made but missing on disk, failed, or waiting without a job."""
        pending = self.queue.pending_renditions()
        with self.db.make_session() as session:
            rows = [(row.id, row.user_id, source_hash(row), row.rendition_status) for row in session.execute(
                select(Photo.id, Photo.user_id, Photo.sha256, Photo.motion_sha256, Photo.media_type,
                       Photo.rendition_status).where(Photo.rendition_status.is_not(None)).order_by(Photo.id))]
        found = []
        for photo_id, user_id, sha256, state in rows:  # a Live Photo still's rendition is its clip's
            if state == "done" and not self.storage.rendition_path(user_id, sha256).is_file():
                found.append((photo_id, "missing on disk"))
            elif state == "failed" or (state == "queued" and photo_id not in pending):
                found.append((photo_id, state if state == "failed" else "no job queued"))
        return found

    def repair(self, report: Report) -> Report:
        """Run each finding's repair; queue lost and unanalysed photos again in one go."""
        for finding in report.findings:
            if finding.repair is not None:
                finding.repair()
                report.repaired += 1
        counts = report.counts()
        if counts["lost_job"]:
            report.repaired += len(self.queue.requeue_lost())
        if counts["not_analysed"]:
            report.repaired += self._requeue_unanalysed()
        if counts["missing_rendition"]:
            ids = [int(f.detail.split()[1]) for f in report.findings if f.kind == "missing_rendition"]
            with self.db.transaction() as session:
                requeue(session, ids)
            for photo_id in ids:
                self.queue.enqueue_rendition(photo_id)
            report.repaired += len(ids)
        return report

    def recover_interrupted(self) -> int:
        """Undo the uploads of processes that died mid-way (what a startup may always do); return how many."""
        findings = list(self._temp_findings())
        for finding in findings:
            finding.repair()
        return len(findings)

    # -- findings ---------------------------------------------------------------------------------
    def _temp_findings(self) -> Iterator[Finding]:
        for temp in self.storage.temp_files():
            if temp.abandoned():
                yield Finding("interrupted_upload", str(temp.path), lambda t=temp: self._undo(t))

    def _undo(self, temp: TempFile) -> None:
        """Remove a dead process's temp file, and the files of its photo if the row never came (asked only
        now: the process is gone, so its row is final)."""
        if temp.user_id is not None:
            with self.db.make_session() as session:
                row = session.scalar(select(Photo.id).where(Photo.user_id == temp.user_id,
                                                            Photo.sha256 == temp.sha256))
            if row is None:
                self.storage.delete(temp.user_id, temp.sha256)
        temp.path.unlink(missing_ok=True)

    def _orphans(self, rows: set | dict) -> Iterator[Finding]:
        # Files of an upload in flight, or of one a crash cut off (reported as interrupted_upload), are claimed.
        claimed = {(t.user_id, t.sha256) for t in self.storage.temp_files() if t.user_id is not None}
        files = [*self.storage.originals(), *self.storage.thumbnails()]
        for user_id, sha256, path in files:
            if (user_id, sha256) not in rows and (user_id, sha256) not in claimed:
                yield Finding("orphan_file", str(path), lambda p=path: p.unlink(missing_ok=True))

    def _photo_files(self, rows: dict) -> Iterator[Finding]:
        for (user_id, sha256), (photo_id, _status) in sorted(rows.items(), key=lambda r: r[1][0]):
            original = self.storage.original_path(user_id, sha256)
            if not original.is_file():
                yield Finding("missing_original", f"photo {photo_id}: {original}")
                continue
            bad = [s for s in THUMB_SIZES if not _thumbnail_fine(self.storage.thumbnail_path(user_id, sha256, s), s)]
            if bad:
                yield Finding("bad_thumbnail", f"photo {photo_id}: {', '.join(bad)}",
                              lambda u=user_id, s=sha256: self._rethumb(u, s))

    def _clip_files(self, clips: dict) -> Iterator[Finding]:
        """A Live Photo's or Motion Photo's clip is an original too (no thumbnails of its own)."""
        for (user_id, sha256), photo_id in sorted(clips.items(), key=lambda item: item[1]):
            path = self.storage.original_path(user_id, sha256)
            if not path.is_file():
                yield Finding("missing_original", f"photo {photo_id} (its clip): {path}")

    def _rethumb(self, user_id: int, sha256: str) -> None:
        try:
            thumbnails = render_thumbnails_from(self.storage.original_path(user_id, sha256))
        except MediaError as exc:  # an original that cannot be decoded stays a finding; the others are repaired
            log.warning("cannot render thumbnails of %s again: %s", sha256, exc)
            return
        for size, data in thumbnails.items():
            self.storage.write_thumbnail(data, user_id, sha256, size)

    def _requeue_unanalysed(self) -> int:
        with self.db.transaction() as session:
            ids = list(session.scalars(select(Photo.id).where(Photo.status.in_(("failed", "waiting")))))
            mark_queued(session, ids)
        self.queue.enqueue_analysis(ids)
        return len(ids)


def startup_check(app: Flask) -> Report:
    """At server start: undo uploads interrupted by a crash, then log a one-line quick check (no other repair)."""
    checker = Checker(app.extensions["db"], app.extensions["library"].storage, app.extensions["queue"])
    try:
        undone = checker.recover_interrupted()
        report = checker.check(full=False)
    except Exception:  # a check must never keep the server from starting
        log.exception("startup check failed")
        return Report()
    log.info("%s%s (full check: flask shoebox check)", report.summary(),
             f"; undid {undone} interrupted upload(s)" if undone else "")
    return report


def _thumbnail_fine(path: Path, size: str) -> bool:
    """Intact, or a preview not rendered yet (the worker or a first view renders it; a damaged one is a fault)."""
    return thumbnail_intact(path) or (size == "large" and not path.exists())
