"""The photo JSON API. Thin: parse the request, call the library service, shape the answer."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from flask import Blueprint, Response, jsonify, request, send_file

from shoebox.auth import current_scope, current_user_id, login_required
from shoebox.errors import InvalidInput, ShoeboxError
from shoebox.ids import whole_number
from shoebox.jobs.status import analysis_of
from shoebox.library.corrections import MAX_BULK, parse_ids
from shoebox.library.live import MIME_TYPES as CLIP_TYPES
from shoebox.library.service import MAX_TAG_LENGTH, MAX_TAGS, MAX_TEXT
from shoebox.library.storage import THUMB_SIZES
from shoebox.library.timeline import KEPT_FILTERS, kept_filtered, month_counts
from shoebox.search.filters import parse_filters
from shoebox.serializers import photo_json, version
from shoebox.web import body_limit, cache_control, db_session, int_arg, json_body, library

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_PAGE = 200
#: The latest file time an upload may give (the calendar ends with year 9999, wherever the file was).
MAX_MILLIS = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp() * 1000)
_OFFSET_MINUTES = re.compile(r"-?\d{1,4}")
#: The largest edit there can be (caption and note of MAX_TEXT characters, MAX_TAGS tags of MAX_TAG_LENGTH), each
#: character at most 12 bytes of JSON (an escaped surrogate pair), with room for the rest.
MAX_EDIT_BODY = 12 * (2 * MAX_TEXT + MAX_TAGS * MAX_TAG_LENGTH) + 4096
#: A bulk edit: MAX_BULK ids (at most 10 digits, a comma and a space each) and tags to add and remove.
MAX_BULK_BODY = 12 * MAX_BULK + 12 * 2 * MAX_TAGS * MAX_TAG_LENGTH + 4096


@bp.post("/photos")
@body_limit(None)  # the one route that takes big bodies: up to MAX_CONTENT_LENGTH
@login_required
def upload():
    """Store every file of the batch that can be stored; report each bad one with its reason."""
    files = request.files.getlist("files")
    if not files:
        raise InvalidInput("send one or more files in the multipart field 'files'", code="no_files")
    session, user_id = db_session(), current_user_id()
    created, failed = [], []
    for upload, modified in zip(files, _last_modified(len(files)), strict=True):
        try:
            result = library().ingest(session, user_id, upload.stream, upload.filename or "", modified)
        except ShoeboxError as exc:
            failed.append({"filename": upload.filename, "error": {"code": exc.code, "message": exc.message}})
            continue
        # A file already in Trash is that photo again (no second copy): the answer says so, for a restore.
        created.append({**photo_json(result.photo), "duplicate": result.duplicate,
                        "in_trash": result.photo.trashed_at is not None})
    status = 201 if created else _batch_failure_status(failed)
    return jsonify({"photos": created, "errors": failed}), status


def _last_modified(count: int) -> list[datetime | None]:
    """Each file's modified time from the optional form fields `last_modified` (milliseconds since 1970, as a
    browser's File.lastModified; 0: unknown) and `last_modified_offset` (the UTC offset there, in minutes east of
    UTC, as -Date.getTimezoneOffset()), one of each per file in the order of `files`."""
    stamps, offsets = request.form.getlist("last_modified"), request.form.getlist("last_modified_offset")
    if not stamps:
        return [None] * count
    if len(stamps) != count or len(offsets) not in (0, count):
        raise InvalidInput("send one last_modified (and last_modified_offset, if any) per file, in the order of "
                           "files", code="invalid_last_modified")
    return [_moment(stamp, offsets[i] if offsets else "0") for i, stamp in enumerate(stamps)]


def _moment(stamp: str, offset: str) -> datetime | None:
    millis, minutes = whole_number(stamp.strip()), _OFFSET_MINUTES.fullmatch(offset.strip())
    if millis is None or millis > MAX_MILLIS or minutes is None or not -12 * 60 <= int(minutes[0]) <= 14 * 60:
        raise InvalidInput("last_modified must be milliseconds since 1970 and last_modified_offset minutes east of "
                           "UTC (-720 to 840)", code="invalid_last_modified")
    return datetime.fromtimestamp(millis / 1000, timezone(timedelta(minutes=int(minutes[0])))) if millis else None


def _batch_failure_status(failed: list[dict]) -> int:
    codes = {item["error"]["code"] for item in failed}
    if codes <= {"too_large", "image_too_large"}:
        return 413
    if codes <= {"unsupported_type", "not_an_image"}:
        return 415
    if "storage_read_only" in codes:
        return 500
    if "insufficient_storage" in codes:
        return 507
    return 400


def _filtered_scope():
    """The viewer's scope within the search filters of the query string (`from`, `to`, `tag`, ...)."""
    scope, filters = current_scope(), _filters()
    return scope.narrow(*filters.conditions(scope, db_session()))


