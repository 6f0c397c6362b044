"""Trash: a deleted photo is kept TRASH_DAYS days before it is deleted for good.

Moving a photo to Trash only stamps `Photo.trashed_at`: its files, tags, caption, faces (and so its people) and
albums stay as they are, and the scope (shoebox/scope.py) keeps it out of every view but the Trash. Restoring it
clears the stamp, and it is back with everything. Deleting it for good (one, many, the whole Trash, or the worker's
purge of photos trashed TRASH_DAYS ago) removes the row with everything hanging off it, then its files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from shoebox.cursors import decode_keyset, encode_keyset
from shoebox.errors import InvalidInput, NotFound
from shoebox.ids import is_id
from shoebox.library.storage import Storage
from shoebox.models import Photo, utcnow
from shoebox.people.grouping import drop_if_empty, refresh
from shoebox.scope import Scope

#: The most photos one request moves, restores or deletes by id.
MAX_IDS = 5000
#: Photos deleted for good per transaction when a whole Trash is emptied or purged.
PURGE_BATCH = 200
NEWEST_TRASHED_FIRST = (Photo.trashed_at.desc(), Photo.id.desc())


class Trash:
    """Move to Trash, list, restore and delete for good, within a viewer's scope; `forget(owner_id, ids)` drops
    deleted photos from what is kept outside the database (the in-memory vector index)."""

    def __init__(self, storage: Storage, days: int,
                 forget: Callable[[int, list[int] | None], None] | None = None) -> None:
        self.storage = storage
        self.days = days
        self.forget = forget or (lambda owner_id, photo_ids: None)

    def purge_at(self, photo: Photo) -> datetime:
        """When the worker deletes this trashed photo for good."""
        return photo.trashed_at + timedelta(days=self.days)

    # -- in ---------------------------------------------------------------------------------------------
    def move(self, session: Session, scope: Scope, photo_ids: Iterable[int]) -> list[Photo]:
        """Move these photos of the library to Trash: all of them, or none (404) where one is not in it."""
        photos = _every(session, scope.library(), photo_ids)
        now = utcnow()
        for photo in photos:
            photo.trashed_at = now
        session.commit()
        return photos

    # -- look -------------------------------------------------------------------------------------------
    @staticmethod
    def page(session: Session, scope: Scope, cursor: str | None, limit: int) -> tuple[list[Photo], str | None]:
        """The Trash, the most recently trashed first, `limit` at a time."""
        after = []
        if cursor:
            trashed_at, photo_id = decode_keyset(cursor)
            after.append(or_(Photo.trashed_at < trashed_at,
                             and_(Photo.trashed_at == trashed_at, Photo.id < photo_id)))
        rows = list(session.scalars(scope.trash().photos(*after).order_by(*NEWEST_TRASHED_FIRST).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, encode_keyset(rows[-1].trashed_at, rows[-1].id) if more else None

    @staticmethod
    def get(session: Session, scope: Scope, photo_id: int) -> Photo:
        """A photo in the viewer's Trash; any other id is as unknown as a missing one."""
        return scope.trash().get(session, photo_id)

    # -- out --------------------------------------------------------------------------------------------
    @staticmethod
    def restore(session: Session, scope: Scope, photo_ids: Iterable[int] | None) -> int:
        """Put photos back in the library with everything they had: these (all, or none where one is not in the
        Trash), or every one in the Trash (None). Returns how many."""
        trash = scope.trash()
        photos = list(session.scalars(trash.photos())) if photo_ids is None else _every(session, trash, photo_ids)
        for photo in photos:
            photo.trashed_at = None
        session.commit()
        return len(photos)

    def delete(self, session: Session, scope: Scope, photo_ids: Iterable[int] | None) -> int:
        """Delete photos in the Trash for good: these (all, or none where one is not in the Trash), or every one
        (None: empty the Trash). Returns how many."""
        trash = scope.trash()
        if photo_ids is not None:
            photos = _every(session, trash, photo_ids)
            self._delete(session, photos)
            return len(photos)
        count = 0
        while batch := list(session.scalars(trash.photos().order_by(Photo.id).limit(PURGE_BATCH))):
            self._delete(session, batch)
            count += len(batch)
        return count

    def purge_expired(self, session: Session, now: datetime | None = None) -> int:
        """Delete for good every photo (of every owner) trashed TRASH_DAYS or more ago. Returns how many."""
        cutoff = (now or utcnow()) - timedelta(days=self.days)
        count = 0
        while rows := expired(session, cutoff, PURGE_BATCH):
            owners: dict[int, list[int]] = defaultdict(list)
            for owner_id, photo_id in rows:
                owners[owner_id].append(photo_id)
            for owner_id, ids in owners.items():
                count += self.delete(session, Scope.of_user(owner_id), ids)
        return count

    def _delete(self, session: Session, photos: Sequence[Photo]) -> None:
        """Remove the rows (their tags, faces, embeddings and album places go with them), then what is kept of
        them outside the database: vectors in memory and files (a crash between leaves files only, which
        `flask shoebox check` sweeps)."""
        if not photos:
            return
        files = [(photo.user_id, photo.id, photo.sha256) for photo in photos]
        clips = [(photo.user_id, photo.motion_sha256) for photo in photos if photo.motion_sha256]
        people = {face.person for photo in photos for face in photo.faces if face.person is not None}
        for photo in photos:
            session.delete(photo)
        session.flush()
        for person in people:  # their faces in these photos went with them
            refresh(session, person)
            drop_if_empty(session, person)
        session.commit()
        owners: dict[int, list[int]] = defaultdict(list)
        for owner_id, photo_id, _sha in files:
            owners[owner_id].append(photo_id)
        for owner_id, ids in owners.items():
            self.forget(owner_id, ids)
        for owner_id, sha256 in [(owner_id, sha256) for owner_id, _photo_id, sha256 in files] + clips:
            self.storage.delete(owner_id, sha256)  # a Live Photo's MOV, a Motion Photo's clip go with the still


def expired(session: Session, cutoff: datetime, limit: int) -> list[tuple[int, int]]:
    """(owner id, photo id) of up to `limit` photos trashed before `cutoff`, any owner's: the worker's purge reads
    no viewer's photos, it finds whose they are (the Trash's partial index holds only trashed rows)."""
    query = (select(Photo.user_id, Photo.id).where(Photo.trashed_at.is_not(None), Photo.trashed_at < cutoff)
             .order_by(Photo.trashed_at, Photo.id).limit(limit))
    return [(owner_id, photo_id) for owner_id, photo_id in session.execute(query)]


def photo_ids(value: object) -> list[int]:
    """The `ids` of a request body: a non-empty list of photo ids, at most MAX_IDS."""
    if not isinstance(value, list) or not value or not all(is_id(item) for item in value):
        raise InvalidInput("ids must be a non-empty list of photo ids", code="invalid_ids")
    if len(value) > MAX_IDS:
        raise InvalidInput(f"at most {MAX_IDS} ids at a time", code="invalid_ids")
    return list(dict.fromkeys(value))


def _every(session: Session, scope: Scope, photo_ids: Iterable[int]) -> list[Photo]:
    """These photos of the scope, or NotFound naming the first that is not in it (so nothing changes)."""
    wanted = list(dict.fromkeys(photo_ids))
    found = scope.load(session, wanted)
    missing = [photo_id for photo_id in wanted if photo_id not in found]
    if missing:
        place = "in the Trash" if scope.in_trash else "in the library"
        raise NotFound(f"photo {missing[0]} not found {place}")
    return [found[photo_id] for photo_id in wanted]
