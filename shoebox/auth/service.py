"""Account rules: registration, credentials, password changes and single-use reset tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from shoebox.auth import invites
from shoebox.config import Settings
from shoebox.db import Database
from shoebox.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from shoebox.library.storage import Storage
from shoebox.mail import send_mail
from shoebox.models import Photo, ResetToken, RevokedToken, User, utcnow
from shoebox.scope import Scope

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
#: Lowest zxcvbn score accepted (0-4; 3 = "safely unguessable": about 10^8 guesses or more).
MIN_STRENGTH = 3
#: Characters of a password that zxcvbn scores.
STRENGTH_PREFIX = 64
_ZXCVBN_LOCK = threading.Lock()
#: What REGISTRATION may say (shoebox/config.py).
REGISTRATION_MODES = ("open", "invite", "closed")
#: A hash to check against when the email is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(raw: object) -> str:
    """The canonical form of an address (lower-case); raises InvalidInput for anything that is not one."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("an email address is required", code="invalid_email")
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput(f"not a valid email address: {exc}", code="invalid_email") from exc


def check_password_rules(password: object, email: str) -> str:
    """The password if it is long enough and hard to guess (NIST SP 800-63B), else InvalidInput saying why."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD} characters", code="weak_password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput("the password is too long", code="weak_password")
    if password.strip().lower() == email.lower():
        raise InvalidInput("the password must not be your email address", code="weak_password")
    strength = _strength(password, email)
    if strength["score"] < MIN_STRENGTH:
        feedback = strength["feedback"]
        advice = " ".join([feedback["warning"], *feedback["suggestions"]]).strip() or "Add another word or two."
        raise InvalidInput(f"this password is too easy to guess. {advice}", code="weak_password")
    return password


def _strength(password: str, email: str) -> dict:
    """zxcvbn's estimate, with the email and its parts counted as known words."""
    local, _, domain = email.lower().partition("@")
    known = [email.lower(), local, domain, *re.split(r"[^a-z0-9]+", f"{local} {domain}")]
    # zxcvbn slows down fast with length and refuses long input; the first characters tell a guessable
    # password, and a long passphrase is strong whatever comes after them.
    with _ZXCVBN_LOCK:  # it keeps user_inputs in a module global: one call at a time
        return zxcvbn(password[:STRENGTH_PREFIX], user_inputs=[word for word in known if word])


def register(session: Session, email: object, password: object, mode: str = "open", invite: object = None) -> User:
    """Sign-up from the page or the API, as REGISTRATION (`mode`) allows: the first account always (it becomes
    the admin), then anyone ("open"), only with an invite token ("invite"), or nobody ("closed")."""
    used = None
    if has_accounts(session):
        if mode == "closed":
            raise Forbidden("registration is closed on this server; ask its administrator for an account",
                            code="registration_closed")
        if mode == "invite":
            if invite is None or invite == "":
                raise Forbidden("registration on this server is by invitation: open the invite link you were sent",
                                code="invite_required")
            used = invites.usable(session, invite)
    user = create_account(session, email, password, commit=False)
    if used is not None:
        session.flush()
        used.used_at, used.used_by = utcnow(), user.id
    session.commit()
    return user


def create_account(session: Session, email: object, password: object, commit: bool = True) -> User:
    """An account, whatever REGISTRATION says (the admin's and the command line's way); the first one made on
    an instance is its admin. The email is normalised and must be new."""
    address = normalise_email(email)
    check_password_rules(password, address)
    if session.scalar(select(User.id).where(User.email == address)):
        raise Conflict("an account with this email already exists", code="email_taken")
    user = User(email=address, password_hash=generate_password_hash(password), is_admin=not has_accounts(session))
    session.add(user)
    if commit:
        session.commit()
    return user


