"""What every HTTP response shares: security headers, JSON/HTML errors, and per-request helpers."""

from __future__ import annotations

import functools
import random
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_compress import Compress
from markupsafe import Markup, escape
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from shoebox.config import Settings
from shoebox.db import is_locked, writing
from shoebox.errors import InvalidInput, ShoeboxError, StorageFull, storage_fault
from shoebox.ids import IdConverter
from shoebox.library.service import Library
from shoebox.people.service import People
from shoebox.shares.keys import ShareKeys

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
#: A tile server's origin as a CSP source: a scheme, a host (`*.` for Leaflet's `{s}` subdomains) and a port.
_TILE_HOST = re.compile(r"(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Attempts at a request that met "database is locked" (each after busy_timeout), with backoff between them.
LOCK_ATTEMPTS = 5
#: The largest request body of a route that does not say otherwise with `body_limit`: a JSON object of a few
#: fields. Anything bigger is refused (413) before a byte of it is read, so no one can make a worker buffer
#: or parse megabytes unasked, signed in or not.
MAX_BODY = 64 * 1024


#: For a URL that names the file's version (`v=`): its bytes never change, so browsers may keep it for a year.
IMMUTABLE = "private, max-age=31536000, immutable"
#: For a URL without one: the browser must ask again (a cheap 304 with the ETag) before showing what it kept.
REVALIDATE = "private, no-cache"


def cache_control(versioned: bool) -> str:
    return IMMUTABLE if versioned else REVALIDATE


def db_session() -> Session:
    return current_app.extensions["db"].session()


def library() -> Library:
    return current_app.extensions["library"]


def people() -> People:
    return current_app.extensions["people"]


def share_keys() -> ShareKeys:
    return current_app.extensions["share_keys"]


def settings() -> Settings:
    return current_app.config["SETTINGS"]


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter within [low, high], or `default` when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number", code="invalid_parameter") from None
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}", code="invalid_parameter")
    return value


def bool_arg(name: str) -> bool:
    """A true/false query parameter (absent or empty: false)."""
    raw = (request.args.get(name) or "false").strip().lower()
    if raw not in ("true", "false"):
        raise InvalidInput(f"{name} must be true or false", code="invalid_parameter")
    return raw == "true"


def json_body(message: str = "send a JSON object") -> dict:
    """The request's JSON object; anything else (no body, bad JSON, a list) is a 400 saying `message`."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(message, code="invalid_json")
    return body


def body_limit(max_bytes: int | None = None) -> Callable[[Callable], Callable]:
    """Let a view take bodies up to `max_bytes` instead of MAX_BODY; None means MAX_CONTENT_LENGTH (uploads)."""

    def mark(view: Callable) -> Callable:
        view.max_body = max_bytes  # type: ignore[attr-defined]
        return view

    return mark


def _limit_body() -> None:
    """Before anything reads the body: refuse a declared length over the route's limit; cap a chunked one."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    limit = getattr(view, "max_body", MAX_BODY)
    request.max_content_length = current_app.config["MAX_CONTENT_LENGTH"] if limit is None else limit
    if request.max_content_length is not None and (request.content_length or 0) > request.max_content_length:
        raise RequestEntityTooLarge()
    if limit is not None and request.content_length is None and "wsgi.input_terminated" in request.environ:
        _read_unsized_body()


def _read_unsized_body() -> None:
    """A body sent without a length (chunked) is read now, at most up to the limit (werkzeug stops there and
    would hand on the cut-off part as if it were all): one byte more is a 413."""
    request.get_data(cache=True)
    if request.stream.is_exhausted:  # type: ignore[attr-defined]  (werkzeug's LimitedStream)
        request.stream.read(1)  # raises RequestEntityTooLarge if the client sent more


def error_response(status: int, code: str, message: str, **headers: Any):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    response.headers.update(headers)
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _mark_writes() -> None:
    if request.method in _WRITE_METHODS:
        g.writing_token = writing.set(True)


def _unmark_writes(_exc) -> None:
    token = g.pop("writing_token", None)
    if token is not None:
        writing.reset(token)


