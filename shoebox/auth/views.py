"""Account routes: the JSON API under /api/auth and /api/me, and the sign-in pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    decode_token,
    get_jwt,
    jwt_required,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)
from jwt.exceptions import PyJWTError

from shoebox.auth import current_user, login_required, page_login_required, rate_limiter, service, token_expiry
from shoebox.models import User
from shoebox.web import db_session, json_body, library, settings

bp = Blueprint("auth", __name__)
#: What a browser's URL parser removes (WHATWG URL standard): ASCII tab and newlines anywhere ...
_URL_IGNORED = dict.fromkeys(map(ord, "\t\n\r"))
#: ... and C0 controls and spaces at both ends.
_URL_TRIMMED = "".join(map(chr, range(0x21)))


def _user_json(user: User) -> dict:
    return {"id": user.id, "email": user.email, "is_admin": user.is_admin, "created_at": user.created_at.isoformat()}


def _signed_in(user: User, status: int = 200):
    """A response carrying fresh tokens both in the body (API clients) and as cookies (the browser)."""
    identity = str(user.id)
    access, refresh = create_access_token(identity, fresh=True), create_refresh_token(identity)
    response = jsonify({"access_token": access, "refresh_token": refresh, "user": _user_json(user)})
    set_access_cookies(response, access)
    set_refresh_cookies(response, refresh)
    response.status_code = status
    return response


def _account_key(email: object) -> str:
    return f"account:{email.strip().lower()}" if isinstance(email, str) else "account:"


@bp.post("/api/auth/register")
def register():
    rate_limiter().hit(f"register-ip:{request.remote_addr}")  # counted before the body is parsed
    body = json_body()
    user = service.register(db_session(), body.get("email"), body.get("password"), settings().REGISTRATION,
                            body.get("invite"))
    return _signed_in(user, 201)


@bp.post("/api/auth/login")
def login():
    rate_limiter().hit(f"login-ip:{request.remote_addr}")  # counted before the body is parsed
    body = json_body()
    rate_limiter().hit("login-" + _account_key(body.get("email")))
    user = service.authenticate(db_session(), body.get("email"), body.get("password"))
    return _signed_in(user)


@bp.post("/api/auth/refresh")
@jwt_required(refresh=True)
def refresh():
    user = current_user()
    access = create_access_token(str(user.id))
    response = jsonify({"access_token": access})
    set_access_cookies(response, access)
    return response


@bp.post("/api/auth/logout")
@jwt_required(optional=True, verify_type=False)
def logout():
    """Revoke the token used and any refresh token sent (body or cookie); clear the cookies."""
    session = db_session()
    payload = get_jwt()
    if payload:
        service.revoke(session, payload["jti"], token_expiry(payload))
    body = request.get_json(silent=True) or {}
    for raw in (body.get("refresh_token") if isinstance(body, dict) else None,
                request.cookies.get("refresh_token_cookie")):
        _revoke_raw(raw)
    response = jsonify({"logged_out": True})
    unset_jwt_cookies(response)
    return response


def _revoke_raw(raw: object) -> None:
    if not isinstance(raw, str) or not raw:
        return
    try:
        payload = decode_token(raw, allow_expired=True)
    except (PyJWTError, Exception):  # a bad token needs no revoking
        return
    service.revoke(db_session(), payload["jti"], token_expiry(payload))


@bp.post("/api/auth/password-reset")
def password_reset():
    """Always 202 after the same work: the account lookup and the mail happen later, off the request path,
    so neither the reply nor its timing tells whether an account exists."""
    rate_limiter().hit(f"reset-ip:{request.remote_addr}")  # counted before the body is parsed
    body = json_body()
    email = body.get("email")
    rate_limiter().hit("reset-" + _account_key(email))
    base = _link_base()
    if base is None:
        current_app.logger.error("no password-reset mail sent: set PUBLIC_URL (TRUSTED_HOSTS is \"*\", so the "
                                 "request's Host cannot be trusted for a link)")
    else:
        link = f"{base}{url_for('auth.reset_page')}?token="
        current_app.extensions["outbox"].submit(service.mail_reset_link, current_app.extensions["db"], settings(),
                                                email if isinstance(email, str) else "", link)
    return jsonify({"message": "If an account exists for this address, a reset link is on its way."}), 202


def _link_base() -> str | None:
    """Where emailed links point: PUBLIC_URL, else this request's host once Flask checked it against
    TRUSTED_HOSTS; None when any Host is accepted, since a forged one must never reach a mail."""
    if settings().PUBLIC_URL:
        return settings().PUBLIC_URL.rstrip("/")
    if current_app.config.get("TRUSTED_HOSTS"):
        return request.host_url.rstrip("/")
    return None


@bp.post("/api/auth/password-reset/confirm")
def password_reset_confirm():
    rate_limiter().hit(f"reset-confirm-ip:{request.remote_addr}")  # counted before the body is parsed
    body = json_body()
    service.reset_password(db_session(), body.get("token"), body.get("password"))
    response = jsonify({"message": "Your password has been changed. Sign in with the new one."})
    unset_jwt_cookies(response)
    return response


@bp.post("/api/auth/password")
@login_required
def change_password():
    user = current_user()
    rate_limiter().hit("password-" + _account_key(user.email))  # one budget for every check of the password
    body = json_body()
    service.change_password(db_session(), user, body.get("current_password"), body.get("new_password"))
    return _signed_in(user)


@bp.post("/api/auth/logout-all")
@login_required
def logout_all():
    """Sign out on every device: every token of the account, this one's too, stops working."""
    service.sign_out_everywhere(db_session(), current_user())
    response = jsonify({"logged_out": True})
    unset_jwt_cookies(response)
    return response