def has_accounts(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def registration(session: Session, mode: str) -> str:
    """What the sign-up page offers now: "first" (no account yet: it becomes the admin), else `mode`."""
    return mode if has_accounts(session) else "first"


def require_admin(user: User) -> User:
    if not user.is_admin:
        raise Forbidden("only the administrator of this server can do this", code="admin_only")
    return user


def usage(session: Session, user_id: int) -> tuple[int, int]:
    """(photos, bytes of their originals) of an account: one indexed aggregate, no walk over the files."""
    count, size = session.execute(Scope.of_user(user_id).columns(func.count(Photo.id),
                                                                 func.coalesce(func.sum(Photo.file_size), 0))).one()
    return int(count), int(size)


def sign_out_everywhere(session: Session, user: User) -> None:
    """Every token of the account stops working, on every device (this one too)."""
    user.token_version += 1
    session.commit()


def find_user(session: Session, user_id: int) -> User | None:
    """The account with this id, or None (deleted while a token of it was still valid)."""
    return session.get(User, user_id)


def authenticate(session: Session, email: object, password: object) -> User:
    """The user these credentials belong to, or Unauthorized (same message for unknown email or bad password)."""
    try:
        address = normalise_email(email)
    except InvalidInput:
        address = ""
    user = session.scalar(select(User).where(User.email == address)) if address else None
    candidate = password if isinstance(password, str) else ""
    if not check_password_hash(user.password_hash if user else _DUMMY_HASH, candidate) or user is None:
        raise Unauthorized("wrong email or password", code="invalid_credentials")
    return user


def set_password(session: Session, user: User, password: object) -> None:
    """Store a new password hash; every earlier token and reset link stops working."""
    check_password_rules(password, user.email)
    user.password_hash = generate_password_hash(password)
    user.token_version += 1
    session.execute(update(ResetToken).where(ResetToken.user_id == user.id, ResetToken.used_at.is_(None))
                    .values(used_at=utcnow()))
    session.commit()


def change_password(session: Session, user: User, current: object, new: object) -> None:
    if not isinstance(current, str) or not check_password_hash(user.password_hash, current):
        raise Unauthorized("the current password is wrong", code="invalid_credentials")
    set_password(session, user, new)


def delete_account(session: Session, storage: Storage, user: User, password: object) -> None:
    """Delete the user, their photos (rows cascade) and every file they own. Every token of theirs dies with
    the row: a token carries its account's random `token_key`, which no later account has, even one that
    gets the same id."""
    if not isinstance(password, str) or not check_password_hash(user.password_hash, password):
        raise Unauthorized("the password is wrong", code="invalid_credentials")
    user_id, was_admin = user.id, user.is_admin
    session.delete(user)
    session.flush()
    if was_admin and session.scalar(select(User.id).where(User.is_admin).limit(1)) is None:
        # an instance is never left without an admin: the oldest remaining account takes over
        session.execute(update(User).where(User.id == select(func.min(User.id)).scalar_subquery())
                        .values(is_admin=True))
    session.commit()
    storage.delete_user(user_id)


def create_reset_token(session: Session, user: User, minutes: int) -> str:
    """A new single-use token (returned once, stored hashed); earlier unused ones are voided."""
    now = utcnow()
    session.execute(update(ResetToken).where(ResetToken.user_id == user.id, ResetToken.used_at.is_(None))
                    .values(used_at=now))
    token = secrets.token_urlsafe(32)
    session.add(ResetToken(user_id=user.id, token_hash=_hash(token), expires_at=now + timedelta(minutes=minutes)))
    session.commit()
    return token


def start_password_reset(session: Session, email: str, minutes: int) -> tuple[str, str] | None:
    """(address, new reset token) for the account with this email, or None when there is none."""
    try:
        address = normalise_email(email)
    except InvalidInput:
        return None
    user = session.scalar(select(User).where(User.email == address))
    return (user.email, create_reset_token(session, user, minutes)) if user is not None else None


def mail_reset_link(database: Database, config: Settings, email: str, link: str) -> None:
    """Off the request path (the outbox's thread): find the account, make a token and mail the link; nothing
    for an unknown email."""
    with database.transaction() as session:
        found = start_password_reset(session, email, config.RESET_TOKEN_MINUTES)
    if found is None:
        return
    address, token = found
    body = (f"Someone (hopefully you) asked to reset the password of your Shoebox account.\n\n"
            f"Open this link within {config.RESET_TOKEN_MINUTES} minutes to choose a new password:\n\n"
            f"{link}{token}\n\n"
            "The link works once. If you did not ask for this, ignore this mail; your password stays as it is.\n")
    send_mail(config, address, "Reset your Shoebox password", body)


def reset_password(session: Session, token: object, password: object) -> User:
    """Use a reset token once to set a new password; bad, expired or used tokens are refused alike."""
    if not isinstance(token, str) or not token:
        raise InvalidInput("this reset link is invalid or has expired", code="invalid_token")
    row = session.scalar(select(ResetToken).where(ResetToken.token_hash == _hash(token)))
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        raise InvalidInput("this reset link is invalid or has expired", code="invalid_token")
    user = session.get(User, row.user_id)
    check_password_rules(password, user.email)
    row.used_at = utcnow()
    set_password(session, user, password)
    return user


def revoke(session: Session, jti: str, expires_at: datetime) -> None:
    if session.get(RevokedToken, jti) is None:
        session.add(RevokedToken(jti=jti, expires_at=expires_at))
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    session.commit()


def is_revoked(session: Session, jti: str) -> bool:
    return session.get(RevokedToken, jti) is not None


#: Built once (SQLAlchemy then reuses its compiled form): every signed-in request runs it.
_TOKEN_STATE = select(User.token_key, User.token_version,
                      select(RevokedToken.jti).where(RevokedToken.jti == bindparam("jti")).exists()
                      ).where(User.id == bindparam("user_id"))


def token_accepted(session: Session, user_id: int, key: object, version: object, jti: str) -> bool:
    """Whether a token still opens its account: the account exists, the token carries its random key (an id can
    come back, in a restored or hand-copied database) and its current version (bumped when the password changes),
    and it was not logged out. One query, with no ORM objects built, as every signed-in request asks."""
    row = session.connection().execute(_TOKEN_STATE, {"user_id": user_id, "jti": jti}).first()
    return row is not None and row[0] == key and row[1] == version and not row[2]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
