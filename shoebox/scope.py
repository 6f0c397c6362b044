"""Which photos a viewer may see: the one place every photo read starts from.

Listings, details, files, search (keyword and meaning), facets, people, places, duplicates, similar photos
and job counts are all built on a `Scope` (`scope.photos()`, `scope.photo_ids()` or a helper below), never on
`select(Photo)` directly; tests/test_architecture.py fails when a query on Photo is built anywhere else.

A viewer is a signed-in user looking at their own photos, on one shelf: the library (every photo not in Trash:
what every listing, search, album, person, place, duplicate and count shows), the Trash (`scope.trash()`, what
the Trash routes show), or everything stored (`scope.stored()`: trashed or not, what per-owner indexes and the
storage figure hold). What comes next is one more field or condition here, and every read follows:
- a share link: `Viewer.share_id` names what the link opens, turned into a condition in `_base()` (`Scope.of_share`):
  a recipient sees the owner's visible photos that are in the shared album or were chosen for the link;
- an album or a filter: `scope.narrow(condition)`, a narrower scope of the same viewer (an album's photos:
  `scope.narrow(scope.in_albums(Album.id == album_id))`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from shoebox.errors import NotFound
from shoebox.models import Album, AlbumPhoto, Embedding, Face, Person, Photo, PhotoTag, Share, SharePhoto, facet_counts

#: The order of every photo listing: newest taken first, then newest id (a stable order for cursors).
NEWEST_FIRST = (Photo.taken_at.desc(), Photo.id.desc())
#: The same order reversed (an album shown oldest first).
OLDEST_FIRST = (Photo.taken_at.asc(), Photo.id.asc())
#: Which of the owner's photos a viewer looks at (`Viewer.shelf`).
LIBRARY, TRASH, STORED = "library", "trash", "stored"


def older_than(taken_at: datetime, photo_id: int) -> ColumnElement[bool]:
    """After the photo at (taken_at, id) in NEWEST_FIRST order: a keyset page's start, which the (user_id, taken_at,
    id) index seeks to. The plain bound on taken_at first is what lets it seek: with the OR alone SQLite walked the
    index from the newest photo to the cursor (50,000 entries for page 1,000)."""
    return and_(Photo.taken_at <= taken_at, or_(Photo.taken_at < taken_at, Photo.id < photo_id))


@dataclass(frozen=True)
class Viewer:
    """Who is looking, at whose photos: a user at their own, on one shelf (LIBRARY: not in Trash, TRASH: in Trash,
    STORED: both), or someone with a share link at the photos it opens (in the owner's library)."""

    owner_id: int
    shelf: str = LIBRARY
    #: The share link being looked through: only its album's photos, or the photos chosen for it, are seen.
    share_id: int | None = None


class Scope:
    """The photos a viewer may see, possibly narrowed further (by search filters, later an album)."""

    def __init__(self, viewer: Viewer, narrowed_by: tuple[ColumnElement[bool], ...] = ()) -> None:
        self.viewer = viewer
        self._narrowed_by = narrowed_by

    @classmethod
    def of_user(cls, user_id: int) -> Scope:
        """A signed-in user's view of their own library."""
        return cls(Viewer(owner_id=user_id))

    @classmethod
    def of_share(cls, share: Share) -> Scope:
        """Someone with a share link: the owner's visible photos (never trashed ones) that the link opens."""
        return cls(Viewer(owner_id=share.user_id, share_id=share.id))

    @property
    def owner_id(self) -> int:
        """Whose library the photos belong to (the key of per-owner indexes and of the files on disk)."""
        return self.viewer.owner_id

    @property
    def whole_library(self) -> bool:
        """True when this scope is every photo of the owner's library (not narrowed, not the Trash): a search
        index of the owner's stored photos may then skip being told the allowed ids, leaving out the trashed ones
        and dropping what is gone."""
        return not self._narrowed_by and self.viewer.shelf == LIBRARY and self.viewer.share_id is None

    def library_size(self, session: Session) -> int:
        """How many photos the owner's library holds (not in Trash), from the kept counts of its formats (migration
        0020: a few rows; every photo has a format), whatever this scope's own narrowing."""
        return session.scalar(select(func.coalesce(func.sum(facet_counts.c.n), 0)).where(
            facet_counts.c.user_id == self.owner_id, facet_counts.c.facet == "format"))

    @property
    def in_trash(self) -> bool:
        return self.viewer.shelf == TRASH

    def whole(self) -> Scope:
        """This viewer's whole shelf, without the narrowing."""
        return Scope(self.viewer)

    def trash(self) -> Scope:
        """The owner's photos in Trash (the Trash view, restore, delete for good)."""
        return Scope(replace(self.viewer, shelf=TRASH))

    def library(self) -> Scope:
        """The owner's photos not in Trash."""
        return Scope(replace(self.viewer, shelf=LIBRARY))

    def stored(self) -> Scope:
        """Every photo the owner keeps, in Trash or not: what per-owner search indexes are built from, and what
        the account's storage figure counts (a trashed photo's files are still on disk)."""
        return Scope(replace(self.viewer, shelf=STORED))

    def narrow(self, *conditions: ColumnElement[bool]) -> Scope:
        """This scope with more conditions on Photo (search filters; an album next)."""
        return Scope(self.viewer, (*self._narrowed_by, *conditions)) if conditions else self

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions on Photo a row must meet to be seen."""
        return [*self._base(), *self._narrowed_by]

    def _base(self) -> list[ColumnElement[bool]]:
        """What the viewer may see at all: the owner's photos on the viewer's shelf, and through a share link only
        what the link opens."""
        base = [Photo.user_id == self.viewer.owner_id]
        if self.viewer.shelf == LIBRARY:
            base.append(Photo.trashed_at.is_(None))
        elif self.viewer.shelf == TRASH:
            base.append(Photo.trashed_at.is_not(None))
        if self.viewer.share_id is not None:
            base.append(self._shared())
        return base

    def _shared(self) -> ColumnElement[bool]:
        """A condition on Photo: opened by the viewer's share link (in its album, or chosen for it)."""
        share = self.viewer.share_id
        album = select(Share.album_id).where(Share.id == share, Share.user_id == self.viewer.owner_id)
        return or_(Photo.id.in_(select(SharePhoto.photo_id).where(SharePhoto.share_id == share)),
                   Photo.id.in_(select(AlbumPhoto.photo_id).where(AlbumPhoto.album_id.in_(album))))

    # -- queries ----------------------------------------------------------------------------------
    def photos(self, *where: ColumnElement[bool]) -> Select:
        """SELECT of the visible Photo rows (meeting `where` too)."""
        return select(Photo).where(*self.conditions(), *where)

    def photo_ids(self, *where: ColumnElement[bool]) -> Select:
        """SELECT of the visible photos' ids: the candidates every search runs among."""
        return select(Photo.id).where(*self.conditions(), *where)

    def columns(self, *columns) -> Select:
        """SELECT of columns or aggregates over the visible photos (facets, places, job counts)."""
        return select(*columns).select_from(Photo).where(*self.conditions())

    def faces(self, *where: ColumnElement[bool]) -> Select:
        """SELECT of the faces found in visible photos."""
        return self._hanging(Face.photo_id, Face).where(*where)

    def face_columns(self, *columns) -> Select:
        """SELECT of columns or aggregates of the faces in visible photos (per-person photo counts)."""
        return self._hanging(Face.photo_id, *columns)

    def tag_columns(self, *columns) -> Select:
        """SELECT of columns or aggregates of the tags of visible photos (the tag facet)."""
        return self._hanging(PhotoTag.photo_id, *columns)

    def embeddings(self, *columns) -> Select:
        """SELECT of columns of the embeddings of visible photos (what meaning search reads)."""
        return self._hanging(Embedding.photo_id, *columns)

    def people(self, *where: ColumnElement[bool]) -> Select:
        """SELECT of the owner's people (through a share link, only those with a face in a photo it opens)."""
        return select(Person).where(*self._people_conditions(), *where)

    def person_ids(self, *where: ColumnElement[bool]) -> Select:
        return select(Person.id).where(*self._people_conditions(), *where)

    def _people_conditions(self) -> list[ColumnElement[bool]]:
        conditions = [Person.user_id == self.viewer.owner_id]
        if self.viewer.share_id is not None:
            conditions.append(Person.id.in_(self.face_columns(Face.person_id)))
        return conditions

    def albums(self, *where: ColumnElement[bool]) -> Select:
        """SELECT of the owner's albums (what they show is read through the other methods: counts, covers); through
        a share link, only the album it shares."""
        return select(Album).where(*self._album_conditions(), *where)

    def album_ids(self, *where: ColumnElement[bool]) -> Select:
        return select(Album.id).where(*self._album_conditions(), *where)

    def _album_conditions(self) -> list[ColumnElement[bool]]:
        conditions = [Album.user_id == self.viewer.owner_id]
        if self.viewer.share_id is not None:
            conditions.append(Album.id.in_(select(Share.album_id).where(Share.id == self.viewer.share_id)))
        return conditions

    def in_albums(self, *where: ColumnElement[bool]) -> ColumnElement[bool]:
        """A condition on Photo: in one of the owner's albums meeting `where` (an album page, the album filter);
        another user's album id matches no album, so no photo."""
        return Photo.id.in_(select(AlbumPhoto.photo_id).where(AlbumPhoto.album_id.in_(self.album_ids(*where))))

    def album_photo_columns(self, *columns) -> Select:
        """SELECT of columns or aggregates of album memberships of visible photos (album counts and covers)."""
        return (select(*columns).select_from(AlbumPhoto).join(Photo, Photo.id == AlbumPhoto.photo_id)
                .where(*self.conditions()))

    def _hanging(self, photo_id: InstrumentedAttribute, *columns) -> Select:
        """Rows of a table hanging off photos (by its `photo_id`), kept to those of visible photos."""
        return select(*columns).join(Photo, Photo.id == photo_id).where(*self.conditions())

    # -- reads ------------------------------------------------------------------------------------
    def get(self, session: Session, photo_id: int) -> Photo:
        """One visible photo; any other id (another user's, a deleted one, one on another shelf: a trashed one
        outside the Trash) is as unknown as a missing one."""
        photo = session.scalar(self.photos(Photo.id == photo_id))
        if photo is None:
            raise NotFound(f"photo {photo_id} not found")
        return photo

    def load(self, session: Session, ids: Iterable[int]) -> dict[int, Photo]:
        """The visible ones of these photos, by id (for results ranked elsewhere: search, similar, duplicates)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        # Their tags come along in one more query (not one per photo): every result shown lists them.
        rows = session.scalars(self.photos(Photo.id.in_(wanted)).options(selectinload(Photo.tags)))
        return {photo.id: photo for photo in rows}

    def visible(self, session: Session, ids: Iterable[int]) -> set[int]:
        """The ids among these that are visible photos."""
        wanted = list(dict.fromkeys(ids))
        return set(session.scalars(self.photo_ids(Photo.id.in_(wanted)))) if wanted else set()
