"""The owner's share-link routes: make, list, change and revoke links to an album or to chosen photos."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from shoebox.auth import current_scope, login_required
from shoebox.serializers import share_json
from shoebox.shares import service
from shoebox.shares.keys import token_hash
from shoebox.shares.service import ShareView
from shoebox.web import body_limit, db_session, json_body, settings, share_keys

bp = Blueprint("shares", __name__, url_prefix="/api")

#: A list of MAX_IDS photo ids (each at most 10 digits, a comma and a space) with room for the rest.
MAX_IDS_BODY = 12 * service.MAX_IDS + 4096
_FIELDS = "album_id or ids, and optionally title, expires_at, password, allow_download, show_location, show_people"


def _url(view: ShareView) -> str | None:
    """The link to hand over, derived again from the share's salt: under PUBLIC_URL when set, else the address the
    owner is using (a Host Flask checked against TRUSTED_HOSTS). None where SECRET_KEY changed since it was made."""
    token = share_keys().token(view.share.salt)
    if token_hash(token) != view.share.token_hash:
        return None
    base = (settings().PUBLIC_URL or request.host_url).rstrip("/")
    return f"{base}{url_for('shared.page', token=token)}"


def _json(view: ShareView) -> dict:
    return share_json(view, _url(view))


@bp.get("/shares")
@login_required
def list_shares():
    """The user's links, newest first, with how often each was opened."""
    return jsonify({"items": [_json(view) for view in service.listing(db_session(), current_scope())]})


@bp.post("/shares")
@body_limit(MAX_IDS_BODY)
@login_required
def create_share():
    session, scope = db_session(), current_scope()
    share = service.create(session, scope, share_keys(), json_body(f"send a JSON object with {_FIELDS}"))
    return jsonify(_json(service.view(session, scope, share.id))), 201


@bp.get("/shares/<int:share_id>")
@login_required
def get_share(share_id: int):
    return jsonify(_json(service.view(db_session(), current_scope(), share_id)))


@bp.patch("/shares/<int:share_id>")
@login_required
def edit_share(share_id: int):
    session, scope = db_session(), current_scope()
    service.update_share(session, scope, share_id, json_body(
        "send a JSON object with any of title, expires_at, password, allow_download, show_location, show_people"))
    return jsonify(_json(service.view(session, scope, share_id)))


@bp.delete("/shares/<int:share_id>")
@login_required
def revoke_share(share_id: int):
    """Revoke the link: from now on it answers 404, like one that never existed."""
    service.revoke(db_session(), current_scope(), share_id)
    return "", 204
