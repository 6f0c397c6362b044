"""What a selection's actions do to many photos at once: one edit (favourite, tags, date, location) made to every
one of them or to none, and their originals as one ZIP written while it is sent.

Both take the ids in a request body and answer NotFound, with nothing changed, when any id is not a photo the viewer
may see (another user's, one in Trash, one deleted): the viewer learns nothing about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from zipfile import ZIP_STORED

from sqlalchemy.orm import Session
from zipstream import ZipStream

from shoebox.errors import InvalidInput, NotFound
from shoebox.library import corrections
from shoebox.library.corrections import parse_ids
from shoebox.library.live import LIVE
from shoebox.library.storage import Storage
from shoebox.library.tags import add_and_remove_tags, normalise_tags
from shoebox.models import Photo
from shoebox.scope import Scope

#: What a bulk edit may send.
EDIT_FIELDS = frozenset({"ids", "favourite", "add_tags", "remove_tags", "taken_at", "shift_seconds", "location"})


@dataclass(frozen=True)
class Edit:
    """One bulk edit, checked: what it changes in each photo."""

    favourite: bool | None = None
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    dates: corrections.Correction = field(default_factory=corrections.Correction)

    @classmethod
    def parse(cls, changes: dict) -> Edit:
        unknown = set(changes) - EDIT_FIELDS
        if unknown:
            raise InvalidInput(f"cannot edit {', '.join(sorted(unknown))} in bulk; editable: "
                               f"{', '.join(sorted(EDIT_FIELDS - {'ids'}))}")
        favourite = changes.get("favourite")
        if "favourite" in changes and not isinstance(favourite, bool):
            raise InvalidInput("favourite must be true or false")
        added = normalise_tags(changes["add_tags"], "add_tags") if "add_tags" in changes else []
        removed = normalise_tags(changes["remove_tags"], "remove_tags") if "remove_tags" in changes else []
        if set(added) & set(removed):
            raise InvalidInput("a tag cannot be both added and removed", code="invalid_tags")
        dates = corrections.correction({k: v for k, v in changes.items() if k in corrections.BULK_DATE_FIELDS})
        return cls(favourite, added, removed, dates)


def photos_of(session: Session, scope: Scope, ids: Iterable[int]) -> list[Photo]:
    """These photos of the scope, in the order given; NotFound naming (some of) the others."""
    wanted = list(dict.fromkeys(ids))
    found = scope.load(session, wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"photos {', '.join(map(str, missing[:20]))} not found; nothing was changed")
    return [found[i] for i in wanted]


def edit_many(session: Session, scope: Scope, changes: dict) -> tuple[list[Photo], list[Photo], Edit]:
    """Apply one edit to the photos `changes["ids"]` (not committed): all of them, or none (NotFound, InvalidInput
    where one would end with too many tags). Returns the photos, those whose tags changed, and the edit."""
    ids = parse_ids(changes.get("ids"))
    edit = Edit.parse(changes)
    photos = photos_of(session, scope, ids)
    retagged = []
    for photo in photos:
        if edit.favourite is not None:
            photo.favourite = edit.favourite
        if (edit.add_tags or edit.remove_tags) and add_and_remove_tags(photo, edit.add_tags, edit.remove_tags):
            retagged.append(photo)
        corrections.apply(photo, edit.dates)
    return photos, retagged, edit


def unique_names(names: Iterable[str]) -> list[str]:
    """The file names as entries of one folder: a second "IMG_1.jpg" (in any case: folders on Windows and macOS
    ignore it) becomes "IMG_1 (2).jpg"."""
    taken: set[str] = set()
    unique = []
    for name in names:
        path = PurePosixPath(name.replace("\\", "/")).name.strip(". ") or "photo"
        stem, suffix = PurePosixPath(path).stem, PurePosixPath(path).suffix
        candidate, number = path, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{stem} ({number}){suffix}"
        taken.add(candidate.casefold())
        unique.append(candidate)
    return unique


def archive(session: Session, scope: Scope, storage: Storage, ids: list[int]) -> ZipStream:
    """A ZIP of these photos' originals, byte for byte (stored, not compressed: photos are compressed already),
    that reads each file only as the ZIP is sent: memory stays small whatever its size, and its length is known
    before the first byte (`len()`), so a browser shows the download's progress."""
    files = [entry for photo in photos_of(session, scope, ids) for entry in _files_of(storage, photo)]
    stream = ZipStream(compress_type=ZIP_STORED, sized=True)
    for (path, _name), name in zip(files, unique_names(name for _path, name in files), strict=True):
        stream.add_path(str(path), name)
    return stream


def _files_of(storage: Storage, photo: Photo) -> list[tuple[Path, str]]:
    """A photo's files in its ZIP, with their names: its original, and a Live Photo's MOV beside it (a Motion
    Photo's clip is inside its original already). A clip missing on disk is left out, not the whole download."""
    files = [(storage.existing_original(photo), photo.filename)]
    if photo.motion_sha256 and photo.motion_kind == LIVE:
        clip = storage.original_path(photo.user_id, photo.motion_sha256)
        if clip.is_file():
            files.append((clip, photo.motion_filename or f"{PurePosixPath(photo.filename).stem}.MOV"))
    return files
