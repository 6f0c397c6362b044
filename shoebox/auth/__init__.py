"""Authentication: JWTs in a Bearer header (API clients) or HttpOnly cookies with CSRF (the browser)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Flask, current_app, make_response, redirect, request, url_for
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    get_jwt,
    get_jwt_identity,
    jwt_required,
    set_access_cookies,
    verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import SecurityError

from shoebox.auth import rate_store, service  # noqa: F401 (rate_store registers sqlite:// with `limits`)
from shoebox.db import reading, writing
from shoebox.errors import ShoeboxError
from shoebox.mail import Outbox
from shoebox.models import User
from shoebox.scope import Scope
from shoebox.web import db_session, error_response

login_required = jwt_required()


def current_user_id() -> int:
    """The signed-in user's id (call only behind `login_required`)."""
    return int(get_jwt_identity())


def current_scope() -> Scope:
    """The photos the signed-in user may see (call only behind a login check): every read starts from it."""
    return Scope.of_user(current_user_id())


def current_user() -> User:
    user = service.find_user(db_session(), current_user_id())
    if user is None:  # deleted while the token was still valid
        raise ShoeboxError("your account no longer exists", code="unauthorized", status=401)
    return user


def admin_required(view: Callable) -> Callable:
    """For the admin's routes: signed in (401 otherwise) as the instance's admin (403 otherwise)."""

    @login_required
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        service.require_admin(current_user())
        return view(*args, **kwargs)

    return wrapper


def page_login_required(view: Callable) -> Callable:
    """For HTML pages: a valid access cookie, else a redirect to the sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        try:
            verify_jwt_in_request(locations=["cookies"])
            return view(*args, **kwargs)
        except (JWTExtendedException, PyJWTError):
            pass
        try:  # the access cookie expired: a valid refresh cookie (the "stay signed in") mints a new one
            verify_jwt_in_request(refresh=True, locations=["cookies"])
        except (JWTExtendedException, PyJWTError):
            return redirect(url_for("auth.login_page", next=request.full_path.rstrip("?")))
        response = make_response(view(*args, **kwargs))
        set_access_cookies(response, create_access_token(get_jwt_identity()))
        return response

    return wrapper


class RateLimiter:
    """Moving-window limits per key (an IP, an account), counted where RATELIMIT_STORAGE_URI says: Redis when
    REDIS_URL is set, else `rate_store`'s file in DATA_DIR (`memory://` counts per process: tests only)."""

    def __init__(self, storage_uri: str, per_minute: int) -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.limit = parse(f"{per_minute}/minute")

    def hit(self, *keys: str) -> None:
        """Count one attempt for every key; raise 429 with Retry-After if any is over its limit."""
        for key in keys:
            if not self.limiter.hit(self.limit, key):
                reset_at = self.limiter.get_window_stats(self.limit, key).reset_time
                raise TooManyAttempts(max(1, int(reset_at - datetime.now(UTC).timestamp()) + 1))


class TooManyAttempts(ShoeboxError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        # A sentence, capitalised: the pages show it as it is.
        super().__init__(f"Too many attempts. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


def rate_limiter() -> RateLimiter:
    return current_app.extensions["rate_limiter"]


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    if settings.REGISTRATION not in service.REGISTRATION_MODES:
        raise ValueError(f"REGISTRATION must be one of {', '.join(service.REGISTRATION_MODES)}, "
                         f"not {settings.REGISTRATION!r}")
    app.extensions["rate_limiter"] = RateLimiter(app.config["RATELIMIT_STORAGE_URI"],
                                                 settings.AUTH_RATE_LIMIT_PER_MINUTE)
    app.extensions["outbox"] = Outbox()
    app.register_error_handler(SecurityError, _untrusted_host)
    jwt = JWTManager(app)

    @jwt.token_in_blocklist_loader
    def _revoked(_header: dict, payload: dict) -> bool:
        """A token opens only the account it was made for (its random key: an id can come back, in a restored
        or hand-copied database), only until the password changes, and not once logged out."""
        session = db_session()
        with reading():  # a writing request takes the write lock at its first write, not here
            accepted = service.token_accepted(session, int(payload["sub"]), payload.get("key"), payload.get("ver"),
                                              payload["jti"])
        if writing.get():
            session.commit()  # end the read: the request's writes begin their own transaction (BEGIN IMMEDIATE)
        return not accepted

    @jwt.additional_claims_loader
    def _claims(identity: str) -> dict:
        user = service.find_user(db_session(), int(identity))
        return {"ver": user.token_version, "key": user.token_key} if user else {"ver": -1, "key": ""}

    @app.errorhandler(TooManyAttempts)
    def _too_many(exc: TooManyAttempts):
        return error_response(429, exc.code, exc.message, **{"Retry-After": str(exc.retry_after)})

    def _unauthorized(code: str, message: str):
        return error_response(401, code, message)

    jwt.unauthorized_loader(lambda reason: _unauthorized("unauthorized", f"sign in first ({reason})"))
    jwt.invalid_token_loader(lambda reason: _unauthorized("invalid_token", f"invalid token ({reason})"))
    jwt.expired_token_loader(lambda _h, _p: _unauthorized("token_expired", "the token has expired"))
    jwt.revoked_token_loader(lambda _h, _p: _unauthorized("token_revoked", "the token has been revoked"))
    jwt.needs_fresh_token_loader(lambda _h, _p: _unauthorized("fresh_token_required", "sign in again"))
    jwt.user_lookup_error_loader(lambda _h, _p: _unauthorized("unauthorized", "unknown user"))


def _untrusted_host(_exc: SecurityError):
    """A Host outside TRUSTED_HOSTS: a bare JSON answer, since no URL may be built from that Host."""
    current_app.logger.warning("refused a request for Host %r; if that name is yours, add it to TRUSTED_HOSTS",
                               request.headers.get("Host", "")[:200])
    return error_response(400, "untrusted_host", "this server does not answer to this host name "
                                                 "(its administrator can add it to TRUSTED_HOSTS)")


def token_expiry(payload: dict) -> datetime:
    return datetime.fromtimestamp(payload["exp"], UTC).replace(tzinfo=None)


__all__ = ["admin_required", "current_scope", "current_user", "current_user_id", "get_jwt", "init_app",
           "login_required", "page_login_required", "rate_limiter", "token_expiry"]
