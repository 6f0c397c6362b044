"""People as a viewer sees them: list, name, hide, merge, move faces, delete; face crops.

Every method takes the viewer's `Scope` and treats anyone else's person or face as missing (404).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from shoebox.ai.faces import crop
from shoebox.errors import InvalidInput, NotFound
from shoebox.ids import is_id
from shoebox.library.storage import Storage
from shoebox.media.files import open_small
from shoebox.models import Face, Person, Photo
from shoebox.people.grouping import drop_if_empty, refresh
from shoebox.scope import NEWEST_FIRST, Scope

MAX_NAME = 128
CROP_SIZE = 160
#: Long side the original is decoded at for a crop: enough for a sharp 160 px face in most photos.
CROP_SOURCE_SIDE = 2048


@dataclass
class PersonView:
    """A person with the counts the pages show."""

    person: Person
    photo_count: int


class People:
    """The rules for people and faces; `enqueue(ids, parts)` re-embeds photos whose words changed."""

    def __init__(self, storage: Storage, min_faces: int, enqueue: Callable[..., None]) -> None:
        self.storage = storage
        self.min_faces = min_faces
        self.enqueue = enqueue

    # -- read -------------------------------------------------------------------------------------
    def listing(self, session: Session, scope: Scope, hidden: bool = False) -> list[PersonView]:
        """The people shown on the People page (named, or with enough faces), most photographed first;
        with `hidden`, the ones the user hid instead."""
        query = scope.people(Person.hidden.is_(hidden))
        if not hidden:
            query = query.where(or_(Person.name.is_not(None), Person.face_count >= self.min_faces))
        people = list(session.scalars(query.order_by(Person.face_count.desc(), Person.id)))
        counts = photo_counts(session, scope, [p.id for p in people])
        # Someone seen only in photos now in Trash is out of the listing until one comes back.
        return [PersonView(p, counts.get(p.id, 0)) for p in people if counts.get(p.id) or not p.face_count]

    @staticmethod
    def get(session: Session, scope: Scope, person_id: int) -> Person:
        """One of the scope's people; anyone else's is as unknown as a missing one."""
        person = session.scalar(scope.people(Person.id == person_id))
        if person is None:
            raise NotFound(f"person {person_id} not found")
        return person

    def view(self, session: Session, scope: Scope, person_id: int) -> PersonView:
        person = self.get(session, scope, person_id)
        return PersonView(person, photo_counts(session, scope, [person.id]).get(person.id, 0))

    def photos(self, session: Session, scope: Scope, person_id: int, limit: int = 500) -> list[Photo]:
        """The person's photos the viewer may see, newest taken first."""
        person = self.get(session, scope, person_id)
        return list(session.scalars(scope.photos(Photo.id.in_(_photo_ids_of(person.id)))
                                    .order_by(*NEWEST_FIRST).limit(limit)))

    # -- change -----------------------------------------------------------------------------------
    def update(self, session: Session, scope: Scope, person_id: int, changes: object) -> Person:
        """Name (or un-name) and hide (or show) a person; a name the user gives is never changed by analysis."""
        if not isinstance(changes, dict) or not changes or set(changes) - {"name", "hidden"}:
            raise InvalidInput("send a JSON object with name and/or hidden")
        person = self.get(session, scope, person_id)
        if "hidden" in changes:
            if not isinstance(changes["hidden"], bool):
                raise InvalidInput("hidden must be true or false")
            person.hidden = changes["hidden"]
        renamed = "name" in changes
        if renamed:
            person.name = _name(changes["name"])
            person.name_source = "user" if person.name else None
        self._commit(session, self._photos_of(session, [person.id]) if renamed else [])
        return person

    def merge(self, session: Session, scope: Scope, person_id: int, into: object) -> Person:
        """Move all of a person's faces to another person of the same user and remove the first one.
        The target keeps its name; an unnamed target takes the merged person's name."""
        if not is_id(into):
            raise InvalidInput("into must be the id of another person")
        source = self.get(session, scope, person_id)
        target = self.get(session, scope, into)
        if source.id == target.id:
            raise InvalidInput("a person cannot be merged into themselves")
        for face in list(source.faces):
            face.person = target
        if target.name_source != "user" and source.name_source == "user":
            target.name, target.name_source = source.name, "user"
        session.flush()
        refresh(session, target)
        session.delete(source)
        self._commit(session, self._photos_of(session, [target.id]))
        return target

    def move_face(self, session: Session, scope: Scope, face_id: int, person_id: object) -> Face:
        """Put a face with another person of this user, or with nobody (None); the user's choice sticks."""
        if person_id is not None and not is_id(person_id):
            raise InvalidInput("person_id must be a person's id or null")
        face = session.scalar(scope.faces(Face.id == face_id))
        if face is None:
            raise NotFound(f"face {face_id} not found")
        before = face.person
        face.person = self.get(session, scope, person_id) if person_id is not None else None
        face.person_source = "user"
        session.flush()
        for person in {p for p in (before, face.person) if p is not None}:
            refresh(session, person)
        drop_if_empty(session, before)
        self._commit(session, [face.photo_id])
        return face

    def delete(self, session: Session, scope: Scope, person_id: int) -> None:
        """Forget a person: their photos stay, their faces belong to nobody (and stay so on re-analysis)."""
        person = self.get(session, scope, person_id)
        photo_ids = list(session.scalars(_photo_ids_of(person.id)))
        for face in list(person.faces):
            face.person, face.person_source = None, "user"
        session.flush()
        session.delete(person)
        self._commit(session, photo_ids)

    @staticmethod
    def _photos_of(session: Session, person_ids: Sequence[int]) -> list[int]:
        return list(session.scalars(select(Face.photo_id).distinct().where(Face.person_id.in_(list(person_ids)))))

    def _commit(self, session: Session, reembed: list[int]) -> None:
        """Commit, then (outside any transaction: the job may run right here) re-embed photos whose words changed."""
        session.commit()
        if reembed:
            self.enqueue(reembed, parts=("embedding",))

    # -- face crops -------------------------------------------------------------------------------
    def crop_file(self, session: Session, scope: Scope, person_id: int) -> tuple[Path, str]:
        """The person's cover face as a cached WebP crop (made from the original on first use), and its ETag."""
        person = self.get(session, scope, person_id)
        cover = person.cover_face_id
        face = session.scalar(scope.faces(Face.id == cover, Face.person_id == person.id)) if cover else None
        if face is None:  # the cover is gone or not the viewer's to see: the person's best face they may see
            face = session.scalar(scope.faces(Face.person_id == person.id).order_by(Face.score.desc()))
        if face is None:
            raise NotFound(f"person {person_id} has no face to show", code="no_face")
        photo = face.photo
        path = self.storage.face_crop_path(photo.user_id, photo.sha256, face.id)
        if not path.is_file():
            self.storage.write_atomically(self._render_crop(photo, face), path)
        return path, f"{photo.sha256[:16]}-face{face.id}"

    def _render_crop(self, photo: Photo, face: Face) -> bytes:
        image = open_small(self.storage.existing_original(photo), CROP_SOURCE_SIDE)
        width, height = image.size
        box = (round(face.box_left * width), round(face.box_top * height), round(face.box_right * width),
               round(face.box_bottom * height))
        buffer = io.BytesIO()
        crop(image, box, CROP_SIZE).save(buffer, "WEBP", quality=80, method=4)
        return buffer.getvalue()


def photo_counts(session: Session, scope: Scope, person_ids: Sequence[int]) -> dict[int, int]:
    """How many distinct photos of the scope each of these people is in."""
    if not person_ids:
        return {}
    rows = session.execute(scope.face_columns(Face.person_id, func.count(Face.photo_id.distinct()))
                           .where(Face.person_id.in_(list(person_ids))).group_by(Face.person_id))
    return {person_id: count for person_id, count in rows}


def _photo_ids_of(person_id: int):
    return select(Face.photo_id).where(Face.person_id == person_id)


def _name(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("name must be a string or null")
    name = " ".join(value.split())
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is longer than {MAX_NAME} characters")
    return name or None

