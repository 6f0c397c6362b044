"""The keyword index behind one small interface: SQLite FTS5 embedded, PostgreSQL full text when scaled out.

Both index caption, tags, note, file name, camera, people's names, place and the text read in the photo, and
both are kept in step by the ORM: every flush that adds, changes or deletes a photo, its tags, its faces or the
name of a person in it re-indexes exactly the photos concerned in the same transaction, so the index can never
drift from the rows, whatever service made the change. `keyword_index(dialect)` picks the implementation; the
PostgreSQL one lives in `shoebox.search.postgres`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Connection, Select, bindparam, column, event, inspect, select, table, text
from sqlalchemy.orm import Session

from shoebox.models import Face, Person, Photo, PhotoTag
from shoebox.search import query

#: The indexed columns, in order, with their bm25 weights: a person's name (given by the user) counts most,
#: then the user's own words and the captions and tags, then the place, file name, OCR text and camera.
COLUMNS = {"caption": 2.0, "tags": 2.0, "note": 2.0, "filename": 1.0, "camera": 0.5, "people": 3.0,
           "place": 1.5, "ocr": 1.0}
WEIGHTS = tuple(COLUMNS.values())
#: Columns whose match a search result reports by name (any other column is just "keyword").
REPORTED = {"people": "person", "place": "place", "ocr": "text"}


class KeywordIndex(Protocol):
    """A full-text index of photos: query building, search among candidates, and re-indexing."""

    def match_all(self, text: str | None) -> str | None:
        """The backend's query text requiring every term, or None for an empty query."""

    def match_any(self, text: str | None) -> str | None:
        """The backend's query text requiring any term, or None for an empty query."""

    def search(self, session: Session, match: str, candidates: Select, limit: int | None = None) -> list[int]:
        """Photo ids matching `match` among the candidates (a SELECT of photo ids), best first; all of them
        unless `limit` is given (ids only, so a complete answer stays cheap)."""

    def reindex(self, connection: Connection, photo_ids: Sequence[int]) -> None:
        """Rebuild the entries of these photos from their rows."""

    def substring_search(self, session: Session, words: str, operator: str, candidates: Select,
                         limit: int | None = None) -> list[int]:
        """Photo ids whose OCR text holds the words (AND or OR) inside longer runs: OCR glues words together."""

    def matched_fields(self, session: Session, words: str, photo_ids: Sequence[int]) -> dict[int, set[str]]:
        """For each of these photos, which reported fields ("person", "place", "text") hold any of the words."""


_IDS = bindparam("ids", expanding=True)
_DELETE = text("DELETE FROM photo_fts WHERE rowid IN :ids").bindparams(_IDS)
_INSERT = text(
    f"INSERT INTO photo_fts(rowid, {', '.join(COLUMNS)}) "
    "SELECT p.id, p.caption, (SELECT group_concat(t.name, ' ') FROM photo_tags t "
    "WHERE t.photo_id = p.id AND NOT t.hidden), p.note, p.filename, "
    "trim(coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, '')), "
    "(SELECT group_concat(DISTINCT pe.name) FROM faces f JOIN people pe ON pe.id = f.person_id "
    "WHERE f.photo_id = p.id AND pe.name IS NOT NULL), "
    "trim(coalesce(p.district, '') || ' ' || coalesce(p.city, '') || ' ' || coalesce(p.region, '') || ' ' || "
    "coalesce(p.country, '')), "
    "p.ocr_text FROM photos p WHERE p.id IN :ids").bindparams(_IDS)
_OCR_DELETE = text("DELETE FROM photo_ocr_fts WHERE rowid IN :ids").bindparams(_IDS)
_OCR_INSERT = text("INSERT INTO photo_ocr_fts(rowid, ocr) SELECT id, ocr_text FROM photos "
                   "WHERE id IN :ids AND ocr_text IS NOT NULL").bindparams(_IDS)
_FTS = table("photo_fts", column("rowid"))
_OCR = table("photo_ocr_fts", column("rowid"))


