"""Hybrid search over one user's photos: filters inside the query, keyword + meaning fused, then a cutoff."""

from __future__ import annotations

import base64
import contextlib
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import numpy as np
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from shoebox.ai.base import ModelUnavailable
from shoebox.errors import InvalidInput
from shoebox.ids import MAX_ID, is_id, whole_number
from shoebox.models import Embedding, Face, Person, Photo, PhotoTag
from shoebox.search import fusion, query
from shoebox.search.keyword import KeywordIndex, keyword_index
from shoebox.search.postgres import PgVectorStore
from shoebox.search.vector import IndexRegistry, VectorIndex

MAX_QUERY = 1000
VECTOR_K = 500
SORTS = ("relevance", "date")
STOPWORDS = frozenset(
    "a an and are as at be by for from has have her his i in is it its my of on or our the their this to was "
    "were with".split())
#: Cutoff for image-text (CLIP-like) models, whose related cosines are lower than a sentence model's.
IMAGE_TEXT_CUTOFF = {"floor": 0.2, "margin": 0.06}


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    tag: str | None = None
    camera: str | None = None
    format: str | None = None
    person: str | None = None  # a person's id, or their name (any case)
    place: str | None = None  # a city, region or country (any case)

    def conditions(self, user_id: int) -> list:
        """SQL conditions on Photo for this user and these filters (applied inside every query)."""
        conds = [Photo.user_id == user_id]
        if self.date_from:
            conds.append(Photo.taken_at >= datetime.combine(self.date_from, datetime.min.time()))
        if self.date_to:  # through the end of that day (no "next day": 9999-12-31 has none)
            conds.append(Photo.taken_at <= datetime.combine(self.date_to, datetime.max.time()))
        if self.tag:
            conds.append(exists().where(PhotoTag.photo_id == Photo.id, PhotoTag.name == self.tag.lower().strip(),
                                        PhotoTag.hidden.is_(False)))
        if self.camera:
            pattern = f"%{self.camera.strip().lower()}%"
            conds.append(or_(func.lower(Photo.camera_model).like(pattern), func.lower(Photo.camera_make).like(pattern)))
        if self.format:
            conds.append(func.upper(Photo.format) == self.format.strip().upper())
        if self.person:
            conds.append(_with_person(user_id, self.person))
        if self.place:
            place = self.place.strip().lower()
            conds.append(or_(func.lower(Photo.city) == place, func.lower(Photo.region) == place,
                             func.lower(Photo.country) == place))
        return conds

    @property
    def active(self) -> bool:
        return any((self.date_from, self.date_to, self.tag, self.camera, self.format, self.person, self.place))


def _with_person(user_id: int, person: str):
    """Photos showing this user's person given by id or by name."""
    value = person.strip()
    number = whole_number(value)
    which = Person.id == number if number is not None else func.lower(Person.name) == value.lower()
    people = select(Person.id).where(Person.user_id == user_id, which)
    return exists().where(Face.photo_id == Photo.id, Face.person_id.in_(people))


class VectorStore(Protocol):
    """Where meaning search runs: in this process's memory (embedded) or in the database (pgvector)."""

    def search(self, session: Session, user_id: int, model: str, vector: np.ndarray, k: int,
               candidates: Select | None = None) -> list[tuple[int, float]]:
        """Up to `k` (photo id, cosine) of the user's photos embedded by `model`, restricted to candidates."""

    def forget(self, user_id: int) -> None:
        """Drop anything cached for this user."""


