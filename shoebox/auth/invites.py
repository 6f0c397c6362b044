"""Invite links: single use, unguessable (256 bits), stored only as a SHA-256, expiring, revocable by the admin.

An invite belongs to the instance, not to the admin who made it: any admin sees and revokes every invite.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shoebox.errors import Forbidden, InvalidInput, NotFound
from shoebox.models import Invite, User, utcnow

#: Days an invite link stays valid unless the admin says otherwise, and the most they may say.
DEFAULT_DAYS = 7
MAX_DAYS = 90


@dataclass(frozen=True)
class InviteView:
    """An invite as the admin sees it (the token itself is shown once, when it is made)."""

    id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: str | None
    status: str  # pending, used or expired


def create(session: Session, admin: User, days: object = None) -> tuple[Invite, str]:
    """A new invite and its token (returned once; only its hash is kept)."""
    if days is None:
        days = DEFAULT_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be a whole number from 1 to {MAX_DAYS}", code="invalid_days")
    token = secrets.token_urlsafe(32)
    invite = Invite(created_by=admin.id, token_hash=_hash(token), expires_at=utcnow() + timedelta(days=days))
    session.add(invite)
    session.commit()
    return invite, token


def listing(session: Session) -> list[InviteView]:
    """Every invite of the instance, newest first, with whom it let in."""
    rows = session.execute(select(Invite, User.email).outerjoin(User, User.id == Invite.used_by)
                           .order_by(Invite.id.desc())).all()
    return [view(invite, email) for invite, email in rows]


def view(invite: Invite, used_by: str | None = None) -> InviteView:
    status = "used" if invite.used_at else ("expired" if invite.expires_at < utcnow() else "pending")
    return InviteView(invite.id, invite.created_at, invite.expires_at, invite.used_at, used_by, status)


def revoke(session: Session, invite_id: int) -> None:
    """Delete an invite: its link stops working at once (a used one just leaves the list)."""
    invite = session.get(Invite, invite_id)
    if invite is None:
        raise NotFound(f"invite {invite_id} not found")
    session.delete(invite)
    session.commit()


def usable(session: Session, token: object) -> Invite:
    """The unused, unexpired invite with this token; Forbidden alike for a wrong, used, revoked or old one."""
    invite = None
    if isinstance(token, str) and token:
        invite = session.scalar(select(Invite).where(Invite.token_hash == _hash(token)))
    if invite is None or invite.used_at is not None or invite.expires_at < utcnow():
        raise Forbidden("this invite link is invalid, used, revoked or expired; ask for a new one",
                        code="invalid_invite")
    return invite


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