@bp.get("/api/me")
@login_required
def me():
    user = current_user()
    photos, size = service.usage(db_session(), user.id)
    return jsonify({**_user_json(user), "photo_count": photos, "storage_bytes": size,
                    "registration": settings().REGISTRATION if user.is_admin else None})


@bp.delete("/api/me")
@login_required
def delete_me():
    user = current_user()
    rate_limiter().hit("password-" + _account_key(user.email))  # the same budget as a password change
    body = json_body()
    user_id = user.id
    service.delete_account(db_session(), library().storage, user, body.get("password"))
    library().forget(user_id, None)  # and its vectors leave this process's memory
    response = jsonify({"deleted": True})
    unset_jwt_cookies(response)
    return response


# -- pages ----------------------------------------------------------------------------------------
@bp.get("/login")
def login_page():
    return render_template("auth/login.html", next=_safe_next(request.args.get("next")))


@bp.get("/register")
def register_page():
    invite = request.args.get("invite", "")
    return render_template("auth/register.html", invite=invite,
                           registration=service.registration(db_session(), settings().REGISTRATION))


@bp.get("/account")
@page_login_required
def account_page():
    return render_template("account.html")


@bp.get("/forgot-password")
def forgot_page():
    return render_template("auth/forgot.html")


@bp.get("/reset-password")
def reset_page():
    return render_template("auth/reset.html", token=request.args.get("token", ""))


@bp.get("/logout")
def logout_page():
    response = redirect(url_for("auth.login_page"))
    unset_jwt_cookies(response)
    return response


def _safe_next(target: str | None) -> str:
    r"""`target` if it is a path on this site once read the way a browser reads it, else "/".

    Browsers drop tab, CR and LF anywhere and C0 controls and spaces at both ends, and read `\` as `/`:
    `/%09/evil.example` (a tab) and `/\evil.example` both lead to another host.
    """
    if not target:
        return "/"
    path = target.translate(_URL_IGNORED).strip(_URL_TRIMMED).replace("\\", "/")
    parts = urlsplit(path)
    if not path.startswith("/") or path.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return path
