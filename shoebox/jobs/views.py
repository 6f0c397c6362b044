"""Background work as the user sees it: counts, progress and failures, and a retry. Thin: the queries live in
shoebox.jobs.status."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from shoebox.auth import current_scope, login_required
from shoebox.jobs import status
from shoebox.web import db_session

bp = Blueprint("jobs", __name__, url_prefix="/api/jobs")


@bp.get("")
@login_required
def overview():
    return jsonify(status.overview(db_session(), current_scope()))


@bp.post("/retry")
@login_required
def retry():
    """Queue every failed photo of this user again."""
    queue = current_app.extensions["queue"]
    return jsonify({"retried": status.retry_failed(db_session(), current_scope(), queue.enqueue_analysis)})