def _filters():
    """The search filters of the query string. Here favourite=false is no filter (the whole timeline), as the
    listing has always taken it, not "all but them"."""
    filters = parse_filters(request.args)
    return replace(filters, favourite=None) if filters.favourite is False else filters


@bp.get("/photos")
@login_required
def list_photos():
    """Newest first, within the search filters: `to=` a month's last day starts the page at that month."""
    limit = int_arg("limit", 50, 1, MAX_PAGE)
    photos, next_cursor = library().page(db_session(), _filtered_scope(), request.args.get("cursor"), limit)
    return jsonify({"items": [photo_json(photo) for photo in photos], "next_cursor": next_cursor})


@bp.get("/timeline")
@login_required
def timeline():
    """How many photos each month holds, newest first (within the search filters): the scrubber's marks and the
    grid's layout before any photo is fetched."""
    months, scope, filters = None, current_scope(), _filters()
    one = filters.single() if scope.whole_library else None
    if one and one[0] in KEPT_FILTERS:  # the kept counts of one filter, where the dates keep to whole months
        months = kept_filtered(db_session(), scope.owner_id, *one, filters.date_from, filters.date_to)
    if months is None:
        months = month_counts(db_session(), scope.narrow(*filters.conditions(scope, db_session())))
    return jsonify({"months": [{"month": month, "count": count} for month, count in months],
                    "total": sum(count for _month, count in months)})


@bp.get("/photos/<int:photo_id>")
@login_required
def get_photo(photo_id: int):
    return jsonify(_detail(library().get(db_session(), current_scope(), photo_id)))


def _detail(photo) -> dict:
    """The photo page's shape: everything, with how each part of its analysis stands."""
    return {**photo_json(photo, detail=True), "analysis": analysis_of(photo)}


@bp.patch("/photos/<int:photo_id>")
@body_limit(MAX_EDIT_BODY)
@login_required
def edit_photo(photo_id: int):
    body = json_body("send a JSON object with any of caption, tags, note, taken_at, location")
    photo = library().edit(db_session(), current_scope(), photo_id, body)
    return jsonify(_detail(photo))


@bp.patch("/photos")
@body_limit(MAX_BULK_BODY)
@login_required
def edit_photos():
    """Make many photos favourites (or not), add or remove tags, set or shift the date, or set the location: all of
    them, or none (404) where an id is not one of the user's."""
    body = json_body("send a JSON object with ids and any of favourite, add_tags, remove_tags, taken_at, "
                     "shift_seconds, location")
    photos = library().edit_many(db_session(), current_scope(), body)
    return jsonify({"items": [photo_json(photo) for photo in photos]})


@bp.delete("/photos/<int:photo_id>")
@login_required
def delete_photo(photo_id: int):
    """Move the photo to Trash (kept TRASH_DAYS days, restorable); /api/trash deletes it for good."""
    library().delete(db_session(), current_scope(), photo_id)
    return "", 204


@bp.get("/photos/<int:photo_id>/original")
@login_required
def original(photo_id: int):
    """The untouched file, with its true type, as a download-named file that can never run as a page."""
    photo = library().get(db_session(), current_scope(), photo_id)
    path = library().storage.existing_original(photo)
    return _sandboxed_file(photo, path, mimetype=photo.mime_type, download_name=photo.filename, etag=photo.sha256)


