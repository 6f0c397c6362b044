"""What anyone with a share link may open, no account needed: the page /s/<token> and /api/shared/<token>/....

This blueprint never imports the signed-in helpers (shoebox.auth; a contract in pyproject.toml forbids it): nothing
here can reach a photo but through `Scope.of_share`. Photos are addressed by their key in the link, never by id. An
unknown, revoked or expired token answers 404 on every route, like a guess. Every answer tells browsers to send no
Referer (the token is in the URL) and search engines to index nothing, and only the recipient's browser may keep it.
"""

from __future__ import annotations

import hashlib
import io

from flask import Blueprint, current_app, jsonify, render_template, request, send_file
from itsdangerous import BadSignature, URLSafeTimedSerializer

from shoebox.errors import InvalidInput, NotFound, ShoeboxError
from shoebox.library.storage import THUMB_SIZES
from shoebox.media.metadata import without_location
from shoebox.models import Share
from shoebox.serializers import shared_link_json, shared_photo_json
from shoebox.shares import service
from shoebox.web import cache_control, db_session, int_arg, json_body, library, settings, share_keys

bp = Blueprint("shared", __name__)

MAX_PAGE = 200
#: How long a browser stays let in after the right password (a changed password lets nobody in).
UNLOCK_SECONDS = 7 * 24 * 3600
UNLOCK_COOKIE = "shoebox_share"
PUBLIC_PREFIXES = ("/s/", "/api/shared/")


class PasswordRequired(ShoeboxError):
    status = 401
    code = "password_required"


# -- the token, the password ------------------------------------------------------------------------------------
def _share(token: str) -> Share:
    """The live share of this token; 404 for any other."""
    return service.open_link(db_session(), token)


def _unlocked_share(token: str) -> Share:
    """The share, once its password (if any) was given in this browser; 401 password_required before."""
    share = _share(token)
    if share.password_hash is not None and not _cookie_lets_in(share):
        raise PasswordRequired("this link needs its password")
    return share


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="shoebox share unlock")


def _fingerprint(share: Share) -> str:
    """Names the share and its current password; a new password (or none) voids every cookie of the old one."""
    return hashlib.sha256(f"{share.token_hash}:{share.password_hash}".encode()).hexdigest()[:32]


def _cookie_lets_in(share: Share) -> bool:
    try:
        signed = _signer().loads(request.cookies.get(UNLOCK_COOKIE, ""), max_age=UNLOCK_SECONDS)
    except BadSignature:
        return False
    return signed == _fingerprint(share)


def _rate_limiter():
    """The auth package's limiter (moving window, counts shared by every process), found on the app so that
    this blueprint stays off the signed-in helpers."""
    return current_app.extensions["rate_limiter"]


# -- the page ---------------------------------------------------------------------------------------------------
@bp.get("/s/<token>")
def page(token: str):
    """The shell of a shared album or selection: static/js/shared.js asks the API for the rest."""
    _share(token)
    return render_template("shares/public.html")


# -- the API ----------------------------------------------------------------------------------------------------
@bp.get("/api/shared/<token>")
def link(token: str):
    """What the link shows; each answer is one view on the owner's list."""
    share = _unlocked_share(token)
    answer = shared_link_json(service.describe(db_session(), share))
    service.count_view(current_app.extensions["db"], share)
    return jsonify(answer)


@bp.post("/api/shared/<token>/unlock")
def unlock(token: str):
    """Check the link's password; the right one lets this browser in for a week (a cookie for this link only)."""
    _rate_limiter().hit(f"share-ip:{request.remote_addr}")  # counted before the body is parsed
    share = _share(token)
    _rate_limiter().hit(f"share:{share.id}")  # and per link, whatever the address
    password = json_body("send a JSON object with password").get("password")
    if not service.password_matches(share, password):
        raise ShoeboxError("that is not this link's password", code="wrong_password", status=401)
    response = jsonify({"unlocked": True})
    response.set_cookie(UNLOCK_COOKIE, _signer().dumps(_fingerprint(share)), max_age=UNLOCK_SECONDS,
                        path=f"/api/shared/{token}", secure=settings().COOKIE_SECURE, httponly=True, samesite="Lax")
    return response


