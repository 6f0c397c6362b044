"""Memory routes. Thin: parse the request, call the memories service through the viewer's scope, shape the answer."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, request

from shoebox.albums import service as albums
from shoebox.auth import current_scope, login_required
from shoebox.errors import InvalidInput
from shoebox.memories import service
from shoebox.serializers import album_json, photo_json
from shoebox.web import db_session, int_arg, json_body

bp = Blueprint("memories", __name__, url_prefix="/api/memories")


@bp.get("/on-this-day")
@login_required
def on_this_day():
    """Photos taken on this month and day in earlier years, grouped by year, the latest first."""
    today = _date(request.args.get("date"))
    years = service.on_this_day(db_session(), current_scope(), today, int_arg("limit", service.PER_YEAR, 1, 50))
    return jsonify({"date": today.isoformat(), "years": [
        {"year": memory.year, "years_ago": today.year - memory.year, "count": memory.count,
         "photos": [photo_json(photo) for photo in memory.photos]} for memory in years]})


@bp.post("/year-in-review")
@login_required
def year_in_review():
    """A new album of the best photos of a year."""
    session, scope = db_session(), current_scope()
    body = json_body("send a JSON object with year, and optionally size")
    unknown = set(body) - {"year", "size"}
    if unknown:
        raise InvalidInput(f"unknown field: {sorted(unknown)[0]}; send year, and optionally size")
    album = service.year_in_review(session, scope, body.get("year"), body.get("size", service.REVIEW_SIZE))
    return jsonify(album_json(albums.view(session, scope, album.id))), 201


def _date(value: str | None) -> date:
    """The viewer's local date (the page sends it: the server's clock may be in another time zone), else today's
    date where the server is."""
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("date must be a date like 2024-07-31", code="invalid_parameter") from None
