"""Search routes: natural-language search with filters, facets, "more like this" and near-duplicates.
Thin: parse the request, call the search services within the viewer's scope, shape the answer."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from shoebox.auth import current_scope, login_required
from shoebox.search.duplicates import duplicate_groups
from shoebox.search.filters import facets as filter_values
from shoebox.search.filters import parse_filters, suggest
from shoebox.search.service import Searcher
from shoebox.serializers import photo_json
from shoebox.web import db_session, int_arg

bp = Blueprint("search", __name__, url_prefix="/api")


def searcher() -> Searcher:
    return current_app.extensions["searcher"]


@bp.get("/search")
@login_required
def search():
    """Ranked photos for `q` within the filters; each says why it matched and its score."""
    limit, args = int_arg("limit", 50, 1, 200), request.args
    page = searcher().page(db_session(), current_scope(), args.get("q"), parse_filters(args),
                           args.get("sort") or "relevance", args.get("cursor"), limit)
    items = [{**photo_json(photo), "score": score, "matched": matched} for photo, score, matched in page.items]
    return jsonify({"items": items, "next_cursor": page.next_cursor, "total": page.total,
                    "total_is_exact": page.total_is_exact})


@bp.get("/facets")
@login_required
def facets():
    """The values the search filters can take for this user."""
    return jsonify(filter_values(db_session(), current_scope()))


@bp.get("/suggest")
@login_required
def suggestions():
    """Values of one filter (person, place, tag, camera) beginning with what the user typed, from their own."""
    values = suggest(db_session(), current_scope(), request.args.get("field") or "",
                     request.args.get("prefix") or "", int_arg("limit", 10, 1, 50))
    return jsonify({"items": values})


@bp.get("/photos/<int:photo_id>/similar")
@login_required
def similar(photo_id: int):
    """More like this: the nearest photos by their look (visual embedding), or by meaning where it has none."""
    hits = searcher().similar(db_session(), current_scope(), photo_id, int_arg("limit", 12, 1, 100))
    return jsonify({"items": [{**photo_json(photo), "similarity": round(float(s), 4)} for photo, s in hits]})


@bp.get("/duplicates")
@login_required
def duplicates():
    """Groups of near-identical photos (re-saved, resized, mirrored or lightly edited copies), the largest copy
    first; `distance` is for the difference hashes of photos without a look."""
    groups = duplicate_groups(db_session(), current_scope(), int_arg("distance", 10, 0, 24))
    return jsonify({"groups": [[photo_json(photo) for photo in group] for group in groups]})
