"""Grouping faces into people, always within one user: incremental during analysis, or all over again.

A face joins the person of the same user whose centroid is nearest, if nearer than the threshold; otherwise
it starts a new person. Names the user gave are never changed here, and a face the user placed (or took away
from everyone) stays where the user put it when its photo is analysed again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from shoebox.ai import clustering
from shoebox.ai.faces import MODEL_NAME
from shoebox.ai.faces import Face as FoundFace
from shoebox.models import Face, Person, Photo


def to_blob(vector: np.ndarray) -> bytes:
    """A descriptor or centroid as little-endian float32 bytes."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def refresh(session: Session, person: Person) -> None:
    """Recompute a person's centroid, face count and cover face from the faces they have now."""
    faces = list(session.scalars(select(Face).where(Face.person_id == person.id)))
    person.face_count = len(faces)
    person.centroid = to_blob(clustering.centroid(np.stack([from_blob(f.descriptor) for f in faces]))) if faces \
        else None
    if person.cover_face_id not in {f.id for f in faces}:
        person.cover_face_id = max(faces, key=lambda f: f.score).id if faces else None


def drop_if_empty(session: Session, person: Person | None) -> None:
    """Delete a person left with no faces, unless the user named them."""
    if person is not None and person.face_count == 0 and person.name_source != "user":
        session.delete(person)


class Grouper:
    """Places new faces among one session's people; centroids are cached per user for the whole batch."""

    def __init__(self, session: Session, threshold: float) -> None:
        self.session = session
        self.threshold = threshold
        self._people: dict[int, dict[int, Person]] = {}
        self._centroids: dict[int, dict[int, np.ndarray]] = {}

    def replace_faces(self, photo: Photo, found: Sequence[FoundFace], size: tuple[int, int]) -> None:
        """Make the photo's faces exactly `found` (boxes in pixels of an image of `size`), grouped into people."""
        previous = [(from_blob(f.descriptor), f.person, f.person_source) for f in photo.faces]
        touched = {f.person for f in photo.faces if f.person is not None}
        for face in list(photo.faces):
            self._leave(face)
            photo.faces.remove(face)
        self.session.flush()
        for item in found:
            face = _new_face(photo, item, size)
            photo.faces.append(face)
            person, face.person_source = self._owner(photo.user_id, item.descriptor, previous)
            if person is not None:
                self._join(face, person)
                touched.add(person)
        self.session.flush()
        self._settle(touched)

    def _owner(self, user_id: int, descriptor: np.ndarray, previous: list) -> tuple[Person | None, str]:
        """Who a new face belongs to: whoever had the same face in this photo before, else the nearest person."""
        for old, person, source in previous:
            if clustering.distance(old, descriptor) < self.threshold and (person is None or person in self.session):
                return person, source
        centroids = self._user_centroids(user_id)
        person_id = clustering.assign(descriptor, centroids, self.threshold)
        if person_id is not None:
            return self._people[user_id][person_id], "ai"
        person = Person(user_id=user_id, face_count=0, hidden=False)
        self.session.add(person)
        self.session.flush()
        self._people[user_id][person.id] = person
        return person, "ai"

    def _user_centroids(self, user_id: int) -> dict[int, np.ndarray]:
        if user_id not in self._people:
            people = self.session.scalars(select(Person).where(Person.user_id == user_id,
                                                               Person.centroid.is_not(None)))
            self._people[user_id] = {p.id: p for p in people}
            self._centroids[user_id] = {p.id: from_blob(p.centroid) for p in self._people[user_id].values()}
        return self._centroids[user_id]

    def _join(self, face: Face, person: Person) -> None:
        current = from_blob(person.centroid) if person.centroid else None
        centroid = clustering.update_centroid(current, person.face_count, from_blob(face.descriptor))
        person.centroid, person.face_count = to_blob(centroid), person.face_count + 1
        face.person = person
        self._user_centroids(person.user_id)[person.id] = centroid
        self._people[person.user_id][person.id] = person

    def _leave(self, face: Face) -> None:
        person = face.person
        if person is None:
            return
        current = from_blob(person.centroid) if person.centroid else from_blob(face.descriptor)
        centroid = clustering.remove_from_centroid(current, person.face_count, from_blob(face.descriptor))
        person.centroid = to_blob(centroid) if centroid is not None else None
        person.face_count = max(0, person.face_count - 1)
        centroids = self._user_centroids(person.user_id)
        if centroid is None:
            centroids.pop(person.id, None)
        else:
            centroids[person.id] = centroid

    def _settle(self, people: Iterable[Person]) -> None:
        """Give each touched person a cover face; drop the ones left empty."""
        for person in people:
            if person.face_count == 0:
                self._centroids.get(person.user_id, {}).pop(person.id, None)
                drop_if_empty(self.session, person)
            else:
                ids = list(self.session.scalars(select(Face.id).where(Face.person_id == person.id)
                                                .order_by(Face.score.desc())))
                if person.cover_face_id not in ids:
                    person.cover_face_id = ids[0] if ids else None


def _new_face(photo: Photo, item: FoundFace, size: tuple[int, int]) -> Face:
    width, height = size
    left, top, right, bottom = item.box
    return Face(user_id=photo.user_id, box_left=left / width, box_top=top / height, box_right=right / width,
                box_bottom=bottom / height, descriptor=to_blob(item.descriptor), score=float(item.score),
                model=MODEL_NAME)


def recluster_user(session: Session, user_id: int, threshold: float) -> int:
    """Group all of a user's faces again (e.g. after the threshold changed); return how many people result.

    Faces the user placed stay put; each new group keeps the person (named ones first) that held most of it.
    """
    faces = list(session.scalars(select(Face).where(Face.user_id == user_id, Face.person_source == "ai")
                                 .order_by(Face.id)))
    labels = clustering.recluster(np.stack([from_blob(f.descriptor) for f in faces]), threshold) if faces else []
    groups: dict[int, list[Face]] = defaultdict(list)
    for face, label in zip(faces, labels, strict=True):
        groups[label].append(face)
    people = {p.id: p for p in session.scalars(select(Person).where(Person.user_id == user_id))}
    used: set[int] = set()
    for members in sorted(groups.values(), key=len, reverse=True):
        person = _heir(session, user_id, members, people, used)
        for face in members:
            face.person = person
    session.flush()
    for person in list(people.values()):
        refresh(session, person)
        drop_if_empty(session, person)
    session.flush()
    return len(session.scalars(select(Person.id).where(Person.user_id == user_id)).all())


def _heir(session: Session, user_id: int, members: list[Face], people: dict[int, Person], used: set[int]) -> Person:
    """The existing person a regrouped set of faces keeps (named first, then most faces), or a new one."""
    votes = Counter(f.person_id for f in members if f.person_id is not None and f.person_id not in used)
    if votes:
        best = max(votes, key=lambda pid: (people[pid].name_source == "user", votes[pid]))
        used.add(best)
        return people[best]
    person = Person(user_id=user_id, face_count=0, hidden=False)
    session.add(person)
    session.flush()
    people[person.id] = person
    used.add(person.id)
    return person
