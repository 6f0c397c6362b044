"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json (a test keeps it true)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from shoebox.media.formats import accepted_mime_types

bp = Blueprint("openapi", __name__)

_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}
_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_NUM = {"type": ["number", "null"]}
_PHOTO = {"type": "object", "required": ["id", "filename", "taken_at", "width", "height", "tags", "status"],
          "properties": {
              "id": {"type": "integer"}, "filename": {"type": "string"}, "taken_at": {"type": "string"},
              "width": {"type": "integer"}, "height": {"type": "integer"}, "caption": _NULLABLE_STR,
              "tags": {"type": "array", "items": {"type": "string"}},
              "status": {"type": "string", "enum": ["queued", "running", "done", "failed", "waiting"]},
              "thumbnail_url": {"type": "string"}}}
_PHOTO_DETAIL = {"allOf": [{"$ref": "#/components/schemas/Photo"}, {"type": "object", "properties": {
    "sha256": {"type": "string"}, "format": {"type": "string"}, "mime_type": {"type": "string"},
    "file_size": {"type": "integer"}, "taken_at_offset": _NULLABLE_STR,
    "taken_at_source": {"type": "string", "enum": ["exif", "file", "upload"]},
    "camera_make": _NULLABLE_STR, "camera_model": _NULLABLE_STR, "lens": _NULLABLE_STR,
    "exposure_time": _NULLABLE_STR, "f_number": _NULLABLE_NUM, "iso": {"type": ["integer", "null"]},
    "focal_length": _NULLABLE_NUM, "orientation": {"type": ["integer", "null"]},
    "gps": {"type": ["object", "null"], "properties": {
        "latitude": {"type": "number"}, "longitude": {"type": "number"}, "altitude": _NULLABLE_NUM}},
    "caption_source": {"type": ["string", "null"], "enum": ["ai", "user", None]},
    "tag_details": {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "source": {"type": "string"}, "confidence": _NULLABLE_NUM}}},
    "note": _NULLABLE_STR, "status_reason": _NULLABLE_STR, "original_url": {"type": "string"},
    "large_url": {"type": "string"},
    "animated": {"type": "boolean", "description": "an animation (GIF, APNG, WebP, AVIF): show original_url, "
                 "whose frames play; large_url is its first frame"},
    "faces": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "box": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                                           "description": "left, top, right, bottom as fractions of the picture"},
        "person_id": {"type": ["integer", "null"]}, "person_name": _NULLABLE_STR}}},
    "place": {"type": ["object", "null"], "properties": {
        "city": _NULLABLE_STR, "region": _NULLABLE_STR, "country": _NULLABLE_STR, "country_code": _NULLABLE_STR,
        "osm_url": _NULLABLE_STR}},
    "ocr_text": _NULLABLE_STR}}]}
_PERSON = {"type": "object", "required": ["id", "name", "hidden", "face_count", "photo_count"], "properties": {
    "id": {"type": "integer"}, "name": _NULLABLE_STR, "hidden": {"type": "boolean"},
    "face_count": {"type": "integer"}, "photo_count": {"type": "integer"}, "crop_url": _NULLABLE_STR}}
_PERSON_DETAIL = {"allOf": [{"$ref": "#/components/schemas/Person"}, {"type": "object", "properties": {
    "photos": {"type": "array", "items": {"$ref": "#/components/schemas/Photo"}}}}]}
_PLACES = {"type": "object", "properties": {"countries": {"type": "array", "items": {"type": "object", "properties": {
    "country": {"type": "string"}, "country_code": _NULLABLE_STR, "count": {"type": "integer"},
    "cities": {"type": "array", "items": {"type": "object", "properties": {
        "city": _NULLABLE_STR, "region": _NULLABLE_STR, "count": {"type": "integer"}}}}}}}}}
_PAGE = {"type": "object", "required": ["items", "next_cursor"], "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Photo"}}, "next_cursor": _NULLABLE_STR}}
_UPLOADED = {"type": "object", "properties": {
    "photos": {"type": "array", "items": {"$ref": "#/components/schemas/Photo"}}, "errors": {"type": "array"}}}
