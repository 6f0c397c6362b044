"""The admin's routes: invite links and accounts made for someone (whatever REGISTRATION says)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from shoebox.auth import admin_required, current_user, invites, service
from shoebox.auth.invites import InviteView
from shoebox.web import db_session, json_body, settings

bp = Blueprint("admin", __name__)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _invite_json(invite: InviteView) -> dict:
    return {"id": invite.id, "status": invite.status, "created_at": invite.created_at.isoformat(),
            "expires_at": invite.expires_at.isoformat(), "used_at": _iso(invite.used_at), "used_by": invite.used_by}


def _invite_url(token: str) -> str:
    """The link to hand over: under PUBLIC_URL when set, else the address the admin is using (a Host Flask has
    checked against TRUSTED_HOSTS; the link goes back to the admin only, never into a mail)."""
    base = (settings().PUBLIC_URL or request.host_url).rstrip("/")
    return f"{base}{url_for('auth.register_page', invite=token)}"


@bp.get("/api/admin/invites")
@admin_required
def list_invites():
    return jsonify({"items": [_invite_json(invite) for invite in invites.listing(db_session())]})


@bp.post("/api/admin/invites")
@admin_required
def create_invite():
    invite, token = invites.create(db_session(), current_user(), json_body().get("days"))
    return jsonify({**_invite_json(invites.view(invite)), "token": token, "url": _invite_url(token)}), 201


@bp.delete("/api/admin/invites/<int:invite_id>")
@admin_required
def revoke_invite(invite_id: int):
    invites.revoke(db_session(), invite_id)
    return "", 204


@bp.post("/api/admin/users")
@admin_required
def create_user():
    body = json_body()
    user = service.create_account(db_session(), body.get("email"), body.get("password"))
    return jsonify({"id": user.id, "email": user.email, "is_admin": user.is_admin,
                    "created_at": user.created_at.isoformat()}), 201