@bp.get("/api/shared/<token>/photos")
def photos(token: str):
    """The link's photos, in its album's order, a page at a time."""
    share, limit = _unlocked_share(token), int_arg("limit", 60, 1, MAX_PAGE)
    rows, next_cursor = service.photos(db_session(), share, request.args.get("cursor"), limit)
    keys = share_keys()
    return jsonify({"items": [shared_photo_json(photo, share, keys, token) for photo in rows],
                    "next_cursor": next_cursor})


def _photo(token: str, key: str):
    share = _unlocked_share(token)
    return share, service.photo(db_session(), share, share_keys().photo_id(share.salt, key))


def _versioned(share: Share, photo) -> bool:
    return request.args.get("v") == share_keys().version(share.salt, photo.sha256)


@bp.get("/api/shared/<token>/photos/<key>/thumbnail")
def thumbnail(token: str, key: str):
    size = request.args.get("size", "small")
    if size not in THUMB_SIZES:
        raise InvalidInput(f"size must be one of {', '.join(THUMB_SIZES)}", code="invalid_size")
    share, photo = _photo(token, key)
    response = send_file(library().thumbnail_file(photo, size), mimetype="image/webp", conditional=True,
                         etag=f"{share_keys().version(share.salt, photo.sha256)}-{size}")
    response.headers["Cache-Control"] = cache_control(_versioned(share, photo))
    return response


@bp.get("/api/shared/<token>/photos/<key>/video")
def video(token: str, key: str):
    """A shared clip as the browser plays it, with range requests; without its metadata (place, camera) unless the
    link shows the location."""
    share, photo = _photo(token, key)
    path, mimetype = library().playback_file(photo, hide_location=not share.show_location)
    return _sandboxed_file(share, photo, path, mimetype=mimetype, conditional=True,
                           etag=f"{share_keys().version(share.salt, photo.sha256)}-video")


@bp.get("/api/shared/<token>/photos/<key>/original")
def original(token: str, key: str):
    """The original file, only where the link allows downloads: streamed from disk (in ranges, so a big video's
    download can resume) where the link shows the location; else a copy without it, cleaned in memory (only photo
    formats exiv2 rewrites are offered then, so within MAX_UPLOAD_MB): the stored original is never touched."""
    share, photo = _photo(token, key)
    if not service.downloadable(share, photo):
        raise NotFound("this link does not offer this photo's file")
    path = library().storage.existing_original(photo)
    send_options = dict(mimetype=photo.mime_type, download_name=photo.filename, as_attachment=True)
    if share.show_location:
        return _sandboxed_file(share, photo, path, conditional=True, **send_options,
                               etag=f"{share_keys().version(share.salt, photo.sha256)}-original")
    data = without_location(path.read_bytes())
    if data is None:
        raise NotFound("this link does not offer this photo's file")
    return _sandboxed_file(share, photo, io.BytesIO(data), etag=False, **send_options)


@bp.get("/api/shared/<token>/photos/<key>/motion")
def motion(token: str, key: str):
    """A Live Photo's or Motion Photo's clip, to play over the still, in ranges; without its metadata (a MOV's
    location among it) unless the link shows the location."""
    share, photo = _photo(token, key)
    path = library().shared_clip(photo, hide_location=not share.show_location)
    return _sandboxed_file(share, photo, path, mimetype="video/mp4", conditional=True,
                           etag=f"{share_keys().version(share.salt, photo.sha256)}-motion")


def _sandboxed_file(share, photo, file, **send_options):
    """A shared photo's file that can never run as a page (a sandboxing CSP), cached for good when the URL names
    the photo's current version for this link."""
    response = send_file(file, **send_options)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = cache_control(_versioned(share, photo))
    return response


@bp.after_app_request
def _public_headers(response):
    """On every answer under a share link, errors included: no Referer carrying the token to another site, no
    search engine indexing, no shared cache keeping it."""
    if request.path.startswith(PUBLIC_PREFIXES):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        if response.headers.get("Cache-Control", "no-store") == "no-store":
            response.headers["Cache-Control"] = "private, no-store"
    return response
