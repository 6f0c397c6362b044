"""The places routes. Thin: call the places service through the viewer's scope, answer with JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from shoebox.auth import current_scope, login_required
from shoebox.places import service
from shoebox.places.areas import parse_bbox
from shoebox.serializers import map_json
from shoebox.web import db_session, int_arg

bp = Blueprint("places", __name__, url_prefix="/api")


@bp.get("/places")
@login_required
def list_places():
    """Countries and their cities where this user's photos were taken, with counts."""
    return jsonify({"countries": service.places(db_session(), current_scope())})


@bp.get("/places/points")
@login_required
def map_points():
    """Where this user's photos with GPS were taken (within `bbox`): each photo, or grid cells when too many."""
    bbox = parse_bbox(request.args.get("bbox"))
    limit = int_arg("limit", service.MAP_POINTS, 1, service.MAX_MAP_POINTS)
    return jsonify(map_json(service.map_view(db_session(), current_scope(), bbox, limit)))