@bp.get("/photos/<int:photo_id>/video")
@login_required
def video(photo_id: int):
    """A clip as the browser plays it, with range requests (206; 416 past its end): the original where browsers
    play it, else its H.264/AAC rendition; 404 `not_playable_yet` while that is being made (or could not be)."""
    photo = library().get(db_session(), current_scope(), photo_id)
    path, mimetype = library().playback_file(photo)
    return _sandboxed_file(photo, path, mimetype=mimetype, etag=f"{photo.sha256}-video")


@bp.get("/photos/<int:photo_id>/motion")
@login_required
def motion(photo_id: int):
    """A Live Photo's or Motion Photo's clip, with range requests, to play over the still: its H.264 rendition
    where browsers cannot play the clip (an iPhone's HEVC) once the worker has made it; `download=1`: the clip as
    a file under its own name (a Live Photo's MOV as the iPhone wrote it)."""
    photo = library().get(db_session(), current_scope(), photo_id)
    download = request.args.get("download") == "1"
    path, rendition = (library().live.clip_file(photo), False) if download else library().live.playable_clip(photo)
    name = photo.motion_filename or f"{Path(photo.filename).stem}.mp4"
    final = download or rendition or photo.rendition_status is None  # else the rendition is to come: no caching
    return _sandboxed_file(photo, path, cacheable=final, mimetype=CLIP_TYPES[photo.motion_kind] if download
                           else "video/mp4", download_name=name, as_attachment=download,
                           etag=f"{photo.motion_sha256}-web" if rendition else photo.motion_sha256)


@bp.get("/photos/<int:photo_id>/full")
@login_required
def full(photo_id: int):
    """The photo at full size for the viewer's zoom: the original where browsers show its format, else a full-size
    WebP rendition (HEIC, RAW, TIFF, JPEG XL), made on first view and cached like the thumbnails."""
    photo = library().get(db_session(), current_scope(), photo_id)
    path, mimetype = library().full_file(photo)
    return _sandboxed_file(photo, path, mimetype=mimetype, etag=f"{photo.sha256}-full")


def _sandboxed_file(photo, path, *, cacheable: bool = True, **send_options):
    """A photo's file with range and conditional requests, never run as a page (a sandboxing CSP), cached for
    good when the URL names the photo's current version (and `cacheable`)."""
    response = send_file(path, conditional=True, **send_options)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = cache_control(cacheable and request.args.get("v") == version(photo))
    return response


@bp.get("/photos/<int:photo_id>/thumbnail")
@login_required
def thumbnail(photo_id: int):
    size = request.args.get("size", "small")
    if size not in THUMB_SIZES:
        raise InvalidInput(f"size must be one of {', '.join(THUMB_SIZES)}", code="invalid_size")
    photo = library().get(db_session(), current_scope(), photo_id)
    path = library().thumbnail_file(photo, size)
    response = send_file(path, mimetype="image/webp", conditional=True, etag=f"{photo.sha256}-{size}")
    response.headers["Cache-Control"] = cache_control(request.args.get("v") == version(photo))
    return response


@bp.post("/photos/download")
@body_limit(12 * MAX_BULK + 1024)
@login_required
def download():
    """The originals of many photos as one ZIP, streamed as it is read from disk (never held in memory). A form
    post (`ids`: "1,2,3"; the browser's CSRF token as `csrf_token`), so a browser saves it as a download."""
    ids = _form_ids()
    stream = library().archive(db_session(), current_scope(), ids)
    name = f"shoebox-{len(ids)}-{'photo' if len(ids) == 1 else 'photos'}.zip"
    response = Response(iter(stream), mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Length"] = str(len(stream))
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_ids() -> list[int]:
    """The form's `ids`: comma-separated, in one field or several."""
    values = [part.strip() for field in request.form.getlist("ids") for part in field.split(",") if part.strip()]
    numbers = [whole_number(value) for value in values]
    if not numbers or None in numbers:
        raise InvalidInput("send the photos' ids in the form field ids, e.g. ids=1,2,3", code="invalid_ids")
    return parse_ids(numbers)
