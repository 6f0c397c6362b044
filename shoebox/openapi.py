"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.

Tests keep it true (tests/openapi): every operation is used for real and its answers validated against these
schemas with no field left undescribed; the query parameters and body fields a route reads must be the ones
listed here, and each documented error status must really happen.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from shoebox.library.corrections import MAX_BULK, MAX_SHIFT_SECONDS
from shoebox.media.dates import SOURCES
from shoebox.media.formats import accepted_mime_types

bp = Blueprint("openapi", __name__)

_STR = {"type": "string"}
_INT = {"type": "integer"}
_NUM = {"type": "number"}
_BOOL = {"type": "boolean"}
_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_NUM = {"type": ["number", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
_STATUSES = ["queued", "running", "done", "failed", "waiting"]


def _object(optional: tuple[str, ...] = (), **properties: Any) -> dict:
    """An object with exactly these fields, every one always present (null when unknown) unless `optional`."""
    return {"type": "object", "required": [name for name in properties if name not in optional],
            "properties": properties}


def _array(items: dict | str) -> dict:
    return {"type": "array", "items": _ref(items) if isinstance(items, str) else items}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_ERROR = _object(error=_object(code=_STR, message=_STR))
_PHOTO_FIELDS = {
    "id": _INT, "filename": _STR,
    "taken_at": {"type": "string", "description": "ISO 8601 local time, without an offset (see taken_at_offset)"},
    "width": _INT, "height": _INT, "caption": _NULLABLE_STR, "tags": _array(_STR),
    "status": {"type": "string", "enum": _STATUSES}, "thumbnail_url": _STR,
    "version": {**_STR, "description": "the v= of the photo's file URLs (a prefix of its SHA-256), for building "
                "them: /api/photos/{id}/thumbnail?size=large&v=..., /api/photos/{id}/full?v=..."},
}
_FACE = _object(id=_INT, box={**_array(_NUM), "minItems": 4, "maxItems": 4,
                              "description": "left, top, right, bottom as fractions of the picture"},
                person_id=_NULLABLE_INT, person_name=_NULLABLE_STR)
_PLACE = {**_object(city=_NULLABLE_STR, region=_NULLABLE_STR, country=_NULLABLE_STR, country_code=_NULLABLE_STR,
                    osm_url=_NULLABLE_STR), "type": ["object", "null"]}
_GPS = {**_object(latitude=_NUM, longitude=_NUM, altitude=_NULLABLE_NUM), "type": ["object", "null"]}
_DETAIL_FIELDS = {
    "sha256": _STR, "format": _STR, "mime_type": _STR, "file_size": _INT, "taken_at_offset": _NULLABLE_STR,
    "taken_at_source": {"type": "string", "enum": list(SOURCES), "description":
                        "exif, xmp, iptc, qt (QuickTime header), modify (the EXIF/XMP modify date): the file's "
                        "metadata; file: the file's modified time; upload: the upload time; user: set by the user"},
    "location_source": {"type": ["string", "null"], "enum": ["exif", "user", None]},
    "camera_make": _NULLABLE_STR, "camera_model": _NULLABLE_STR, "lens": _NULLABLE_STR,
    "exposure_time": _NULLABLE_STR, "f_number": _NULLABLE_NUM, "iso": _NULLABLE_INT, "focal_length": _NULLABLE_NUM,
    "orientation": _NULLABLE_INT, "gps": _GPS,
    "caption_source": {"type": ["string", "null"], "enum": ["ai", "user", None]},
    "tag_details": _array(_object(name=_STR, source={"type": "string", "enum": ["ai", "user"]},
                                  confidence=_NULLABLE_NUM)),
    "note": _NULLABLE_STR, "status_reason": _NULLABLE_STR, "faces": _array(_FACE), "place": _PLACE,
    "ocr_text": _NULLABLE_STR, "created_at": _STR, "original_url": _STR, "large_url": _STR,
    "full_url": {**_STR, "description": "the picture at full size as browsers show it (the viewer's zoom)"},
    "animated": {**_BOOL, "description": "an animation (GIF, APNG, WebP, AVIF): show original_url, whose frames "
                 "play; large_url is its first frame"},
}
_PERSON_FIELDS = {"id": _INT, "name": _NULLABLE_STR, "hidden": _BOOL, "face_count": _INT, "photo_count": _INT,
                  "crop_url": _NULLABLE_STR}
_CITY = _object(city=_NULLABLE_STR, region=_NULLABLE_STR, count=_INT)
_USER = _object(id=_INT, email=_STR, created_at=_STR)

SCHEMAS = {
    "Error": _ERROR,
    "Photo": _object(**_PHOTO_FIELDS),
    "PhotoDetail": _object(**_PHOTO_FIELDS, **_DETAIL_FIELDS),
    "PhotoPage": _object(items=_array("Photo"), next_cursor=_NULLABLE_STR),
    "SearchPage": _object(
        items=_array(_object(**_PHOTO_FIELDS, score=_NUM, matched={
            **_array(_STR), "description": "why: keyword, meaning; person, place or text beside keyword"})),
        next_cursor=_NULLABLE_STR, total={**_INT, "description": "how many photos match in all"},
        total_is_exact={**_BOOL, "description": "true: total counts every match (all keyword matches are "
                        "returned, paged); false: meaning hits were cut at the nearest 500, so more photos "
                        "may be as near"}),
    "Uploaded": _object(
        photos=_array(_object(**_PHOTO_FIELDS, duplicate={
            **_BOOL, "description": "the same file was already in the library: this is that photo"})),
        errors=_array(_object(filename=_NULLABLE_STR, error=_ERROR["properties"]["error"]))),
    "User": _USER,
    "Tokens": _object(access_token=_STR, refresh_token=_STR, user=_ref("User")),
    "Message": _object(message=_STR),
    "Person": _object(**_PERSON_FIELDS),
    "PersonDetail": _object(**_PERSON_FIELDS, photos=_array("Photo")),
    "Places": _object(countries=_array(_object(country=_STR, country_code=_NULLABLE_STR, count=_INT,
                                               cities=_array(_CITY)))),
    "Facets": _object(tags=_array(_object(name=_STR, count=_INT)), cameras=_array(_STR), formats=_array(_STR)),
    "Jobs": _object(counts=_object(**dict.fromkeys(_STATUSES, _INT)), total=_INT,
                    progress={**_NUM, "minimum": 0, "maximum": 1},
                    failed=_array(_object(photo_id=_INT, filename=_STR, reason=_NULLABLE_STR)),
                    waiting_reason=_NULLABLE_STR),
    "Timeline": _object(months=_array(_object(month={**_STR, "description": "YYYY-MM, local time where taken"},
                                              count=_INT)),
                        total={**_INT, "description": "every photo counted"}),
}
_TAKEN_AT = {"type": "string", "description": "Local date and time, ISO 8601, with an optional UTC offset: "
                                            "2019-07-14T18:30:00 or 2019-07-14T18:30:00+02:00",
             "examples": ["2019-07-14T18:30:00+02:00"]}
_LOCATION = {**_object(latitude={**_NUM, "minimum": -90, "maximum": 90},
                       longitude={**_NUM, "minimum": -180, "maximum": 180}),
             "type": ["object", "null"], "description": "null: no location"}
_BULK_EDIT = _object(("taken_at", "shift_seconds", "location"),
                     ids={**_array(_INT), "minItems": 1, "maxItems": MAX_BULK}, taken_at=_TAKEN_AT,
                     shift_seconds={**_INT, "minimum": -MAX_SHIFT_SECONDS, "maximum": MAX_SHIFT_SECONDS,
                                    "description": "Move each photo's date by this many seconds (not with taken_at)"},
                     location=_LOCATION)
_UPLOAD_FORM = _object(
    ("last_modified", "last_modified_offset"), files=_array({"type": "string", "format": "binary"}),
    last_modified={**_array({**_INT, "minimum": 0}), "description":
                   "Each file's modified time in milliseconds since 1970 (File.lastModified; 0: unknown), in the "
                   "order of files: the date taken of a file whose metadata has none"},
    last_modified_offset={**_array({**_INT, "minimum": -720, "maximum": 840}), "description":
                          "The UTC offset at each last_modified, in minutes east of UTC (-Date.getTimezoneOffset()); "
                          "UTC when absent"})


def _json(schema: dict | str) -> dict:
    return {"content": {"application/json": {"schema": _ref(schema) if isinstance(schema, str) else schema}}}


def _file(*media_types: str) -> dict:
    return {"content": {media: {"schema": {"type": "string", "format": "binary"}} for media in media_types}}


def _op(summary: str, ok: tuple[int, dict | str | None], body: dict | str | None = None,
        params: list[dict] | None = None, public: bool = False, errors: tuple[int, ...] = (),
        body_required: bool = True) -> dict:
    """One operation: its success answer (status, schema; a dict with "content" for files; None: no body), its
    JSON body, its parameters and its error answers (401 added unless `public`; 404 where the path has an id)."""
    status, schema = ok
    answer = schema if isinstance(schema, dict) and "content" in schema else (_json(schema) if schema else {})
    responses: dict[str, Any] = {str(status): {"description": "OK", **answer}}
    path_ids = any(p["in"] == "path" for p in params or [])
    for code in sorted({*errors, *(() if public else (401,)), *((404,) if path_ids else ())}):
        responses[str(code)] = {"description": _REASONS[code], **_json("Error")}
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": body_required, **_json(body)}
    if params:
        op["parameters"] = params
    if public:
        op["security"] = []
    return op


_REASONS = {400: "Invalid input", 401: "Not signed in, or wrong credentials", 404: "No such thing of yours",
            409: "Already exists", 413: "Too large", 415: "Not an image", 429: "Too many attempts; see Retry-After",
            500: "Storage is read-only", 507: "Storage is full"}


def _query(name: str, schema: dict | None = None, description: str = "") -> dict:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema or _STR}
    return {**parameter, "description": description} if description else parameter


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": _INT}


_ID, _PERSON_ID, _FACE_ID = _path("photo_id"), _path("person_id"), _path("face_id")
_CURSOR = _query("cursor", description="next_cursor of the previous page")
_CREDENTIALS = _object(email=_STR, password=_STR)
_SEARCH_PARAMS = [_query("q"), _query("from", {"type": "string", "format": "date"}),
                  _query("to", {"type": "string", "format": "date"}), _query("tag"), _query("camera"),
                  _query("format"), _query("person"), _query("place"),
                  _query("sort", {"type": "string", "enum": ["relevance", "date"]}),
                  _CURSOR, _query("limit", {"type": "integer", "minimum": 1, "maximum": 200})]
#: The search filters alone: the timeline listing and its month counts take them too.
_FILTER_PARAMS = [param for param in _SEARCH_PARAMS if param["name"] not in ("q", "sort", "cursor", "limit")]
_SUGGEST_PARAMS = [_query("field", {"type": "string", "enum": ["person", "place", "tag", "camera"]}),
                   _query("prefix", description="what was typed, any case"),
                   _query("limit", {"type": "integer", "minimum": 1, "maximum": 50})]
_ANY_OBJECT = {"type": "object", "additionalProperties": True}
_OPENAPI = _object(openapi=_STR, info=_ANY_OBJECT, components=_ANY_OBJECT, paths=_ANY_OBJECT,
                   security=_array({"type": "object", "additionalProperties": _array(_STR)}))

#: The `v=` of a photo's file URLs (as the API gives them): the file's version, so the answer may be kept a year.
_VERSION = _query("v", description="the version in original_url / thumbnail_url (a prefix of the file's SHA-256): "
                                   "the answer is then cached for a year; without it, revalidated with its ETag")

PATHS: dict[str, dict[str, dict]] = {
    "/api/auth/register": {"post": _op("Create an account and sign in", (201, "Tokens"), _CREDENTIALS, public=True,
                                       errors=(400, 409, 429))},
    "/api/auth/login": {"post": _op("Sign in", (200, "Tokens"), _CREDENTIALS, public=True, errors=(400, 401, 429))},
    "/api/auth/refresh": {"post": _op("New access token from a refresh token (sent as the Bearer token)",
                                      (200, _object(access_token=_STR)))},
    "/api/auth/logout": {"post": _op(
        "Revoke the token sent and a refresh token (in the body or its cookie); clear the cookies",
        (200, _object(logged_out={"const": True})), _object(refresh_token=_STR), public=True, body_required=False)},
    "/api/auth/password-reset": {"post": _op("Mail a reset link if the account exists (always 202)",
                                             (202, "Message"), _object(email=_STR), public=True, errors=(400, 429))},
    "/api/auth/password-reset/confirm": {"post": _op("Set a new password with a reset token", (200, "Message"),
                                                     _object(token=_STR, password=_STR), public=True,
                                                     errors=(400, 429))},
    "/api/auth/password": {"post": _op("Change password (signs out other sessions)", (200, "Tokens"),
                                       _object(current_password=_STR, new_password=_STR), errors=(400, 429))},
    "/api/me": {"get": _op("The signed-in user", (200, "User")),
                "delete": _op("Delete the account with all photos", (200, _object(deleted={"const": True})),
                              _object(password=_STR), errors=(400,))},
    "/api/photos": {
        "get": _op("Photos, newest taken first, within the search filters (to= a month's last day starts at that "
                   "month)", (200, "PhotoPage"),
                   params=[_CURSOR, _query("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                           *_FILTER_PARAMS], errors=(400,)),
        "post": {**_op("Upload photos (multipart field `files`, several allowed)", (201, "Uploaded"),
                       errors=(400, 413, 415, 500, 507)),
                 "requestBody": {"required": True, "content": {"multipart/form-data": {
                     "schema": _UPLOAD_FORM,
                     "encoding": {"files": {"contentType": ", ".join(accepted_mime_types())}}}}}},
        "patch": _op("Set or shift the date, or set the location, of many photos at once: all of them, or none "
                     "(404) where an id is not one of yours", (200, _object(items=_array("Photo"))), _BULK_EDIT,
                     errors=(400, 404)),
    },
    "/api/photos/{photo_id}": {
        "get": _op("One photo with all its metadata", (200, "PhotoDetail"), params=[_ID]),
        "patch": _op("Edit caption, tags, note, date taken and location (send any of them; a date or location you "
                     "set is never replaced by the file's metadata)", (200, "PhotoDetail"),
                     _object(("caption", "note", "tags", "taken_at", "location"), caption=_NULLABLE_STR,
                             note=_NULLABLE_STR, tags=_array(_STR), taken_at=_TAKEN_AT, location=_LOCATION),
                     params=[_ID], errors=(400,)),
        "delete": _op("Delete the photo and its files", (204, None), params=[_ID]),
    },
    "/api/photos/{photo_id}/original": {"get": _op("The original file, as uploaded", (200, _file("image/*")),
                                                   params=[_ID, _VERSION])},
    "/api/photos/{photo_id}/full": {"get": _op(
        "The photo at full size as browsers show it: the original (JPEG, PNG, WebP, GIF, BMP, AVIF), else a "
        "full-size WebP rendition (HEIC, RAW, TIFF, JPEG XL) made on first view", (200, _file("image/*")),
        params=[_ID, _VERSION])},
    "/api/timeline": {"get": _op("How many photos each month holds, newest month first (the timeline's scrubber)",
                                 (200, "Timeline"), params=_FILTER_PARAMS, errors=(400,))},
    "/api/photos/{photo_id}/thumbnail": {"get": _op("A WebP thumbnail", (200, _file("image/webp")), params=[
        _ID, _query("size", {"type": "string", "enum": ["small", "large"]}), _VERSION], errors=(400,))},
    "/api/photos/{photo_id}/similar": {"get": _op(
        "More like this", (200, _object(items=_array(_object(**_PHOTO_FIELDS, similarity=_NUM)))),
        params=[_ID, _query("limit", {"type": "integer", "minimum": 1, "maximum": 100})], errors=(400,))},
    "/api/search": {"get": _op("Search in natural language with filters", (200, "SearchPage"),
                               params=_SEARCH_PARAMS, errors=(400,))},
    "/api/facets": {"get": _op("Values the search filters can take", (200, "Facets"))},
    "/api/suggest": {"get": _op("The user's own filter values beginning with a prefix (as they type)",
                                (200, _object(items=_array(_STR))), params=_SUGGEST_PARAMS, errors=(400,))},
    "/api/duplicates": {"get": _op("Groups of near-identical photos, the largest copy first",
                                   (200, _object(groups=_array(_array("Photo")))),
                                   params=[_query("distance", {"type": "integer", "minimum": 0, "maximum": 24})],
                                   errors=(400,))},
    "/api/people": {"get": _op("People shown on the People page (named, or in enough photos), with counts",
                               (200, _object(items=_array("Person"))),
                               params=[_query("hidden", {"type": "boolean"}, "true: the hidden people instead")])},
    "/api/people/{person_id}": {
        "get": _op("A person with their photos", (200, "PersonDetail"), params=[_PERSON_ID]),
        "patch": _op("Name, rename or hide a person (send either or both)", (200, "Person"),
                     _object(("name", "hidden"), name=_NULLABLE_STR, hidden=_BOOL), params=[_PERSON_ID],
                     errors=(400,)),
        "delete": _op("Forget a person (photos stay; their faces belong to nobody)", (204, None),
                      params=[_PERSON_ID]),
    },
    "/api/people/{person_id}/merge": {"post": _op(
        "Move all of a person's faces to another person and remove the first", (200, "Person"),
        _object(into=_INT), params=[_PERSON_ID], errors=(400,))},
    "/api/people/{person_id}/crop": {"get": _op("The person's face as a WebP square", (200, _file("image/webp")),
                                                params=[_PERSON_ID, _query("v", description=(
                                                    "any value (the cover face's id in crop_url): the answer "
                                                    "may then be cached for a year"))])},
    "/api/faces/{face_id}": {"patch": _op(
        "Put a face with another person, or with nobody (null)",
        (200, _object(id=_INT, photo_id=_INT, person_id=_NULLABLE_INT)),
        _object(person_id=_NULLABLE_INT), params=[_FACE_ID], errors=(400,))},
    "/api/places": {"get": _op("Countries and cities of the photos, with counts", (200, "Places"))},
    "/api/jobs": {"get": _op("Analysis progress: counts, failures", (200, "Jobs"))},
    "/api/jobs/retry": {"post": _op("Queue failed photos again", (200, _object(retried=_INT)))},
    "/api/openapi.json": {"get": _op("This description", (200, _OPENAPI), public=True)},
}


def spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shoebox API", "version": "1", "description": "Your photos, found by what you remember."},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"bearer": []}],
        "paths": PATHS,
    }


@bp.get("/api/openapi.json")
def openapi_json():
    return jsonify(spec())
