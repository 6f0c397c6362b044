"""The Trash's JSON API: move photos in, list them, restore them, delete them for good, and show their thumbnails
(a trashed photo is 404 everywhere else). Thin: parse the request, call the library's Trash, shape the answer."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, send_file

from shoebox.auth import current_scope, login_required
from shoebox.errors import InvalidInput
from shoebox.library.storage import THUMB_SIZES
from shoebox.library.trash import MAX_IDS, Trash, photo_ids
from shoebox.serializers import trashed_json, version
from shoebox.web import body_limit, cache_control, db_session, int_arg, json_body, library

bp = Blueprint("trash", __name__, url_prefix="/api/trash")

MAX_PAGE = 200
#: MAX_IDS photo ids (each at most 10 digits, a comma and a space) with room for the rest.
MAX_IDS_BODY = 12 * MAX_IDS + 1024


def trash() -> Trash:
    return library().trash


@bp.get("")
@login_required
def list_trash():
    """The Trash, most recently trashed first, with when each photo will be deleted for good."""
    limit = int_arg("limit", 50, 1, MAX_PAGE)
    photos, next_cursor = trash().page(db_session(), current_scope(), request.args.get("cursor"), limit)
    return jsonify({"items": [trashed_json(photo, trash().purge_at(photo)) for photo in photos],
                    "next_cursor": next_cursor, "trash_days": trash().days})


@bp.post("")
@body_limit(MAX_IDS_BODY)
@login_required
def move_to_trash():
    """Move many photos to Trash: all of them, or none (404) where an id is not a photo of the library."""
    ids = photo_ids(json_body("send a JSON object with ids").get("ids"))
    return jsonify({"trashed": len(trash().move(db_session(), current_scope(), ids))})


@bp.post("/restore")
@body_limit(MAX_IDS_BODY)
@login_required
def restore():
    """Back to the library with everything: the photos `ids`, or every one with `all: true`."""
    ids = _ids_or_all(json_body("send a JSON object with ids, or all: true"))
    return jsonify({"restored": trash().restore(db_session(), current_scope(), ids)})


@bp.post("/delete")
@body_limit(MAX_IDS_BODY)
@login_required
def delete_for_good():
    """Delete these photos in the Trash for good, files and all: all of them, or none (404) where one is not in it."""
    ids = photo_ids(json_body("send a JSON object with ids").get("ids"))
    return jsonify({"deleted": trash().delete(db_session(), current_scope(), ids)})


@bp.delete("")
@login_required
def empty():
    """Empty the Trash: every photo in it deleted for good."""
    return jsonify({"deleted": trash().delete(db_session(), current_scope(), None)})


@bp.get("/<int:photo_id>/thumbnail")
@login_required
def thumbnail(photo_id: int):
    """A trashed photo's WebP thumbnail, for the Trash view."""
    size = request.args.get("size", "small")
    if size not in THUMB_SIZES:
        raise InvalidInput(f"size must be one of {', '.join(THUMB_SIZES)}", code="invalid_size")
    photo = trash().get(db_session(), current_scope(), photo_id)
    response = send_file(library().thumbnail_file(photo, size), mimetype="image/webp", conditional=True,
                         etag=f"{photo.sha256}-{size}")
    response.headers["Cache-Control"] = cache_control(request.args.get("v") == version(photo))
    return response


def _ids_or_all(body: dict) -> list[int] | None:
    """The body's `ids`, or None for `all: true` (never both, never neither)."""
    if body.get("all") is True and "ids" not in body:
        return None
    if "all" in body:
        raise InvalidInput("send ids, or all: true (not both)", code="invalid_ids")
    return photo_ids(body.get("ids"))
