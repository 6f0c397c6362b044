"""Share links: the owner makes, lists, changes and revokes them; anyone with one opens it.

The owner's functions take the owner's `Scope` and treat anyone else's share as missing (404). What a link shows is
read through `Scope.of_share(share)`: the owner's visible photos narrowed to the link's album or chosen photos, so a
photo that leaves the owner's view (trash) or the album leaves the link too. A link that is unknown, revoked or
expired is the same NotFound, so a recipient cannot tell them apart from a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from shoebox.albums.service import BY_DATE
from shoebox.albums.service import get as get_album
from shoebox.cursors import decode_keyset, encode_keyset
from shoebox.db import Database
from shoebox.errors import InvalidInput, NotFound
from shoebox.ids import is_id
from shoebox.media.metadata import LOCATION_REMOVABLE
from shoebox.models import Album, Photo, Share, SharePhoto, utcnow
from shoebox.scope import Scope
from shoebox.shares.keys import ShareKeys, new_salt, token_hash

#: Photos chosen for one link at most (a month selected at once).
MAX_IDS = 5000
MAX_TITLE = 200
MAX_PASSWORD = 200
#: The longest token looked up: ours are 43 characters; anything far longer is not worth hashing.
MAX_TOKEN = 100
FLAGS = ("allow_download", "show_location", "show_people")
EDITABLE = frozenset({"title", "expires_at", "password", *FLAGS})
NOT_FOUND = "this link does not exist, has expired or was revoked"


@dataclass
class ShareView:
    """A share as its owner's list shows it: what it is called, how many photos it shows and its first one."""

    share: Share
    album: Album | None
    photo_count: int
    cover: Photo | None

    @property
    def title(self) -> str:
        return self.album.name if self.album is not None else (self.share.title or "Shared photos")

    @property
    def expired(self) -> bool:
        return is_expired(self.share)


def is_expired(share: Share) -> bool:
    return share.expires_at is not None and share.expires_at <= utcnow()


# -- the owner's ------------------------------------------------------------------------------------------------
def create(session: Session, scope: Scope, keys: ShareKeys, body: dict[str, Any]) -> Share:
    """A new link to one of the owner's albums (`album_id`) or to chosen photos (`ids`), with its options."""
    unknown = set(body) - {"album_id", "ids"} - EDITABLE
    if unknown or ("album_id" in body) == ("ids" in body):
        raise InvalidInput("send a JSON object with album_id or ids, and optionally title, expires_at, password, "
                           "allow_download, show_location, show_people")
    salt = new_salt()
    share = Share(user_id=scope.owner_id, salt=salt, token_hash=token_hash(keys.token(salt)), allow_download=True,
                  show_location=False, show_people=False, view_count=0)
    if "album_id" in body:
        if not is_id(body["album_id"]):
            raise InvalidInput("album_id must be the id of one of your albums", code="invalid_album")
        share.album_id = get_album(session, scope, body["album_id"]).id
    ids = _visible_ids(session, scope, body["ids"]) if "ids" in body else []
    _apply(share, {key: value for key, value in body.items() if key in EDITABLE})
    session.add(share)
    session.flush()
    session.add_all(SharePhoto(share_id=share.id, photo_id=photo_id) for photo_id in ids)
    session.commit()
    return share


def get(session: Session, scope: Scope, share_id: int) -> Share:
    """One of the owner's shares; anyone else's is as unknown as a missing one."""
    share = session.scalar(select(Share).where(Share.id == share_id, Share.user_id == scope.owner_id))
    if share is None:
        raise NotFound(f"share {share_id} not found")
    return share


def listing(session: Session, scope: Scope) -> list[ShareView]:
    """The owner's links, newest first, each with what it shows now."""
    shares = session.scalars(select(Share).where(Share.user_id == scope.owner_id)
                             .order_by(Share.created_at.desc(), Share.id.desc())).all()
    return [describe(session, share) for share in shares]


def view(session: Session, scope: Scope, share_id: int) -> ShareView:
    return describe(session, get(session, scope, share_id))


def describe(session: Session, share: Share) -> ShareView:
    """What a share shows now: its album, how many photos, its first one."""
    shown = Scope.of_share(share)
    count = session.scalar(shown.columns(func.count()))
    cover = session.scalar(shown.photos().order_by(*_order(session, share)).limit(1))
    album = session.get(Album, share.album_id) if share.album_id is not None else None
    return ShareView(share, album, count or 0, cover)


def update_share(session: Session, scope: Scope, share_id: int, changes: dict[str, Any]) -> Share:
    """Change a link's title, expiry (null: never), password (null: none) or what it lets recipients do."""
    unknown = set(changes) - EDITABLE
    if unknown or not changes:
        raise InvalidInput(f"send a JSON object with any of {', '.join(sorted(EDITABLE))}")
    share = get(session, scope, share_id)
    _apply(share, changes)
    session.commit()
    return share


