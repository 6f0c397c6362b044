"""The places route. Thin: call the places service through the viewer's scope, answer with JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify

from shoebox.auth import current_scope, login_required
from shoebox.places import service
from shoebox.web import db_session

bp = Blueprint("places", __name__, url_prefix="/api")


@bp.get("/places")
@login_required
def list_places():
    """Countries and their cities where this user's photos were taken, with counts."""
    return jsonify({"countries": service.places(db_session(), current_scope())})
