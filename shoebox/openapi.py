"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.

Tests keep it true (tests/openapi): every operation is used for real and its answers validated against these
schemas with no field left undescribed; the query parameters and body fields a route reads must be the ones
listed here, and each documented error status must really happen.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from shoebox.albums.service import MAX_IDS
from shoebox.library.corrections import MAX_BULK, MAX_SHIFT_SECONDS
from shoebox.library.tags import MAX_TAGS
from shoebox.library.trash import MAX_IDS as MAX_TRASH_IDS
from shoebox.media.dates import SOURCES
from shoebox.media.formats import accepted_mime_types
from shoebox.memories.service import MAX_REVIEW_SIZE, PER_YEAR, REVIEW_SIZE
from shoebox.places.service import MAP_POINTS, MAX_MAP_POINTS
from shoebox.shares.service import MAX_IDS as MAX_SHARED_IDS

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
    "favourite": {**_BOOL, "description": "the user's heart (the Favourites view, the favourite=true filter)"},
    "media_type": {"type": "string", "enum": ["image", "video"], "description": "a video's thumbnails are its "
                   "poster frame"},
    "duration": {**_NULLABLE_NUM, "description": "a video's length in seconds; null for a photo"},
    "version": {**_STR, "description": "the v= of the photo's file URLs (a prefix of its SHA-256), for building "
                "them: /api/photos/{id}/thumbnail?size=large&v=..., /api/photos/{id}/full?v=..."},
    "motion": {"type": ["string", "null"], "enum": ["live", "motion", None], "description":
               "live: an Apple Live Photo (a still and its MOV); motion: an Android Motion Photo (a still with its "
               "MP4 inside); null: a still that does not move"},
    "motion_url": {**_NULLABLE_STR, "description": "the clip to play over the still (range requests; download=1: "
                   "the clip as a file, a Live Photo's MOV as the iPhone wrote it); null without one"},
}
_FACE = _object(id=_INT, box={**_array(_NUM), "minItems": 4, "maxItems": 4,
                              "description": "left, top, right, bottom as fractions of the picture"},
                person_id=_NULLABLE_INT, person_name=_NULLABLE_STR)
_PLACE = {**_object(city=_NULLABLE_STR, district=_NULLABLE_STR, region=_NULLABLE_STR, country=_NULLABLE_STR,
                    country_code=_NULLABLE_STR, osm_url=_NULLABLE_STR), "type": ["object", "null"]}
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
    "video_url": {**_NULLABLE_STR, "description": "what a <video> plays (range requests): the original, or its "
                  "H.264/AAC rendition; null for a photo and while the rendition is being made"},
    "video_codec": {**_NULLABLE_STR, "description": "the original's video codec (FFmpeg's name: h264, hevc, vp9...)"},
    "frame_rate": _NULLABLE_NUM,
    "rendition": {**_object(status={"type": "string", "enum": ["queued", "running", "done", "failed"]},
                            progress={**_NUM, "minimum": 0, "maximum": 1}, reason=_NULLABLE_STR),
                  "type": ["object", "null"], "description": "the web-playable copy of a clip browsers cannot play "
                  "(HEVC, AVI...), made by the worker; null where the original plays"},
    "animated": {**_BOOL, "description": "an animation (GIF, APNG, WebP, AVIF): show original_url, whose frames "
                 "play; large_url is its first frame"},
}
_PART_STATE = {"type": "string", "enum": ["done", "waiting", "off", "pending", "failed"]}
_ANALYSIS = {"type": "object", "additionalProperties": _PART_STATE, "description":
             "By analysis part (caption, tags, faces, places, text, embedding): done; waiting for a model the server "
             "cannot load (the rest of the analysis is done and searchable); off (switched off on the server); "
             "pending (queued or running); failed (the photo could not be analysed, see status_reason)"}
_JOB_PART = _object(name=_STR, waiting={**_INT, "description": "photos on which this part waits for a model"},
                    off={**_INT, "description": "photos analysed while this part was switched off"},
                    reason={**_NULLABLE_STR, "description": "why it waits, as the last worker saw it"},
                    fix={**_NULLABLE_STR, "description": "what an administrator does so that it runs"})