class MemoryVectorStore:
    """Per-user in-memory indexes of the stored embeddings, topped up with rows newer than the last look."""

    def __init__(self) -> None:
        self.registry = IndexRegistry()
        self._seen: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()

    def search(self, session: Session, user_id: int, model: str, vector: np.ndarray, k: int,
               candidates: Select | None = None) -> list[tuple[int, float]]:
        """Exact cosine search of the user's index; candidates become the `allowed` ids."""
        index = self.index(session, user_id, model)
        allowed = None if candidates is None else np.fromiter(session.scalars(candidates), dtype=np.int64)
        return index.search(vector, k, allowed=allowed)

    def index(self, session: Session, user_id: int, model: str) -> VectorIndex:
        key = (user_id, model)
        index = self.registry.get(user_id, model, lambda: self._load(session, user_id, model, 0))
        ids, vectors = self._load(session, user_id, model, self._seen.get(key, 0))
        if len(ids):
            index.upsert(ids, vectors)
        return index

    def _load(self, session: Session, user_id: int, model: str, after: int) -> tuple[list[int], np.ndarray]:
        rows = session.execute(
            select(Embedding.id, Embedding.photo_id, Embedding.vector).join(Photo, Photo.id == Embedding.photo_id)
            .where(Photo.user_id == user_id, Embedding.model == model, Embedding.id > after)
            .order_by(Embedding.id)).all()
        if not rows:
            return [], np.empty((0, 0), dtype=np.float16)
        with self._lock:
            key = (user_id, model)
            self._seen[key] = max(self._seen.get(key, 0), rows[-1][0])
        vectors = np.stack([np.frombuffer(row[2], dtype="<f2") for row in rows])
        return [row[1] for row in rows], vectors

    def forget(self, user_id: int) -> None:
        self.registry.drop(user_id)
        with self._lock:
            for key in [k for k in self._seen if k[0] == user_id]:
                del self._seen[key]


def parse_filters(args) -> Filters:
    return Filters(date_from=_date(args.get("from"), "from"), date_to=_date(args.get("to"), "to"),
                   tag=args.get("tag") or None, camera=args.get("camera") or None, format=args.get("format") or None,
                   person=_person(args.get("person")), place=args.get("place") or None)