_CREDENTIALS = {"type": "object", "required": ["email", "password"],
                "properties": {"email": {"type": "string"}, "password": {"type": "string"}}}
_TOKENS = {"type": "object", "properties": {"access_token": {"type": "string"},
                                            "refresh_token": {"type": "string"}, "user": {"type": "object"}}}


def _json(schema: dict | str) -> dict:
    if isinstance(schema, str):
        schema = {"$ref": f"#/components/schemas/{schema}"}
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: tuple[int, dict | str] | None = None, body: dict | str | None = None,
        params: list[dict] | None = None, public: bool = False, errors: tuple[int, ...] = (400,)) -> dict:
    responses: dict[str, Any] = {}
    if ok:
        status, schema = ok
        responses[str(status)] = {"description": "OK", **(_json(schema) if schema else {})}
    for status in (*errors, *(() if public else (401,))):
        responses[str(status)] = {"description": "Error", **_json("Error")}
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    if params:
        op["parameters"] = params
    if public:
        op["security"] = []
    return op


def _query(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"}}


_ID = {"name": "photo_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_PERSON_ID = {"name": "person_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_FACE_ID = {"name": "face_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_OBJ = {"type": "object"}
_SEARCH_PARAMS = [_query("q"), _query("from", {"type": "string", "format": "date"}),
                  _query("to", {"type": "string", "format": "date"}), _query("tag"), _query("camera"),
                  _query("format"), _query("person"), _query("place"),
                  _query("sort", {"type": "string", "enum": ["relevance", "date"]}),
                  _query("cursor"), _query("limit", {"type": "integer", "minimum": 1, "maximum": 200})]

PATHS: dict[str, dict[str, dict]] = {
    "/api/auth/register": {"post": _op("Create an account and sign in", (201, _TOKENS), _CREDENTIALS, public=True,
                                       errors=(400, 409, 429))},
    "/api/auth/login": {"post": _op("Sign in", (200, _TOKENS), _CREDENTIALS, public=True, errors=(400, 401, 429))},
    "/api/auth/refresh": {"post": _op("New access token from a refresh token", (200, _OBJ))},
    "/api/auth/logout": {"post": _op("Revoke the tokens sent and clear the cookies", (200, _OBJ), public=True)},
    "/api/auth/password-reset": {"post": _op("Mail a reset link if the account exists (always 202)", (202, _OBJ),
                                             {"type": "object", "properties": {"email": {"type": "string"}}},
                                             public=True, errors=(400, 429))},
    "/api/auth/password-reset/confirm": {"post": _op(
        "Set a new password with a reset token", (200, _OBJ), {"type": "object", "properties": {
            "token": {"type": "string"}, "password": {"type": "string"}}}, public=True, errors=(400, 429))},
    "/api/auth/password": {"post": _op("Change password (signs out other sessions)", (200, _TOKENS), {
        "type": "object", "properties": {"current_password": {"type": "string"},
                                         "new_password": {"type": "string"}}}, errors=(400, 429))},
    "/api/me": {"get": _op("The signed-in user", (200, _OBJ), errors=()),
                "delete": _op("Delete the account with all photos", (200, _OBJ),
                              {"type": "object", "properties": {"password": {"type": "string"}}})},
    "/api/photos": {
        "get": _op("Photos, newest taken first", (200, "PhotoPage"),
                   params=[_query("cursor"), _query("limit", {"type": "integer", "minimum": 1, "maximum": 200})]),
        "post": {**_op("Upload photos (multipart field `files`, several allowed)", (201, _UPLOADED),
                       errors=(400, 413, 415, 500, 507)),
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "properties": {"files": {"type": "array", "items": {
                         "type": "string", "format": "binary"}}}},
                     "encoding": {"files": {"contentType": ", ".join(accepted_mime_types())}}}}}},
    },
    "/api/photos/{photo_id}": {
        "get": _op("One photo with all its metadata", (200, "PhotoDetail"), params=[_ID], errors=(404,)),
        "patch": _op("Edit caption, tags and note", (200, "PhotoDetail"), {"type": "object", "properties": {
            "caption": _NULLABLE_STR, "note": _NULLABLE_STR, "tags": {"type": "array", "items": {"type": "string"}}}},
            params=[_ID], errors=(400, 404)),
        "delete": _op("Delete the photo and its files", (204, None), params=[_ID], errors=(404,)),
    },
    "/api/photos/{photo_id}/original": {"get": {**_op("The original file", None, params=[_ID], errors=(404,)),
                                                "responses": {"200": {"description": "The file"}, "401": {
                                                    "description": "Error"}, "404": {"description": "Error"}}}},
    "/api/photos/{photo_id}/thumbnail": {"get": {**_op("A WebP thumbnail", None, params=[
        _ID, _query("size", {"type": "string", "enum": ["small", "large"]})]), "responses": {
        "200": {"description": "WebP image"}, "400": {"description": "Error"}, "401": {"description": "Error"},
        "404": {"description": "Error"}}}},
    "/api/photos/{photo_id}/similar": {"get": _op("More like this", (200, _OBJ), params=[
        _ID, _query("limit", {"type": "integer", "minimum": 1, "maximum": 100})], errors=(400, 404))},
    "/api/search": {"get": _op("Search in natural language with filters", (200, "PhotoPage"),
                               params=_SEARCH_PARAMS)},
    "/api/facets": {"get": _op("Values the search filters can take", (200, _OBJ), errors=())},
    "/api/duplicates": {"get": _op("Groups of near-identical photos", (200, _OBJ), params=[
        _query("distance", {"type": "integer", "minimum": 0, "maximum": 24})])},
    "/api/people": {"get": _op("People shown on the People page (named, or in enough photos), with counts",
                               (200, {"type": "object", "properties": {"items": {"type": "array", "items": {
                                   "$ref": "#/components/schemas/Person"}}}}),
                               params=[_query("hidden", {"type": "boolean"})], errors=())},
    "/api/people/{person_id}": {
        "get": _op("A person with their photos", (200, "PersonDetail"), params=[_PERSON_ID], errors=(404,)),
        "patch": _op("Name, rename or hide a person", (200, "Person"), {"type": "object", "properties": {
            "name": _NULLABLE_STR, "hidden": {"type": "boolean"}}}, params=[_PERSON_ID], errors=(400, 404)),
        "delete": _op("Forget a person (photos stay; their faces belong to nobody)", (204, None),
                      params=[_PERSON_ID], errors=(404,)),
    },
    "/api/people/{person_id}/merge": {"post": _op(
        "Move all of a person's faces to another person and remove the first", (200, "Person"),
        {"type": "object", "required": ["into"], "properties": {"into": {"type": "integer"}}},
        params=[_PERSON_ID], errors=(400, 404))},
    "/api/people/{person_id}/crop": {"get": {**_op("The person's face as a WebP square", None, params=[_PERSON_ID]),
                                             "responses": {"200": {"description": "WebP image"},
                                                           "401": {"description": "Error"},
                                                           "404": {"description": "Error"}}}},
    "/api/faces/{face_id}": {"patch": _op(
        "Put a face with another person, or with nobody (null)", (200, _OBJ),
        {"type": "object", "required": ["person_id"], "properties": {"person_id": {"type": ["integer", "null"]}}},
        params=[_FACE_ID], errors=(400, 404))},
    "/api/places": {"get": _op("Countries and cities of the photos, with counts", (200, _PLACES), errors=())},
    "/api/jobs": {"get": _op("Analysis progress: counts, failures", (200, _OBJ), errors=())},
    "/api/jobs/retry": {"post": _op("Queue failed photos again", (200, _OBJ), errors=())},
    "/api/openapi.json": {"get": _op("This description", (200, _OBJ), public=True, errors=())},
}


def spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shoebox API", "version": "1", "description": "Your photos, found by what you remember."},
        "components": {
            "schemas": {"Error": _ERROR, "Photo": _PHOTO, "PhotoDetail": _PHOTO_DETAIL, "PhotoPage": _PAGE,
                        "Person": _PERSON, "PersonDetail": _PERSON_DETAIL},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"bearer": []}],
        "paths": PATHS,
    }


@bp.get("/api/openapi.json")
def openapi_json():
    return jsonify(spec())