_PERSON_FIELDS = {"id": _INT, "name": _NULLABLE_STR, "hidden": _BOOL, "face_count": _INT, "photo_count": _INT,
                  "crop_url": _NULLABLE_STR}
_CITY = _object(city=_NULLABLE_STR, region=_NULLABLE_STR, count=_INT,
                districts=_array(_object(district=_STR, count=_INT)))
_USER_FIELDS = {"id": _INT, "email": _STR,
                "is_admin": {**_BOOL, "description": "the instance's administrator (the first account)"},
                "created_at": _STR}
_USER = _object(**_USER_FIELDS)
_REGISTRATION = {"type": "string", "enum": ["open", "invite", "closed"]}
_INVITE_FIELDS = {"id": _INT, "status": {"type": "string", "enum": ["pending", "used", "expired"]},
                  "created_at": _STR, "expires_at": _STR, "used_at": _NULLABLE_STR,
                  "used_by": {**_NULLABLE_STR, "description": "the email of the account it made"}}
_ALBUM_ORDER = {"type": "string", "enum": ["newest", "oldest"], "description": "photos by date taken, newest or "
                "oldest first"}
_ALBUM = _object(
    id=_INT, name=_STR, description=_NULLABLE_STR, order=_ALBUM_ORDER,
    photo_count={**_INT, "description": "photos in it you can see (trashed ones leave it)"},
    cover_photo_id={**_NULLABLE_INT, "description": "the photo shown: the chosen one, else the newest; null while "
                    "empty"},
    cover_chosen={**_BOOL, "description": "false: the cover is the newest photo (none chosen, or the chosen one left)"},
    cover_url=_NULLABLE_STR, created_at=_STR, updated_at=_STR)

_SHARE_OPTIONS = {
    "title": {**_NULLABLE_STR, "maxLength": 200, "description": "what a link to chosen photos is called (an album's "
              "link shows the album's name)"},
    "expires_at": {"type": ["string", "null"], "description": "ISO 8601, UTC unless it has an offset; null: never. "
                   "An expired link answers 404", "examples": ["2030-01-01T00:00:00Z"]},
    "password": {"type": ["string", "null"], "minLength": 1, "maxLength": 200, "description": "asked of whoever "
                 "opens the link; null: none"},
    "allow_download": {**_BOOL, "description": "recipients may download the originals (true unless said)"},
    "show_location": {**_BOOL, "description": "GPS and place names in what recipients see and download (false unless "
                      "said: removed from the JSON and from downloaded files)"},
    "show_people": {**_BOOL, "description": "the names of the people in the photos (false unless said)"},
}
_SHARE = _object(
    id=_INT, kind={"type": "string", "enum": ["album", "photos"]}, album_id=_NULLABLE_INT, title=_STR,
    url={**_NULLABLE_STR, "description": "the link to hand over (null if SECRET_KEY changed since it was made: it "
         "still opens, but cannot be shown again)"},
    created_at=_STR, expires_at=_NULLABLE_STR, expired=_BOOL, has_password=_BOOL,
    allow_download=_BOOL, show_location=_BOOL, show_people=_BOOL,
    photo_count={**_INT, "description": "photos a recipient sees now"},
    view_count={**_INT, "description": "how often the link was opened"}, last_viewed_at=_NULLABLE_STR,
    cover_url=_NULLABLE_STR)
_SHARED_PHOTO = _object(
    key={**_STR, "description": "the photo's address in this link only (never its id)"}, filename=_STR,
    taken_at=_STR, width=_INT, height=_INT, caption=_NULLABLE_STR, camera=_NULLABLE_STR, thumbnail_url=_STR,
    large_url=_STR, original_url={**_NULLABLE_STR, "description": "null where the link allows no download"},
    motion_url={**_NULLABLE_STR, "description": "a Live Photo's or Motion Photo's clip; null for a still"},
    place={**_PLACE, "description": "null unless the link shows the location"},
    gps={**_object(latitude=_NUM, longitude=_NUM), "type": ["object", "null"],
         "description": "null unless the link shows the location"},
    people={**_array(_STR), "description": "names of the people in it, only if the link shows people"},
    media_type={"type": "string", "enum": ["image", "video"]}, duration=_NULLABLE_NUM,
    video_url={**_NULLABLE_STR, "description": "a video's playback through this link (without its metadata unless "
               "the link shows the location); null for a photo or while its rendition is being made"})

