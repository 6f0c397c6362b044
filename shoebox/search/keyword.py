"""The keyword index: SQLite FTS5 over caption, tags, note, file name, camera, people's names, place and the
text read in the photo, kept in step by the ORM.

Every flush that adds, changes or deletes a photo, its tags, its faces or the person a face belongs to
re-indexes exactly the photos concerned in the same transaction, so the index can never drift from the rows,
whatever service made the change.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, bindparam, column, event, inspect, select, table, text
from sqlalchemy.orm import Session

from shoebox.models import Face, Person, Photo, PhotoTag

#: The indexed columns, in order, with their bm25 weights: a person's name (given by the user) counts most,
#: then the user's own words and the captions and tags, then the place, file name, OCR text and camera.
COLUMNS = {"caption": 2.0, "tags": 2.0, "note": 2.0, "filename": 1.0, "camera": 0.5, "people": 3.0,
           "place": 1.5, "ocr": 1.0}
WEIGHTS = tuple(COLUMNS.values())
#: Columns whose match a search result reports by name (any other column is just "keyword").
REPORTED = {"people": "person", "place": "place", "ocr": "text"}
KEYWORD_LIMIT = 1000

_OCR_DELETE = text("DELETE FROM photo_ocr_fts WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True))
_OCR_INSERT = text("INSERT INTO photo_ocr_fts(rowid, ocr) SELECT id, ocr_text FROM photos "
                   "WHERE id IN :ids AND ocr_text IS NOT NULL").bindparams(bindparam("ids", expanding=True))
_DELETE = text("DELETE FROM photo_fts WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True))
_INSERT = text(
    f"INSERT INTO photo_fts(rowid, {', '.join(COLUMNS)}) "
    "SELECT p.id, p.caption, (SELECT group_concat(t.name, ' ') FROM photo_tags t "
    "WHERE t.photo_id = p.id AND NOT t.hidden), p.note, p.filename, "
    "trim(coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, '')), "
    "(SELECT group_concat(DISTINCT pe.name) FROM faces f JOIN people pe ON pe.id = f.person_id "
    "WHERE f.photo_id = p.id AND pe.name IS NOT NULL), "
    "trim(coalesce(p.city, '') || ' ' || coalesce(p.region, '') || ' ' || coalesce(p.country, '')), "
    "p.ocr_text FROM photos p WHERE p.id IN :ids").bindparams(bindparam("ids", expanding=True))


@event.listens_for(Session, "after_flush")
def _reindex_touched(session: Session, _context) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return
    touched: set[int] = set()
    people: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Photo) and obj.id is not None:
            touched.add(obj.id)
        elif isinstance(obj, (PhotoTag, Face)) and obj.photo_id is not None:
            touched.add(obj.photo_id)
        elif isinstance(obj, Person) and obj.id is not None and inspect(obj).attrs.name.history.has_changes():
            people.add(obj.id)  # not on every new face: only a new name changes what its photos are found by
    connection = session.connection()
    if people:  # a renamed person: every photo they are in
        touched.update(connection.scalars(select(Face.photo_id).where(Face.person_id.in_(sorted(people)))))
    if touched:
        _write(connection, sorted(touched))


def _write(connection, ids: list[int]) -> None:
    for statement in (_DELETE, _INSERT, _OCR_DELETE, _OCR_INSERT):
        connection.execute(statement, {"ids": ids})


_FTS = table("photo_fts", column("rowid"))
_OCR = table("photo_ocr_fts", column("rowid"))


def keyword_search(session: Session, match: str, candidates: Select, limit: int = KEYWORD_LIMIT) -> list[int]:
    """Photo ids matching an FTS5 expression among the candidates (a SELECT of photo ids), best first."""
    weights = ", ".join(str(w) for w in WEIGHTS)
    query = (select(_FTS.c.rowid)
             .where(text("photo_fts MATCH :match").bindparams(match=match), _FTS.c.rowid.in_(candidates))
             .order_by(text(f"bm25(photo_fts, {weights})")).limit(limit))
    return list(session.scalars(query))


def ocr_search(session: Session, match: str | None, candidates: Select, limit: int = KEYWORD_LIMIT) -> list[int]:
    """Photo ids whose OCR text holds the terms as substrings (a trigram expression), best first."""
    if not match or session.get_bind().dialect.name != "sqlite":
        return []
    query = (select(_OCR.c.rowid)
             .where(text("photo_ocr_fts MATCH :match").bindparams(match=match), _OCR.c.rowid.in_(candidates))
             .order_by(text("bm25(photo_ocr_fts)")).limit(limit))
    return list(session.scalars(query))


def matched_columns(session: Session, match: str, photo_ids: Sequence[int], ocr_match: str | None = None
                    ) -> dict[int, set[str]]:
    """For each of these photos, which reported fields ("person", "place", "text") the FTS5 expression matches
    (and, for "text", the trigram expression `ocr_match`)."""
    found: dict[int, set[str]] = {}
    if not photo_ids or session.get_bind().dialect.name != "sqlite":
        return found
    ids = list(photo_ids)
    for name, label in REPORTED.items():
        query = select(_FTS.c.rowid).where(text("photo_fts MATCH :match").bindparams(match=f"{name} : ({match})"),
                                           _FTS.c.rowid.in_(ids))
        for photo_id in session.scalars(query):
            found.setdefault(photo_id, set()).add(label)
    if ocr_match:
        query = select(_OCR.c.rowid).where(text("photo_ocr_fts MATCH :match").bindparams(match=ocr_match),
                                           _OCR.c.rowid.in_(ids))
        for photo_id in session.scalars(query):
            found.setdefault(photo_id, set()).add(REPORTED["ocr"])
    return found


def reindex_all(session: Session, photo_ids: Sequence[int]) -> None:
    """Rebuild the entries of these photos (a repair tool; normal edits are indexed on flush)."""
    _write(session.connection(), list(photo_ids))
