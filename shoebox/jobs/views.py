"""Background work as the user sees it: counts, progress and failures, and a retry."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select

from shoebox.auth import current_user_id, login_required
from shoebox.jobs.analysis import mark_queued
from shoebox.models import Photo
from shoebox.web import db_session

bp = Blueprint("jobs", __name__, url_prefix="/api/jobs")

STATUSES = ("queued", "running", "done", "failed", "waiting")
MAX_FAILED_LISTED = 100


@bp.get("")
@login_required
def overview():
    session, user_id = db_session(), current_user_id()
    rows = session.execute(select(Photo.status, func.count()).where(Photo.user_id == user_id)
                           .group_by(Photo.status)).all()
    counts = dict.fromkeys(STATUSES, 0) | {status: n for status, n in rows}
    total = sum(counts.values())
    failed = session.execute(select(Photo.id, Photo.filename, Photo.status_reason)
                             .where(Photo.user_id == user_id, Photo.status == "failed")
                             .order_by(Photo.id.desc()).limit(MAX_FAILED_LISTED)).all()
    waiting = session.scalar(select(Photo.status_reason).where(Photo.user_id == user_id, Photo.status == "waiting")
                             .limit(1))
    finished = counts["done"] + counts["failed"] + counts["waiting"]
    return jsonify({
        "counts": counts,
        "total": total,
        "progress": round(finished / total, 4) if total else 1.0,
        "failed": [{"photo_id": i, "filename": name, "reason": reason} for i, name, reason in failed],
        "waiting_reason": waiting,
    })


@bp.post("/retry")
@login_required
def retry():
    """Queue every failed photo of this user again."""
    session = db_session()
    ids = list(session.scalars(select(Photo.id).where(Photo.user_id == current_user_id(), Photo.status == "failed")))
    mark_queued(session, ids)
    session.commit()
    current_app.extensions["queue"].enqueue_analysis(ids)
    return jsonify({"retried": len(ids)})