SCHEMAS = {
    "Error": _ERROR,
    "Photo": _object(**_PHOTO_FIELDS),
    "PhotoDetail": _object(**_PHOTO_FIELDS, **_DETAIL_FIELDS, analysis=_ANALYSIS),
    "PhotoPage": _object(items=_array("Photo"), next_cursor=_NULLABLE_STR),
    "SearchPage": _object(
        items=_array(_object(**_PHOTO_FIELDS, score=_NUM, matched={
            **_array(_STR), "description": "why: keyword, meaning; person, place or text beside keyword"})),
        next_cursor=_NULLABLE_STR, total={**_INT, "description": "how many photos match in all"},
        total_is_exact={**_BOOL, "description": "true: total counts every match (all keyword matches are "
                        "returned, paged); false: meaning hits were cut at the nearest 500, so more photos "
                        "may be as near, or the matches were counted only up to 200 past this page (every "
                        "one is still returned, paged; sorted by date, counted from the first)"}),
    "Uploaded": _object(
        photos=_array(_object(**_PHOTO_FIELDS, duplicate={
            **_BOOL, "description": "the same file was already in the library: this is that photo"},
            in_trash={**_BOOL, "description": "that photo is in Trash (no second copy was made): restore it with "
                      "POST /api/trash/restore; thumbnail_url is then the Trash's"})),
        errors=_array(_object(filename=_NULLABLE_STR, error=_ERROR["properties"]["error"]))),
    "User": _USER,
    "Account": _object(**_USER_FIELDS, photo_count=_INT, storage_bytes={
        **_INT, "description": "the size of the account's originals"},
        registration={**_REGISTRATION, "type": ["string", "null"], "enum": [*_REGISTRATION["enum"], None],
                      "description": "who may sign up (REGISTRATION): told to the admin only, null for others"}),
    "Invite": _object(**_INVITE_FIELDS),
    "Tokens": _object(access_token=_STR, refresh_token=_STR, user=_ref("User")),
    "Message": _object(message=_STR),
    "Person": _object(**_PERSON_FIELDS),
    "PersonDetail": _object(**_PERSON_FIELDS, photos=_array("Photo")),
    "Album": _ALBUM,
    "Share": _SHARE,
    "SharedLink": _object(title=_STR, description=_NULLABLE_STR, photo_count=_INT, expires_at=_NULLABLE_STR,
                          allow_download=_BOOL, show_location=_BOOL, show_people=_BOOL),
    "SharedPhotoPage": _object(items=_array(_SHARED_PHOTO), next_cursor=_NULLABLE_STR),
    "Places": _object(countries=_array(_object(country=_STR, country_code=_NULLABLE_STR, count=_INT,
                                               cities=_array(_CITY)))),
    "MapPoints": _object(
        total={**_INT, "description": "photos with GPS inside the area asked for"},
        points={**_array({"type": "array", "prefixItems": [_INT, _NUM, _NUM, _STR], "items": False,
                          "minItems": 4, "maxItems": 4}),
                "description": "each photo as [id, latitude, longitude, v] (its thumbnail: /api/photos/{id}/thumbnail"
                               "?v=...); empty when there are more than `limit`"},
        cells={**_array(_object(
            lat={**_NUM, "description": "the mean latitude of its photos"},
            lon={**_NUM, "description": "the mean longitude of its photos"}, count=_INT,
            bbox={**_array(_NUM), "minItems": 4, "maxItems": 4,
                  "description": "west, south, east, north around its photos"},
            photo_id={**_INT, "description": "one of its photos (the newest added), to show"},
            v={**_STR, "description": "that photo's thumbnail version"})),
            "description": "when there are more photos than `limit`: a 48 x 48 grid over the area, its non-empty cells "
                           "with counts, most photos first (else empty)"}),
    "OnThisDay": _object(
        date={**_STR, "description": "the day remembered (the date asked for)"},
        years=_array(_object(year=_INT, years_ago=_INT,
                             count={**_INT, "description": "photos taken on this day that year"},
                             photos={**_array("Photo"), "description": "the first `limit` of them, in the order "
                                     "taken"}))),
    "Facets": _object(tags=_array(_object(name=_STR, count=_INT)), cameras=_array(_STR), formats=_array(_STR)),
    "TrashPage": _object(
        items=_array(_object(**_PHOTO_FIELDS, trashed_at={**_STR, "description": "when it was moved to Trash (UTC)"},
                             purge_at={**_STR, "description": "when it will be deleted for good (UTC): trashed_at "
                                       "+ trash_days"},
                             large_url={**_STR, "description": "a large WebP rendition, for a preview"})),
        next_cursor=_NULLABLE_STR,
        trash_days={**_INT, "description": "days a photo stays in Trash (TRASH_DAYS) before it is deleted for good"}),
    "Jobs": _object(counts=_object(**dict.fromkeys(_STATUSES, _INT)), total=_INT,
                    analysed={**_INT, "description": "photos analysed: done, or done but for parts that wait"},
                    progress={**_NUM, "minimum": 0, "maximum": 1},
                    failed=_array(_object(photo_id=_INT, filename=_STR, reason=_NULLABLE_STR)),
                    parts={**_array(_JOB_PART), "description": "each analysis part, in pipeline order"},
                    waiting_reason={**_NULLABLE_STR, "description": "the waiting parts' reasons, joined"},
                    renditions={**_object(
                        counts=_object(queued=_INT, running=_INT, done=_INT, failed=_INT),
                        items=_array(_object(photo_id=_INT, filename=_STR, status=_STR,
                                             progress={**_NUM, "minimum": 0, "maximum": 1}, reason=_NULLABLE_STR))),
                        "description": "web-playable copies of clips browsers cannot play, made by the worker; "
                        "items: those not done yet, newest first"}),
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
_BULK_TAGS = {**_array(_STR), "maxItems": MAX_TAGS}
_BULK_EDIT = _object(("favourite", "add_tags", "remove_tags", "taken_at", "shift_seconds", "location"),
                     ids={**_array(_INT), "minItems": 1, "maxItems": MAX_BULK}, favourite=_BOOL,
                     add_tags={**_BULK_TAGS, "description": "Tags to give every photo (yours; an AI tag you had "
                               "removed shows again)"},
                     remove_tags={**_BULK_TAGS, "description": "Tags to take off every photo (an AI tag stays "
                                  "hidden, so a new analysis does not bring it back)"},
                     taken_at={**_TAKEN_AT, "description": "Set every photo's date and time (its date source "
                               "becomes user)"},
                     shift_seconds={**_INT, "minimum": -MAX_SHIFT_SECONDS, "maximum": MAX_SHIFT_SECONDS,
                                    "description": "Move each photo's date by this many seconds (not with taken_at): "
                                    "+2 h is 7200, -1 d 3 h is -97200"},
                     location={**_LOCATION, "description": "Set every photo's location (its source becomes user; "
                               "the place follows): coordinates, e.g. a place's from GET /api/places/lookup"})
_DOWNLOAD_FORM = _object(("csrf_token",), ids={**_STR, "pattern": "^[0-9]+(,[0-9]+)*$", "description": (
    f"the photos' ids, comma-separated (at most {MAX_BULK}); the field may also be repeated")},
    csrf_token={**_STR, "description": "the csrf_access_token cookie's value, for a browser signed in by cookie "
                "(an API client sends its Bearer token instead)"})
_NAMED_PLACE = _object(name=_STR, city={**_STR, "description": "the city a photo taken there is shown in: the place "
                                        "itself, or the larger city it lies in (Kreuzberg: Berlin)"},
                       region=_STR, country=_STR, country_code=_STR, latitude=_NUM, longitude=_NUM)
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


_REASONS = {400: "Invalid input", 401: "Not signed in, or wrong credentials (a share link: its password is needed, "
            "or wrong)", 403: "Not allowed: admin only, or "
            "registration not open to you", 404: "No such thing of yours",
            409: "Already exists", 413: "Too large", 415: "Not an image",
            416: "Range not satisfiable", 429: "Too many attempts; see Retry-After",
            500: "Storage is read-only", 503: "Not available on this server", 507: "Storage is full"}


def _query(name: str, schema: dict | None = None, description: str = "") -> dict:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema or _STR}
    return {**parameter, "description": description} if description else parameter


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": _INT}


