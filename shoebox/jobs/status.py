"""Background work as a viewer sees it: counts by status, progress, failures with their reasons, and a retry."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import func
from sqlalchemy.orm import Session

from shoebox.jobs.analysis import mark_queued
from shoebox.models import Photo
from shoebox.scope import Scope

STATUSES = ("queued", "running", "done", "failed", "waiting")
MAX_FAILED_LISTED = 100


def overview(session: Session, scope: Scope) -> dict:
    """How many photos are in each status, the share finished, the latest failures and why photos wait."""
    rows = session.execute(scope.columns(Photo.status, func.count()).group_by(Photo.status)).all()
    counts = dict.fromkeys(STATUSES, 0) | {status: n for status, n in rows}
    total = sum(counts.values())
    failed = session.execute(scope.columns(Photo.id, Photo.filename, Photo.status_reason)
                             .where(Photo.status == "failed").order_by(Photo.id.desc()).limit(MAX_FAILED_LISTED))
    waiting = session.scalar(scope.columns(Photo.status_reason).where(Photo.status == "waiting").limit(1))
    finished = counts["done"] + counts["failed"] + counts["waiting"]
    return {
        "counts": counts,
        "total": total,
        "progress": round(finished / total, 4) if total else 1.0,
        "failed": [{"photo_id": i, "filename": name, "reason": reason} for i, name, reason in failed],
        "waiting_reason": waiting,
    }


def retry_failed(session: Session, scope: Scope, enqueue: Callable[[Sequence[int]], None]) -> int:
    """Queue every failed photo of the scope again; return how many."""
    ids = list(session.scalars(scope.photo_ids(Photo.status == "failed")))
    mark_queued(session, ids)
    session.commit()
    enqueue(ids)
    return len(ids)
