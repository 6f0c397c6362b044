"""Albums as a viewer sees them: list (with counts and covers), create, rename, describe, choose a cover and an
order, add and remove photos, delete; an album's photos a page at a time.

Every method takes the viewer's `Scope` and treats anyone else's album as missing (404). What an album shows
(its photos, count and cover) is read through the scope, so a photo that leaves it (trash) leaves the album too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from shoebox.cursors import decode_keyset, encode_keyset
from shoebox.errors import InvalidInput, NotFound
from shoebox.ids import is_id
from shoebox.models import Album, AlbumPhoto, Photo, utcnow
from shoebox.scope import Scope

MAX_NAME = 200
MAX_DESCRIPTION = 10_000
#: Photos added or removed in one request (a month selected at once).
MAX_IDS = 5000
ORDERS = ("newest", "oldest")
EDITABLE = frozenset({"name", "description", "cover_photo_id", "order"})
#: An album's photos by date taken, as an expression of the same value that no index can give: SQLite keeps no
#: statistics, and would otherwise walk the owner's whole timeline index (ix_photos_user_taken) for each album,
#: probing each photo for membership: 20 s to list 300 albums over a library of 300,000 photos, against 0.25 s
#: starting from each album's memberships. PostgreSQL plans by its statistics either way.
_TAKEN = func.coalesce(Photo.taken_at, Photo.taken_at)
BY_DATE = {"newest": (_TAKEN.desc(), Photo.id.desc()), "oldest": (_TAKEN.asc(), Photo.id.asc())}

@dataclass
class AlbumView:
    """An album with what its pages show: how many photos the viewer may see in it, and its cover."""

    album: Album
    photo_count: int
    cover: Photo | None

    @property
    def cover_chosen(self) -> bool:
        """True when the cover shown is the one the user chose (not the fallback to the newest photo)."""
        return self.cover is not None and self.cover.id == self.album.cover_photo_id


# -- read ---------------------------------------------------------------------------------------------------
def get(session: Session, scope: Scope, album_id: int) -> Album:
    """One of the viewer's albums; anyone else's is as unknown as a missing one."""
    album = session.scalar(scope.albums(Album.id == album_id))
    if album is None:
        raise NotFound(f"album {album_id} not found")
    return album


def listing(session: Session, scope: Scope, photo_id: int | None = None) -> list[AlbumView]:
    """The viewer's albums, newest first, with counts and covers, in two statements however many there are
    (not one per album); with `photo_id`, only the albums holding that (visible) photo."""
    where = [] if photo_id is None else [Album.id.in_(
        scope.album_photo_columns(AlbumPhoto.album_id).where(AlbumPhoto.photo_id == photo_id))]
    rows = session.execute(scope.albums(*where).add_columns(_count(scope), _cover_id(scope))
                           .order_by(Album.created_at.desc(), Album.id.desc())).all()
    covers = scope.load(session, [cover for _album, _count, cover in rows if cover is not None])
    return [AlbumView(album, count, covers.get(cover)) for album, count, cover in rows]


def albums_of(session: Session, scope: Scope, photo_id: int) -> list[AlbumView]:
    """The albums holding one of the viewer's photos (404 for any other photo)."""
    return listing(session, scope, photo_id=scope.get(session, photo_id).id)


def view(session: Session, scope: Scope, album_id: int) -> AlbumView:
    album = get(session, scope, album_id)
    count, cover = session.execute(select(_count(scope), _cover_id(scope)).where(Album.id == album.id)).one()
    return AlbumView(album, count, scope.load(session, [cover]).get(cover) if cover else None)


def _count(scope: Scope):
    """How many visible photos the album of the enclosing query holds: a correlated count over its memberships
    (the (album_id, photo_id) index) joined to photos by primary key, never a scan of the library."""
    return (scope.album_photo_columns(func.count()).where(AlbumPhoto.album_id == Album.id)
            .scalar_subquery().label("photo_count"))


def _cover_id(scope: Scope):
    """The id of the album's cover: the chosen photo while it is in the album and visible, else its newest (of
    those taken at its latest date, the highest id). Each part starts from the album's memberships."""
    def members(*columns):
        return scope.album_photo_columns(*columns).where(AlbumPhoto.album_id == Album.id).correlate(Album)

    chosen = members(Photo.id).where(Photo.id == Album.cover_photo_id).scalar_subquery()
    latest = members(func.max(_TAKEN)).scalar_subquery()
    newest = members(func.max(Photo.id)).where(Photo.taken_at == latest).scalar_subquery()
    return func.coalesce(chosen, newest).label("cover_id")