_ID, _PERSON_ID, _FACE_ID, _INVITE_ID = _path("photo_id"), _path("person_id"), _path("face_id"), _path("invite_id")
_ALBUM_ID, _SHARE_ID = _path("album_id"), _path("share_id")
_TOKEN = {"name": "token", "in": "path", "required": True, "schema": _STR,
          "description": "the token of a share link (its /s/<token> address)"}
_KEY = {"name": "key", "in": "path", "required": True, "schema": _STR, "description": "a photo's key in the link"}
_PHOTO_IDS = {**_array(_INT), "minItems": 1, "maxItems": MAX_IDS, "description": "ids of your photos"}
_CURSOR = _query("cursor", description="next_cursor of the previous page")
_CREDENTIALS = _object(email=_STR, password=_STR)
_BBOX = _query("bbox", {"type": "string", "pattern": r"^\s*-?[0-9.eE+-]+(,\s*-?[0-9.eE+-]+){3}\s*$",
                         "examples": ["2.25,48.81,2.42,48.9"]},
               "an area of the map: west,south,east,north in degrees (longitudes -180 to 180, latitudes -90 to 90; "
               "west > east crosses the antimeridian)")
_FAVOURITE = _query("favourite", {"type": "boolean"}, "true: only the favourites")
_IDS = {**_array(_INT), "minItems": 1, "maxItems": MAX_TRASH_IDS}
#: What DELETE does to a photo, said where the routes are documented.
_DELETE_SEMANTICS = ("A deleted photo goes to Trash: it leaves every listing, search, album, person and place at "
                     "once, but is kept with its files, tags, caption, faces and albums for TRASH_DAYS days "
                     "(GET /api/trash says when), in which POST /api/trash/restore brings it back with everything. "
                     "Its id then answers 404 on every route but /api/trash's. After TRASH_DAYS a worker deletes it "
                     "for good, as POST /api/trash/delete and DELETE /api/trash do at once: the row, its files and "
                     "thumbnails. Until then its files count in the account's storage.")
