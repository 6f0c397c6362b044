"""Search routes: natural-language search with filters, facets, "more like this" and near-duplicates."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import func, select

from shoebox.auth import current_user_id, login_required
from shoebox.library.api import photo_json
from shoebox.models import Photo, PhotoTag
from shoebox.search.service import Searcher, decode_offset, encode_offset, near_duplicate_groups, parse_filters
from shoebox.web import db_session, int_arg, library

bp = Blueprint("search", __name__, url_prefix="/api")


def searcher() -> Searcher:
    return current_app.extensions["searcher"]


def _photos(session, user_id: int, ids: list[int]) -> dict[int, Photo]:
    rows = session.scalars(select(Photo).where(Photo.user_id == user_id, Photo.id.in_(ids)))
    return {photo.id: photo for photo in rows}


@bp.get("/search")
@login_required
def search():
    """Ranked photos for `q` within the filters; each says why it matched and its score."""
    session, user_id = db_session(), current_user_id()
    limit = int_arg("limit", 50, 1, 200)
    offset = decode_offset(request.args.get("cursor"))
    results = searcher().search(session, user_id, request.args.get("q"), parse_filters(request.args),
                                request.args.get("sort") or "relevance")
    page = searcher().explain(session, request.args.get("q"), results[offset:offset + limit])
    photos = _photos(session, user_id, [r[0] for r in page])
    items = [{**photo_json(photos[pid]), "score": score, "matched": matched}
             for pid, score, matched in page if pid in photos]
    more = offset + limit < len(results)
    return jsonify({"items": items, "next_cursor": encode_offset(offset + limit) if more else None,
                    "total": len(results)})


@bp.get("/facets")
@login_required
def facets():
    """The values the search filters can take for this user."""
    session, user_id = db_session(), current_user_id()
    tags = session.execute(select(PhotoTag.name, func.count()).join(Photo).where(
        Photo.user_id == user_id, PhotoTag.hidden.is_(False)).group_by(PhotoTag.name)
        .order_by(func.count().desc(), PhotoTag.name).limit(500)).all()
    cameras = session.scalars(select(Photo.camera_model).distinct().where(
        Photo.user_id == user_id, Photo.camera_model.is_not(None)).order_by(Photo.camera_model))
    formats = session.scalars(select(Photo.format).distinct().where(Photo.user_id == user_id).order_by(Photo.format))
    return jsonify({"tags": [{"name": n, "count": c} for n, c in tags], "cameras": list(cameras),
                    "formats": list(formats)})


@bp.get("/photos/<int:photo_id>/similar")
@login_required
def similar(photo_id: int):
    """More like this: the nearest photos by embedding."""
    session, user_id = db_session(), current_user_id()
    photo = library().get(session, user_id, photo_id)
    hits = searcher().similar(session, photo, int_arg("limit", 12, 1, 100))
    photos = _photos(session, user_id, [i for i, _ in hits])
    return jsonify({"items": [{**photo_json(photos[i]), "similarity": round(float(s), 4)}
                              for i, s in hits if i in photos]})


@bp.get("/duplicates")
@login_required
def duplicates():
    """Groups of near-identical photos (re-saved, resized or lightly edited copies), the largest copy first."""
    session, user_id = db_session(), current_user_id()
    groups = near_duplicate_groups(session, user_id, int_arg("distance", 10, 0, 24))
    photos = _photos(session, user_id, [i for group in groups for i in group])
    ordered = [sorted((photos[i] for i in group if i in photos), key=lambda p: (-p.width * p.height, p.id))
               for group in groups]
    return jsonify({"groups": [[photo_json(photo) for photo in group] for group in ordered]})
