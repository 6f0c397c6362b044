"""People and faces routes. Thin: parse the request, call the people service, shape the answer."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, send_file

from shoebox.auth import current_scope, login_required
from shoebox.errors import InvalidInput
from shoebox.serializers import person_json, photo_json
from shoebox.web import cache_control, db_session, json_body, people

bp = Blueprint("people", __name__, url_prefix="/api")


@bp.get("/people")
@login_required
def list_people():
    """The people on the People page; `?hidden=true` lists the hidden ones instead."""
    hidden = request.args.get("hidden", "").lower() in ("1", "true", "yes")
    views = people().listing(db_session(), current_scope(), hidden=hidden)
    return jsonify({"items": [person_json(v) for v in views]})


@bp.get("/people/<int:person_id>")
@login_required
def get_person(person_id: int):
    session, scope = db_session(), current_scope()
    view = people().view(session, scope, person_id)
    photos = people().photos(session, scope, person_id)
    return jsonify({**person_json(view), "photos": [photo_json(p) for p in photos]})


@bp.patch("/people/<int:person_id>")
@login_required
def edit_person(person_id: int):
    session, scope = db_session(), current_scope()
    people().update(session, scope, person_id, json_body())
    return jsonify(person_json(people().view(session, scope, person_id)))


@bp.post("/people/<int:person_id>/merge")
@login_required
def merge_person(person_id: int):
    session, scope = db_session(), current_scope()
    target = people().merge(session, scope, person_id, json_body().get("into"))
    return jsonify(person_json(people().view(session, scope, target.id)))


@bp.delete("/people/<int:person_id>")
@login_required
def delete_person(person_id: int):
    people().delete(db_session(), current_scope(), person_id)
    return "", 204


@bp.get("/people/<int:person_id>/crop")
@login_required
def crop(person_id: int):
    """The person's face as a small WebP square; kept for a year only under the URL naming that face
    (`v=<face id>`: a face's crop never changes, and face ids are never reused)."""
    path, etag = people().crop_file(db_session(), current_scope(), person_id)
    face = request.args.get("v")
    response = send_file(path, mimetype="image/webp", conditional=True, etag=etag)
    response.headers["Cache-Control"] = cache_control(bool(face) and etag.endswith(f"-face{face}"))
    return response


@bp.patch("/faces/<int:face_id>")
@login_required
def move_face(face_id: int):
    """Put a face with another person (`person_id`), or with nobody (`null`)."""
    body = json_body()
    if "person_id" not in body:
        raise InvalidInput("send person_id (a person's id, or null for nobody)")
    face = people().move_face(db_session(), current_scope(), face_id, body["person_id"])
    return jsonify({"id": face.id, "photo_id": face.photo_id, "person_id": face.person_id})