def _among(candidates: Select, fts):
    """A condition on an FTS table's rows: the photo is one of the candidates, looked up by its id for each match
    (the MATCH runs once; an `IN (candidates)` list would first read every candidate: the whole library's ids)."""
    return candidates.where(Photo.id == fts.c.rowid).exists()


class Fts5Index:
    """SQLite FTS5 (`photo_fts`, unicode61 without stemming, diacritics removed), ranked by weighted bm25,
    plus a trigram index of the OCR text (`photo_ocr_fts`) for words OCR glued together."""

    match_all = staticmethod(query.match_all)
    match_any = staticmethod(query.match_any)

    def search(self, session: Session, match: str, candidates: Select, limit: int | None = None) -> list[int]:
        """Photo ids matching an FTS5 expression among the candidates, best first."""
        weights = ", ".join(str(w) for w in WEIGHTS)
        found = (select(_FTS.c.rowid)
                 .where(text("photo_fts MATCH :match").bindparams(match=match), _among(candidates, _FTS))
                 .order_by(text(f"bm25(photo_fts, {weights})")).limit(limit))
        return list(session.scalars(found))

    def reindex(self, connection: Connection, photo_ids: Sequence[int]) -> None:
        """Delete and re-insert the FTS rows of these photos."""
        for statement in (_DELETE, _INSERT, _OCR_DELETE, _OCR_INSERT):
            connection.execute(statement, {"ids": list(photo_ids)})

    def substring_search(self, session: Session, words: str, operator: str, candidates: Select,
                         limit: int | None = None) -> list[int]:
        """Photo ids whose OCR text holds the terms as substrings (the trigram index), best first."""
        match = query.match_substrings(words, operator)
        if not match:
            return []
        found = (select(_OCR.c.rowid)
                 .where(text("photo_ocr_fts MATCH :match").bindparams(match=match), _among(candidates, _OCR))
                 .order_by(text("bm25(photo_ocr_fts)")).limit(limit))
        return list(session.scalars(found))

    def matched_fields(self, session: Session, words: str, photo_ids: Sequence[int]) -> dict[int, set[str]]:
        """Per photo, the reported fields a column-restricted MATCH finds (and the trigram index, for text)."""
        found: dict[int, set[str]] = {}
        match, glued = query.match_any(words), query.match_substrings(words, "OR")
        if not photo_ids or not match:
            return found
        ids = list(photo_ids)
        for name, label in REPORTED.items():
            matching = select(_FTS.c.rowid).where(
                text("photo_fts MATCH :match").bindparams(match=f"{name} : ({match})"), _FTS.c.rowid.in_(ids))
            for photo_id in session.scalars(matching):
                found.setdefault(photo_id, set()).add(label)
        if glued:
            matching = select(_OCR.c.rowid).where(text("photo_ocr_fts MATCH :match").bindparams(match=glued),
                                                  _OCR.c.rowid.in_(ids))
            for photo_id in session.scalars(matching):
                found.setdefault(photo_id, set()).add(REPORTED["ocr"])
        return found


def keyword_index(dialect: str) -> KeywordIndex:
    """The keyword index of a database dialect ("sqlite" or "postgresql")."""
    if dialect == "postgresql":
        from shoebox.search.postgres import TsvectorIndex

        return TsvectorIndex()
    return Fts5Index()


def touched_photos(session: Session) -> set[int]:
    """Ids of the photos whose row, tags or faces this flush changed, or a person in which was renamed."""
    touched: set[int] = set()
    people: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Photo) and obj.id is not None:
            touched.add(obj.id)
        elif isinstance(obj, (PhotoTag, Face)) and obj.photo_id is not None:
            touched.add(obj.photo_id)
        elif isinstance(obj, Person) and obj.id is not None and inspect(obj).attrs.name.history.has_changes():
            people.add(obj.id)  # not on every new face: only a new name changes what its photos are found by
    if people:
        touched.update(session.connection().scalars(
            select(Face.photo_id).where(Face.person_id.in_(sorted(people)))))
    return touched


@event.listens_for(Session, "after_flush")
def _reindex_touched(session: Session, _context) -> None:
    touched = touched_photos(session)
    if touched:
        connection = session.connection()
        keyword_index(connection.dialect.name).reindex(connection, sorted(touched))


