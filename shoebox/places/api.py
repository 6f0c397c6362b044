"""The places routes. Thin: call the places service through the viewer's scope, answer with JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from shoebox.ai.base import ModelUnavailable
from shoebox.ai.places import PlaceResolver
from shoebox.ai.registry import get_models
from shoebox.auth import current_scope, login_required
from shoebox.errors import ShoeboxError
from shoebox.places import service
from shoebox.places.areas import parse_bbox
from shoebox.serializers import map_json
from shoebox.web import db_session, int_arg, settings

bp = Blueprint("places", __name__, url_prefix="/api")

#: The place names to look up when the analysis's places are switched off (PLACES_ENABLED): loaded on first use.
_NAMES = PlaceResolver()


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


@bp.get("/places/lookup")
@login_required
def lookup_place():
    """Places of the world whose name begins with `q` (the offline GeoNames data, any user's same answer), the most
    populous first: to set photos' location by a place's name."""
    text, limit = (request.args.get("q") or "")[:200], int_arg("limit", 10, 1, 50)
    resolver = get_models(settings()).places or _NAMES
    try:
        found = resolver.lookup(text, limit)
    except ModelUnavailable as exc:
        raise ShoeboxError(f"place names are not available here: {exc}", code="places_unavailable",
                           status=503) from exc
    return jsonify({"items": [vars(place) for place in found]})