def revoke(session: Session, scope: Scope, share_id: int) -> None:
    """Delete the link: it answers 404 from now on, as if it never existed."""
    session.delete(get(session, scope, share_id))
    session.commit()


def _apply(share: Share, changes: dict[str, Any]) -> None:
    for flag in FLAGS:
        if flag in changes:
            if not isinstance(changes[flag], bool):
                raise InvalidInput(f"{flag} must be true or false", code="invalid_flag")
            setattr(share, flag, changes[flag])
    if "title" in changes:
        share.title = _title(changes["title"])
    if "expires_at" in changes:
        share.expires_at = _expiry(changes["expires_at"])
    if "password" in changes:
        share.password_hash = _password_hash(changes["password"])


def _visible_ids(session: Session, scope: Scope, value: object) -> list[int]:
    """Distinct photo ids, every one a photo the owner may see (else a 404 naming one)."""
    if not isinstance(value, list) or not value or not all(is_id(i) for i in value):
        raise InvalidInput("ids must be a non-empty list of photo ids", code="invalid_ids")
    ids = list(dict.fromkeys(value))
    if len(ids) > MAX_IDS:
        raise InvalidInput(f"at most {MAX_IDS} photos at once", code="too_many_ids")
    visible = scope.visible(session, ids)
    missing = next((i for i in ids if i not in visible), None)
    if missing is not None:
        raise NotFound(f"photo {missing} not found")
    return ids


def _title(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TITLE:
        raise InvalidInput(f"title must be text of at most {MAX_TITLE} characters, or null", code="invalid_title")
    return " ".join(value.split()) or None


def _expiry(value: object) -> datetime | None:
    """An ISO 8601 moment in the future (UTC when it has no offset), or None for a link that never expires."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput("expires_at must be an ISO 8601 date and time, or null", code="invalid_expiry")
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    if moment <= utcnow():
        raise InvalidInput("expires_at must be in the future (revoke a link to end it now)", code="invalid_expiry")
    return moment


def _password_hash(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_PASSWORD:
        raise InvalidInput(f"password must be text of 1 to {MAX_PASSWORD} characters, or null",
                           code="invalid_password")
    return generate_password_hash(value)


# -- a recipient's ----------------------------------------------------------------------------------------------
def open_link(session: Session, token: object) -> Share:
    """The live share with this token; NotFound alike for a guessed, revoked or expired one."""
    share = None
    if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN:
        share = session.scalar(select(Share).where(Share.token_hash == token_hash(token)))
    if share is None or is_expired(share):
        raise NotFound(NOT_FOUND)
    return share


def password_matches(share: Share, password: object) -> bool:
    return (share.password_hash is not None and isinstance(password, str) and len(password) <= MAX_PASSWORD
            and check_password_hash(share.password_hash, password))


def downloadable(share: Share, photo: Photo) -> bool:
    """Whether the link offers the photo's original: downloads allowed, and its location either shown or in a
    format whose location can be taken out of a copy."""
    return share.allow_download and (share.show_location or photo.format in LOCATION_REMOVABLE)


def count_view(database: Database, share: Share) -> None:
    """One more view of the link, in its own short writing transaction (the request itself only reads)."""
    with database.transaction() as session:
        session.execute(update(Share).where(Share.id == share.id)
                        .values(view_count=Share.view_count + 1, last_viewed_at=utcnow()))


def photos(session: Session, share: Share, cursor: str | None, limit: int) -> tuple[list[Photo], str | None]:
    """The photos the link shows, in the album's order (a share of chosen photos: newest first), `limit` at a
    time, with the listing's keyset cursor."""
    order = _order(session, share)
    newest = order is BY_DATE["newest"]
    after = []
    if cursor:
        taken_at, photo_id = decode_keyset(cursor)
        before = (Photo.taken_at < taken_at, Photo.id < photo_id) if newest else (Photo.taken_at > taken_at,
                                                                                  Photo.id > photo_id)
        after.append(or_(before[0], and_(Photo.taken_at == taken_at, before[1])))
    rows = list(session.scalars(Scope.of_share(share).photos(*after).order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_keyset(rows[-1].taken_at, rows[-1].id) if more else None


def photo(session: Session, share: Share, photo_id: int | None) -> Photo:
    """One photo the link shows (by the id its key named); any other is NotFound."""
    found = Scope.of_share(share).load(session, [photo_id]).get(photo_id) if photo_id is not None else None
    if found is None:  # one answer for any key, never naming the id it decrypted to
        raise NotFound("photo not found")
    return found


def _order(session: Session, share: Share) -> tuple:
    album = session.get(Album, share.album_id) if share.album_id is not None else None
    return BY_DATE["oldest" if album is not None and album.photo_order == "oldest" else "newest"]