_SEARCH_PARAMS = [_query("q"), _query("from", {"type": "string", "format": "date"}),
                  _query("to", {"type": "string", "format": "date"}), _query("tag"), _query("camera"),
                  _query("format"), _query("person"), _query("place"), _FAVOURITE,
                  _query("album", {"type": "integer", "minimum": 1}, "one of your albums' id"), _BBOX,
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
    "/api/auth/register": {"post": _op(
        "Create an account and sign in. The first account is the admin; after it, REGISTRATION decides: open "
        "(anyone), invite (with an invite token: 403 invite_required or invalid_invite otherwise) or closed (403 "
        "registration_closed)", (201, "Tokens"),
        _object(("invite",), email=_STR, password=_STR, invite={**_STR, "description": "the token of an invite link"}),
        public=True, errors=(400, 403, 409, 429))},
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
    "/api/auth/logout-all": {"post": _op("Sign out on every device, this one included (every token stops working)",
                                         (200, _object(logged_out={"const": True})))},
    "/api/me": {"get": _op("The signed-in user, with their photo count and storage used", (200, "Account")),
                "delete": _op("Delete the account with all photos", (200, _object(deleted={"const": True})),
                              _object(password=_STR), errors=(400,))},
    "/api/photos": {
        "get": _op("Photos (not those in Trash), newest taken first, within the search filters (to= a month's last "
                   "day starts at that month)", (200, "PhotoPage"),
                   params=[_CURSOR, _query("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                           *_FILTER_PARAMS], errors=(400,)),
        "post": {**_op("Upload photos (multipart field `files`, several allowed)", (201, "Uploaded"),
                       errors=(400, 413, 415, 500, 507)),
                 "requestBody": {"required": True, "content": {"multipart/form-data": {
                     "schema": _UPLOAD_FORM,
                     "encoding": {"files": {"contentType": ", ".join(accepted_mime_types())}}}}}},
        "patch": _op("Edit many photos at once (a selection's actions): make them favourites or not, add or remove "
                     "tags, set or shift the date, set the location; all of them, or none (404) where an id is not "
                     "one of yours. Their words are searchable by meaning at once for a few photos, after the "
                     "analysis queue for many", (200, _object(items=_array("Photo"))), _BULK_EDIT,
                     errors=(400, 404)),
    },
    "/api/photos/{photo_id}": {
        "get": _op("One photo with all its metadata", (200, "PhotoDetail"), params=[_ID]),
        "patch": _op("Edit caption, tags, note, date taken, location and favourite (send any of them; a date or "
                     "location you set is never replaced by the file's metadata)", (200, "PhotoDetail"),
                     _object(("caption", "note", "tags", "taken_at", "location", "favourite"), caption=_NULLABLE_STR,
                             note=_NULLABLE_STR, tags=_array(_STR), taken_at=_TAKEN_AT, location=_LOCATION,
                             favourite=_BOOL),
                     params=[_ID], errors=(400,)),
        "delete": {**_op("Move the photo to Trash", (204, None), params=[_ID]), "description": _DELETE_SEMANTICS},
    },
    "/api/photos/{photo_id}/original": {"get": _op("The original file, as uploaded", (200, _file("image/*")),
                                                   params=[_ID, _VERSION])},
    "/api/photos/{photo_id}/motion": {"get": _op(
        "A Live Photo's or Motion Photo's clip (404 no_clip for a still that does not move), as video/mp4 with range "
        "requests: its H.264 rendition once the worker has made it where browsers cannot play the clip (HEVC), the "
        "clip itself meanwhile; download=1: the clip as an attachment under its own name and type (a Live Photo's MOV)",
        (200, _file("video/mp4", "video/quicktime")),
        params=[_ID, _VERSION, _query("download", description="1: as a file to save (anything else: to play)")])},
    "/api/photos/{photo_id}/video": {"get": _op(
        "A video as browsers play it, with range requests (206; 416 past its end): the original (H.264, VP9, AV1 in "
        "MP4, MOV or WebM), else its H.264/AAC MP4 rendition; 404 not_playable_yet while that is being made",
        (200, _file("video/mp4", "video/webm")), params=[_ID, _VERSION], errors=(416,))},
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
                                   params=[_query("distance", {"type": "integer", "minimum": 0, "maximum": 24},
                                                  "Hash bits that may differ, for photos without a look")],
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
    "/api/albums": {
        "get": _op("Your albums, newest first, with photo counts and covers", (200, _object(items=_array("Album")))),
        "post": _op("Create an album, with its first photos if `ids` are given (all yours, or 404 and no album)",
                    (201, "Album"), _object(("description", "ids"), name=_STR, description=_NULLABLE_STR,
                                            ids=_PHOTO_IDS), errors=(400, 404)),
    },
    "/api/albums/{album_id}": {
        "get": _op("One album", (200, "Album"), params=[_ALBUM_ID]),
        "patch": _op("Rename or describe an album, choose its cover (null: its newest photo) or its order",
                     (200, "Album"), _object(("name", "description", "cover_photo_id", "order"), name=_STR,
                                             description=_NULLABLE_STR, cover_photo_id=_NULLABLE_INT,
                                             order=_ALBUM_ORDER), params=[_ALBUM_ID], errors=(400,)),
        "delete": _op("Delete an album; its photos stay in your library", (204, None), params=[_ALBUM_ID]),
    },
    "/api/albums/{album_id}/photos": {
        "get": _op("The album's photos by date taken, in its order unless `order` is given", (200, "PhotoPage"),
                   params=[_ALBUM_ID, _CURSOR, _query("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                           _query("order", _ALBUM_ORDER)], errors=(400,)),
        "post": _op("Add photos (already there: kept once): all of them, or none (404) where an id is not one of "
                    "your photos", (200, _object(album=_ref("Album"), added={**_INT, "description": "how many were "
                                                                             "not in it yet"})),
                    _object(ids=_PHOTO_IDS), params=[_ALBUM_ID], errors=(400,)),
        "delete": _op("Take photos out of the album (they stay in your library): all of them, or none (404) where "
                      "an id is not one of your photos", (200, _object(album=_ref("Album"), removed={
                          **_INT, "description": "how many were in it"})),
                      _object(ids=_PHOTO_IDS), params=[_ALBUM_ID], errors=(400,)),
    },
    "/api/photos/{photo_id}/albums": {"get": _op("The albums a photo is in", (200, _object(items=_array("Album"))),
                                                 params=[_ID])},
    "/api/shares": {
        "get": _op("Your share links, newest first, with view counts", (200, _object(items=_array("Share")))),
        "post": _op("Make a link to one of your albums (album_id) or to chosen photos (ids: all yours, or 404)",
                    (201, "Share"), _object(("album_id", "ids", *_SHARE_OPTIONS), album_id=_INT,
                                            ids={**_PHOTO_IDS, "maxItems": MAX_SHARED_IDS}, **_SHARE_OPTIONS),
                    errors=(400, 404)),
    },
    "/api/shares/{share_id}": {
        "get": _op("One of your share links", (200, "Share"), params=[_SHARE_ID]),
        "patch": _op("Change a link's title, expiry, password or what it lets recipients see", (200, "Share"),
                     _object(tuple(_SHARE_OPTIONS), **_SHARE_OPTIONS), params=[_SHARE_ID], errors=(400,)),
        "delete": _op("Revoke a link: it answers 404 from now on", (204, None), params=[_SHARE_ID]),
    },
    "/api/shared/{token}": {"get": _op(
        "What a share link shows (anyone with the link; one view on its owner's list). 404 alike for an unknown, "
        "revoked or expired link; 401 password_required until its password was given", (200, "SharedLink"),
        params=[_TOKEN], public=True, errors=(401,))},
    "/api/shared/{token}/unlock": {"post": _op(
        "Give a link's password: the right one lets this browser in for a week (a cookie for this link)",
        (200, _object(unlocked={"const": True})), _object(password=_STR), params=[_TOKEN], public=True,
        errors=(400, 401, 429))},
    "/api/shared/{token}/photos": {"get": _op(
        "A share link's photos, in its album's order, a page at a time", (200, "SharedPhotoPage"),
        params=[_TOKEN, _CURSOR, _query("limit", {"type": "integer", "minimum": 1, "maximum": 200})], public=True,
        errors=(400, 401))},
    "/api/shared/{token}/photos/{key}/thumbnail": {"get": _op(
        "A WebP thumbnail of a photo of the link", (200, _file("image/webp")), params=[
            _TOKEN, _KEY, _query("size", {"type": "string", "enum": ["small", "large"]}), _query("v", description=(
                "the version in its URL: the answer is then cached for a year"))],
        public=True, errors=(400, 401))},
    "/api/shared/{token}/photos/{key}/video": {"get": _op(
        "A video of the link as browsers play it, with range requests; without its metadata (place, camera) unless "
        "the link shows the location", (200, _file("video/mp4", "video/webm")), params=[
            _TOKEN, _KEY, _query("v", description="the version in its URL: the answer is then cached for a year")],
        public=True, errors=(401, 416))},
    "/api/shared/{token}/photos/{key}/original": {"get": _op(
        "The original file as a download, only where the link allows downloads (404 otherwise); without GPS and "
        "place names unless the link shows the location", (200, _file("image/*")), params=[
            _TOKEN, _KEY, _query("v", description="the version in its URL: the answer is then cached for a year")],
        public=True, errors=(401,))},
    "/api/shared/{token}/photos/{key}/motion": {"get": _op(
        "A Live Photo's or Motion Photo's clip, with range requests (404 for a still); without its metadata unless "
        "the link shows the location", (200, _file("video/mp4")), params=[
            _TOKEN, _KEY, _query("v", description="the version in its URL: the answer is then cached for a year")],
        public=True, errors=(401,))},
    "/api/places": {"get": _op("Countries and cities of the photos, with counts", (200, "Places"))},
    "/api/places/points": {"get": _op(
        "Where your photos with GPS were taken, for the map (within `bbox`): each photo compactly, or grid cells with "
        "counts when there are more than `limit`", (200, "MapPoints"),
        params=[_BBOX, _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_MAP_POINTS},
                              f"the most photos to answer one by one ({MAP_POINTS} when absent)")], errors=(400,))},
    "/api/memories/on-this-day": {"get": _op(
        "On this day: your photos taken on this month and day in earlier years (on 28 February of a year without a "
        "29th, the 29th too), grouped by year, the latest first", (200, "OnThisDay"),
        params=[_query("date", {"type": "string", "format": "date"}, "the day to remember: your local date (the "
                       "server's date when absent)"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 50},
                       f"photos listed per year ({PER_YEAR} when absent; count says how many there are)")],
        errors=(400,))},
    "/api/memories/year-in-review": {"post": _op(
        "A new album \"YEAR in review\" of the best `size` of your photos taken that year: spread across its months "
        "(each month in turn gives its next photo); within a month favourites first, then photos of people you "
        "named, then of anyone, one day at a time. 400 no_photos when you have none from that year",
        (201, "Album"), _object(("size",), year={**_INT, "minimum": 1, "maximum": 9998},
                                size={**_INT, "minimum": 1, "maximum": MAX_REVIEW_SIZE,
                                      "description": f"how many photos at most ({REVIEW_SIZE} when absent)"}),
        errors=(400,))},
    "/api/places/lookup": {"get": _op(
        "Places of the world whose name begins with q (GeoNames, offline), the most populous first: to set a "
        "location by name. \"Paris, Texas\" or \"paris, us\" narrows by region, country or country code",
        (200, _object(items=_array(_NAMED_PLACE))),
        params=[_query("q", description="the start of a place's name, any case, with or without accents"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 50})], errors=(400, 503))},
    "/api/photos/download": {"post": {
        **_op("The originals of many photos as one ZIP (stored as they are, names made unique), streamed as it is "
              "read: all of them, or 404 where an id is not one of yours", (200, _file("application/zip")),
              errors=(400, 404)),
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": _DOWNLOAD_FORM}}}}},
    "/api/jobs": {"get": _op("Analysis progress: counts, failures", (200, "Jobs"))},
    "/api/jobs/retry": {"post": _op("Queue failed photos again", (200, _object(retried=_INT)))},
    "/api/admin/invites": {
        "get": _op("Every invite link of the instance, newest first (admin only)",
                   (200, _object(items=_array("Invite"))), errors=(403,)),
        "post": _op("A single-use invite link; its token is shown only now (admin only)",
                    (201, _object(**_INVITE_FIELDS, token=_STR, url=_STR)),
                    _object(("days",), days={**_INT, "minimum": 1, "maximum": 90,
                                             "description": "how long it stays valid (7 when absent)"}),
                    errors=(400, 403)),
    },
    "/api/admin/invites/{invite_id}": {"delete": _op("Revoke an invite link (admin only)", (204, None),
                                                     params=[_INVITE_ID], errors=(403,))},
    "/api/admin/users": {"post": _op("Create an account for someone, whatever REGISTRATION says (admin only)",
                                     (201, "User"), _CREDENTIALS, errors=(400, 403, 409))},
    "/api/openapi.json": {"get": _op("This description", (200, _OPENAPI), public=True)},
    "/api/trash": {
        "get": _op("The Trash, most recently trashed first, with when each photo is deleted for good",
                   (200, "TrashPage"),
                   params=[_CURSOR, _query("limit", {"type": "integer", "minimum": 1, "maximum": 200})],
                   errors=(400,)),
        "post": {**_op("Move many photos to Trash: all of them, or none (404) where an id is not a photo of yours "
                       "outside Trash", (200, _object(trashed=_INT)), _object(ids=_IDS), errors=(400, 404)),
                 "description": _DELETE_SEMANTICS},
        "delete": _op("Empty the Trash: every photo in it deleted for good, files and all",
                      (200, _object(deleted=_INT))),
    },
    "/api/trash/restore": {"post": _op(
        "Bring photos back from Trash with everything they had: ids (all, or none (404) where one is not in your "
        "Trash), or all: true", (200, _object(restored=_INT)),
        _object(("ids", "all"), ids=_IDS, all={"const": True}), errors=(400, 404))},
    "/api/trash/delete": {"post": _op(
        "Delete photos in Trash for good, files and all: all of them, or none (404) where one is not in your Trash",
        (200, _object(deleted=_INT)), _object(ids=_IDS), errors=(400, 404))},
    "/api/trash/{photo_id}/thumbnail": {"get": _op("A trashed photo's WebP thumbnail", (200, _file("image/webp")),
                                                   params=[_ID, _query("size", {"type": "string",
                                                                                "enum": ["small", "large"]}),
                                                           _VERSION], errors=(400,))},
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