def tile_source(url: str) -> str | None:
    """The Content-Security-Policy source of MAP_TILE_URL's server (scheme, host, port; Leaflet's `{s}` subdomain
    a `*.` wildcard), or None when it is no http(s) URL of a plain host (the map then shows no tiles)."""
    parts = urlsplit(url.strip())
    host = parts.netloc.rsplit("@", 1)[-1].replace("{s}", "*")
    if parts.scheme not in ("http", "https") or not _TILE_HOST.fullmatch(host):
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(settings: Settings) -> str:
    """CSP with images allowed from this server and from the map's tile server, no other."""
    source = tile_source(settings.MAP_TILE_URL)
    return CSP.replace("img-src 'self' data: blob:", f"img-src 'self' data: blob: {source}") if source else CSP


def map_tiles() -> dict[str, str]:
    """What a page's map needs of its tiles: the URL template (empty when unusable) and the credit as HTML."""
    config = settings()
    credit = escape(config.MAP_TILE_ATTRIBUTION)
    link = Markup('<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>')
    return {"url": config.MAP_TILE_URL.strip() if tile_source(config.MAP_TILE_URL) else "",
            "attribution": str(credit.replace("OpenStreetMap", link))}


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/api/") and response.mimetype == "application/json":
        response.headers.setdefault("Cache-Control", "no-store")  # private data: never kept by any cache
    return response


def _error_page(status: int, code: str, message: str):
    if wants_json():
        return error_response(status, code, message)
    return render_template("error.html", status=status, message=message), status


def _shoebox_error(exc: ShoeboxError):
    db_session().rollback()
    return _error_page(exc.status, exc.code, exc.message)


def _http_error(exc: HTTPException):
    code = (exc.name or "error").lower().replace(" ", "_")
    response = make_response(_error_page(exc.code or 500, code, exc.description or exc.name))
    # What the error itself says in headers: a 416's Content-Range (the length a player may ask within), a 405's Allow.
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _too_large(_exc: RequestEntityTooLarge):
    limit = request.max_content_length
    return _error_page(413, "payload_too_large", f"The request body is larger than this route takes ({limit} bytes).")


def _database_error(exc: OperationalError):
    """A locked database after every retry is a busy server (503); a full or read-only one says so."""
    db_session().rollback()
    if is_locked(exc):
        current_app.logger.warning("database still locked after %d attempts: %s %s", LOCK_ATTEMPTS,
                                   request.method, request.path)
        return _error_page(503, "busy", "The server is busy; try again in a moment.")
    fault = storage_fault(exc)
    if fault is None:
        return _unexpected(exc)
    message = "The server's disk is full." if fault is StorageFull else "The server's database is not writable."
    return _error_page(fault.status, fault.code, message)


def retry_when_locked(dispatch: Callable[[], Any]) -> Callable[[], Any]:
    """Run the view again (after a rollback, with uploads rewound) when SQLite stayed locked past busy_timeout."""

    @functools.wraps(dispatch)
    def dispatch_with_retries():
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                return dispatch()
            except OperationalError as exc:
                if not is_locked(exc) or attempt == LOCK_ATTEMPTS:
                    raise
                db_session().rollback()
                _rewind_uploads()
                time.sleep(0.05 * 2 ** attempt * (0.5 + random.random()))
        raise AssertionError("unreachable")

    return dispatch_with_retries


def _rewind_uploads() -> None:
    for _name, upload in request.files.items(multi=True):
        upload.stream.seek(0)


def _unexpected(exc: Exception):
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    db_session().rollback()
    return _error_page(500, "internal_error", "Something went wrong on our side.")


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, take the client's address and scheme from the headers they add; with none
    (the default) a client's own X-Forwarded-For is never believed (rate limits are per address)."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


#: What is compressed (zstd, brotli or gzip, as the browser accepts): pages, styles, scripts, JSON. Never the
#: photos: JPEG, WebP and the other image files are compressed already, and originals go out byte for byte.
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "image/svg+xml", "text/plain"]


def _compress_text(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    Compress(app)


def init_app(app: Flask) -> None:
    """Bound ids and bodies, trust only configured proxies, mark writing requests for SQLite, add security
    headers, and answer every error as JSON or a page."""
    app.url_map.converters["int"] = IdConverter  # before any blueprint: every <int:...> in a route is an id
    app.config["CONTENT_SECURITY_POLICY"] = content_security_policy(app.config["SETTINGS"])
    _trust_proxies(app, app.config["SETTINGS"].PROXY_HOPS)
    app.before_request(_limit_body)
    app.before_request(_mark_writes)
    app.teardown_request(_unmark_writes)
    app.after_request(_security_headers)
    _compress_text(app)
    app.dispatch_request = retry_when_locked(app.dispatch_request)
    app.register_error_handler(ShoeboxError, _shoebox_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