def photos(session: Session, scope: Scope, album_id: int, cursor: str | None, limit: int,
           order: str | None = None) -> tuple[list[Photo], str | None]:
    """The album's visible photos by date taken, in its order (or `order`), `limit` at a time, with the
    listing's keyset cursor."""
    album = get(session, scope, album_id)
    newest = _order(order or album.photo_order) == "newest"
    after = []
    if cursor:
        taken_at, photo_id = decode_keyset(cursor)
        before = (Photo.taken_at < taken_at, Photo.id < photo_id) if newest else (Photo.taken_at > taken_at,
                                                                                  Photo.id > photo_id)
        after.append(or_(before[0], and_(Photo.taken_at == taken_at, before[1])))
    inside = scope.narrow(scope.in_albums(Album.id == album.id))
    rows = list(session.scalars(inside.photos(*after).order_by(*BY_DATE["newest" if newest else "oldest"])
                                .limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_keyset(rows[-1].taken_at, rows[-1].id) if more else None


# -- change -------------------------------------------------------------------------------------------------
def create(session: Session, scope: Scope, body: dict[str, Any]) -> Album:
    """A new album named `name`, with an optional `description` and first photos (`ids`, all the viewer's)."""
    unknown = set(body) - {"name", "description", "ids"}
    if unknown or "name" not in body:
        raise InvalidInput("send a JSON object with name, and optionally description and ids")
    album = Album(user_id=scope.owner_id, name=_name(body["name"]),
                  description=_description(body.get("description")), photo_order="newest")
    wanted = _visible_ids(session, scope, body["ids"]) if "ids" in body else []
    session.add(album)
    session.flush()
    _insert(session, album, wanted)
    session.commit()
    return album


def update(session: Session, scope: Scope, album_id: int, changes: dict[str, Any]) -> Album:
    """Rename, describe, choose the cover (null: the newest photo) or the order of an album."""
    unknown = set(changes) - EDITABLE
    if unknown or not changes:
        raise InvalidInput(f"send a JSON object with any of {', '.join(sorted(EDITABLE))}")
    album = get(session, scope, album_id)
    if "name" in changes:
        album.name = _name(changes["name"])
    if "description" in changes:
        album.description = _description(changes["description"])
    if "order" in changes:
        album.photo_order = _order(changes["order"])
    if "cover_photo_id" in changes:
        album.cover_photo_id = _cover(session, scope, album, changes["cover_photo_id"])
    album.updated_at = utcnow()
    session.commit()
    return album


def add(session: Session, scope: Scope, album_id: int, ids: object) -> int:
    """Put photos in the album: all of them (those already there stay, once), or none (404) when any id is not
    a photo the viewer may see. How many were new."""
    album = get(session, scope, album_id)
    added = _insert(session, album, _visible_ids(session, scope, ids))
    album.updated_at = utcnow()
    session.commit()
    return added


def remove(session: Session, scope: Scope, album_id: int, ids: object) -> int:
    """Take photos out of the album (the photos stay in the library): all of them, or none (404) when any id is
    not a photo the viewer may see. How many were in it."""
    album = get(session, scope, album_id)
    wanted = _visible_ids(session, scope, ids)
    removed = session.execute(delete(AlbumPhoto).where(AlbumPhoto.album_id == album.id,
                                                       AlbumPhoto.photo_id.in_(wanted))).rowcount
    if album.cover_photo_id in wanted:
        album.cover_photo_id = None
    album.updated_at = utcnow()
    session.commit()
    return removed


def delete_album(session: Session, scope: Scope, album_id: int) -> None:
    """Delete the album and its memberships; its photos stay in the library."""
    album = get(session, scope, album_id)
    session.execute(delete(AlbumPhoto).where(AlbumPhoto.album_id == album.id))
    session.delete(album)
    session.commit()


# -- helpers ------------------------------------------------------------------------------------------------
def _insert(session: Session, album: Album, ids: list[int]) -> int:
    """Add memberships for the ids not in the album yet; how many were added."""
    if not ids:
        return 0
    present = set(session.scalars(select(AlbumPhoto.photo_id).where(AlbumPhoto.album_id == album.id,
                                                                    AlbumPhoto.photo_id.in_(ids))))
    new = [photo_id for photo_id in ids if photo_id not in present]
    session.add_all(AlbumPhoto(album_id=album.id, photo_id=photo_id) for photo_id in new)
    session.flush()
    return len(new)


def _visible_ids(session: Session, scope: Scope, value: object) -> list[int]:
    """Distinct photo ids, in the order given, every one a photo the viewer may see (else a 404 naming one)."""
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


def _cover(session: Session, scope: Scope, album: Album, value: object) -> int | None:
    if value is None:
        return None
    if not is_id(value):
        raise InvalidInput("cover_photo_id must be the id of a photo in the album, or null for its newest")
    scope.get(session, value)  # another user's photo: 404, as unknown as a missing one
    member = session.scalar(select(AlbumPhoto.id).where(AlbumPhoto.album_id == album.id,
                                                        AlbumPhoto.photo_id == value))
    if member is None:
        raise InvalidInput(f"photo {value} is not in this album: add it first", code="not_in_album")
    return value


def _name(value: object) -> str:
    if not isinstance(value, str) or not " ".join(value.split()):
        raise InvalidInput("name must be a non-empty string", code="invalid_name")
    name = " ".join(value.split())
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is longer than {MAX_NAME} characters", code="invalid_name")
    return name


def _description(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("description must be a string or null")
    if len(value) > MAX_DESCRIPTION:
        raise InvalidInput(f"description is longer than {MAX_DESCRIPTION} characters")
    return value.strip() or None


def _order(value: object) -> str:
    if value not in ORDERS:
        raise InvalidInput(f"order must be one of {', '.join(ORDERS)}", code="invalid_parameter")
    return value  # type: ignore[return-value]