def _person(value: str | None) -> str | None:
    """A person's id or name; digits that no id can be (0, or beyond MAX_ID) are refused."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit() and not is_id(whole_number(text)):
        raise InvalidInput(f"person must be a person's id (1 to {MAX_ID}) or name", code="invalid_parameter")
    return text or None


def vector_store(dialect: str) -> VectorStore:
    """pgvector on PostgreSQL, the in-memory index otherwise."""
    return PgVectorStore() if dialect == "postgresql" else MemoryVectorStore()


class Searcher:
    """Runs searches; holds the vector store, the keyword index and the query embedder."""

    def __init__(self, embedder_provider, dialect: str = "sqlite") -> None:
        self.vectors = vector_store(dialect)
        self.keywords: KeywordIndex = keyword_index(dialect)
        self._embedder = embedder_provider

    def warm_up(self) -> None:
        """Load the query embedder now, so the first search does not wait for it."""
        embedder = self._embedder()
        if embedder is not None:
            with contextlib.suppress(ModelUnavailable):
                embedder.embed_texts(["warm up"])

    def search(self, session: Session, user_id: int, text: str | None, filters: Filters, sort: str = "relevance",
               ) -> list[tuple[int, float, list[str]]]:
        """Ranked (photo id, score, why) for a query; an empty query lists the filtered photos by date."""
        if sort not in SORTS:
            raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", code="invalid_parameter")
        text = (text or "").strip()[:MAX_QUERY]
        candidates = select(Photo.id).where(*filters.conditions(user_id))
        if not query.parse_terms(text):
            return [(i, 0.0, []) for i in self._by_date(session, candidates)]
        keyword_ids = self._keywords(session, text, candidates)
        vector_hits, cutoff = self._meaning(session, user_id, text, candidates, filters)
        hits = fusion.fuse(keyword_ids, vector_hits, **cutoff)
        results = [(h.photo_id, round(h.score, 6), sorted(h.matched)) for h in hits]
        if sort == "date":
            order = {pid: n for n, pid in enumerate(self._by_date(session, candidates.where(
                Photo.id.in_([r[0] for r in results]))))}
            results = sorted((r for r in results if r[0] in order), key=lambda r: order[r[0]])
        return results

    def explain(self, session: Session, text: str | None, page: list[tuple[int, float, list[str]]]
                ) -> list[tuple[int, float, list[str]]]:
        """The page's results with what matched spelled out: "person", "place" or "text" beside "keyword"."""
        text = (text or "")[:MAX_QUERY]
        words = " ".join(word for word in text.split() if word.lower() not in STOPWORDS)
        hits = [pid for pid, _score, why in page if "keyword" in why]
        if not hits:
            return page
        fields = self.keywords.matched_fields(session, words or text, hits)
        return [(pid, score, sorted({*why, *fields.get(pid, ())})) for pid, score, why in page]

    @staticmethod
    def _by_date(session: Session, candidates: Select) -> list[int]:
        return list(session.scalars(candidates.order_by(Photo.taken_at.desc(), Photo.id.desc())))

    def _keywords(self, session: Session, text: str, candidates: Select) -> list[int]:
        """All words must match; if none does, any word but the little ones ("at", "the") may, so one word
        the photos lack does not hide the rest."""
        content_words = " ".join(word for word in text.split() if word.lower() not in STOPWORDS)
        for words, operator in ((text, "AND"), (content_words, "OR")):
            match = self.keywords.match_all(words) if operator == "AND" else self.keywords.match_any(words)
            ids = self.keywords.search(session, match, candidates) if match else []
            glued = self.keywords.substring_search(session, words, operator, candidates)
            seen = set(ids)
            ids += [i for i in glued if i not in seen]  # words OCR ran together, after the clean hits
            if ids:
                return ids
        return []

    def _meaning(self, session: Session, user_id: int, text: str, candidates: Select, filters: Filters
                 ) -> tuple[list[tuple[int, float]], dict]:
        embedder = self._embedder()
        if embedder is None:
            return [], {}
        try:
            vector = embedder.embed_texts([text])[0]
            model = embedder.version
        except ModelUnavailable:
            return [], {}
        hits = self.vectors.search(session, user_id, model, vector, VECTOR_K, candidates if filters.active else None)
        cutoff = IMAGE_TEXT_CUTOFF if embedder.embeds_images else {}
        return hits, cutoff

    def similar(self, session: Session, photo: Photo, limit: int) -> list[tuple[int, float]]:
        """Photos nearest to this one by embedding (most similar first), the photo itself left out."""
        row = session.execute(select(Embedding.model, Embedding.vector).where(Embedding.photo_id == photo.id)
                              .order_by(Embedding.id.desc())).first()
        if row is None:
            return []
        vector = np.frombuffer(row.vector, dtype="<f2").astype(np.float32)
        hits = self.vectors.search(session, photo.user_id, row.model, vector, limit + 1)
        return [(i, s) for i, s in hits if i != photo.id][:limit]


def near_duplicate_groups(session: Session, user_id: int, max_distance: int = 10) -> list[list[int]]:
    """Groups of this user's photos whose difference hashes differ in at most `max_distance` of 64 bits."""
    rows = session.execute(select(Photo.id, Photo.phash).where(Photo.user_id == user_id, Photo.phash.is_not(None))
                           .order_by(Photo.id)).all()
    if len(rows) < 2:
        return []
    ids = np.array([r[0] for r in rows])
    hashes = np.array([r[1] for r in rows], dtype=np.int64).view(np.uint64)
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(ids) - 1):  # O(n^2) bit counts, vectorised per row: ~0.1 s for 10k photos
        close = np.nonzero(np.bitwise_count(hashes[i + 1:] ^ hashes[i]) <= max_distance)[0] + i + 1
        for j in close:
            parent[find(int(j))] = find(i)
    groups: dict[int, list[int]] = {}
    for i, photo_id in enumerate(ids):
        groups.setdefault(find(i), []).append(int(photo_id))
    return [g for g in groups.values() if len(g) > 1]


def encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def decode_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        offset = whole_number(raw[1:]) if raw.startswith("o") else None
        if offset is None or offset > MAX_ID:
            raise ValueError(raw)
        return offset
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("invalid cursor", code="invalid_cursor") from exc


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a date like 2024-07-31", code="invalid_parameter") from exc

