"""Album routes. Thin: parse the request, call the albums service through the viewer's scope, shape the answer."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from shoebox.albums import service
from shoebox.auth import current_scope, login_required
from shoebox.serializers import album_json, photo_json
from shoebox.web import body_limit, db_session, int_arg, json_body

bp = Blueprint("albums", __name__, url_prefix="/api")

MAX_PAGE = 200
#: A list of MAX_IDS photo ids (each at most 10 digits, a comma and a space) with room for the rest.
MAX_IDS_BODY = 12 * service.MAX_IDS + 1024


@bp.get("/albums")
@login_required
def list_albums():
    """The user's albums, newest first, each with its photo count and cover."""
    return jsonify({"items": [album_json(view) for view in service.listing(db_session(), current_scope())]})


@bp.post("/albums")
@body_limit(MAX_IDS_BODY)
@login_required
def create_album():
    session, scope = db_session(), current_scope()
    album = service.create(session, scope, json_body("send a JSON object with name, and optionally description "
                                                     "and ids"))
    return jsonify(album_json(service.view(session, scope, album.id))), 201


@bp.get("/albums/<int:album_id>")
@login_required
def get_album(album_id: int):
    return jsonify(album_json(service.view(db_session(), current_scope(), album_id)))


@bp.patch("/albums/<int:album_id>")
@login_required
def edit_album(album_id: int):
    session, scope = db_session(), current_scope()
    service.update(session, scope, album_id, json_body("send a JSON object with any of name, description, "
                                                       "cover_photo_id, order"))
    return jsonify(album_json(service.view(session, scope, album_id)))


@bp.delete("/albums/<int:album_id>")
@login_required
def delete_album(album_id: int):
    """Delete the album; its photos stay in the library."""
    service.delete_album(db_session(), current_scope(), album_id)
    return "", 204


@bp.get("/albums/<int:album_id>/photos")
@login_required
def album_photos(album_id: int):
    """The album's photos by date taken, in its order unless `order` says otherwise, a page at a time."""
    limit, order = int_arg("limit", 50, 1, MAX_PAGE), request.args.get("order") or None
    photos, next_cursor = service.photos(db_session(), current_scope(), album_id, request.args.get("cursor"),
                                         limit, order)
    return jsonify({"items": [photo_json(photo) for photo in photos], "next_cursor": next_cursor})


@bp.post("/albums/<int:album_id>/photos")
@body_limit(MAX_IDS_BODY)
@login_required
def add_photos(album_id: int):
    """Add photos (idempotent): all of them, or none (404) when an id is not one of the user's photos."""
    session, scope = db_session(), current_scope()
    added = service.add(session, scope, album_id, json_body("send a JSON object with ids").get("ids"))
    return jsonify({"album": album_json(service.view(session, scope, album_id)), "added": added})


@bp.delete("/albums/<int:album_id>/photos")
@body_limit(MAX_IDS_BODY)
@login_required
def remove_photos(album_id: int):
    """Take photos out of the album; they stay in the library."""
    session, scope = db_session(), current_scope()
    removed = service.remove(session, scope, album_id, json_body("send a JSON object with ids").get("ids"))
    return jsonify({"album": album_json(service.view(session, scope, album_id)), "removed": removed})


@bp.get("/photos/<int:photo_id>/albums")
@login_required
def photo_albums(photo_id: int):
    """The albums a photo is in (404 for a photo that is not the user's)."""
    return jsonify({"items": [album_json(view) for view in service.albums_of(db_session(), current_scope(), photo_id)]})
