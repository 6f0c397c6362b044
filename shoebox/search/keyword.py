"""The keyword index behind one small interface: SQLite FTS5 embedded, PostgreSQL full text when scaled out.

Both index caption, tags, note, file name and camera, and both are kept in step by the ORM: every flush that
adds, changes or deletes a photo or its tags re-indexes exactly those photos in the same transaction, so the
index can never drift from the rows, whatever service made the change. `keyword_index(dialect)` picks the
implementation; the PostgreSQL one lives in `shoebox.search.postgres`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Connection, Select, bindparam, column, event, select, table, text
from sqlalchemy.orm import Session

from shoebox.models import Photo, PhotoTag
from shoebox.search import query

#: bm25 column weights: caption, tags, note, filename, camera (the user's own words count most).
WEIGHTS = (2.0, 2.0, 2.0, 1.0, 0.5)
KEYWORD_LIMIT = 1000


class KeywordIndex(Protocol):
    """A full-text index of photos: query building, search among candidates, and re-indexing."""

    def match_all(self, text: str | None) -> str | None:
        """The backend's query text requiring every term, or None for an empty query."""

    def match_any(self, text: str | None) -> str | None:
        """The backend's query text requiring any term, or None for an empty query."""

    def search(self, session: Session, match: str, candidates: Select, limit: int = KEYWORD_LIMIT) -> list[int]:
        """Photo ids matching `match` among the candidates (a SELECT of photo ids), best first."""

    def reindex(self, connection: Connection, photo_ids: Sequence[int]) -> None:
        """Rebuild the entries of these photos from their rows."""


_DELETE = text("DELETE FROM photo_fts WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True))
_INSERT = text(
    "INSERT INTO photo_fts(rowid, caption, tags, note, filename, camera) "
    "SELECT p.id, p.caption, (SELECT group_concat(t.name, ' ') FROM photo_tags t "
    "WHERE t.photo_id = p.id AND NOT t.hidden), p.note, p.filename, "
    "trim(coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, '')) "
    "FROM photos p WHERE p.id IN :ids").bindparams(bindparam("ids", expanding=True))
_FTS = table("photo_fts", column("rowid"))


class Fts5Index:
    """SQLite FTS5 (`photo_fts`, unicode61 without stemming, diacritics removed), ranked by weighted bm25."""

    match_all = staticmethod(query.match_all)
    match_any = staticmethod(query.match_any)

    def search(self, session: Session, match: str, candidates: Select, limit: int = KEYWORD_LIMIT) -> list[int]:
        """Photo ids matching an FTS5 expression among the candidates, best first."""
        weights = ", ".join(str(w) for w in WEIGHTS)
        found = (select(_FTS.c.rowid)
                 # "+ 0": FTS5 would otherwise run the MATCH once per candidate rowid (seconds at 100k photos)
                 .where(text("photo_fts MATCH :match").bindparams(match=match), (_FTS.c.rowid + 0).in_(candidates))
                 .order_by(text(f"bm25(photo_fts, {weights})")).limit(limit))
        return list(session.scalars(found))

    def reindex(self, connection: Connection, photo_ids: Sequence[int]) -> None:
        """Delete and re-insert the FTS rows of these photos."""
        connection.execute(_DELETE, {"ids": list(photo_ids)})
        connection.execute(_INSERT, {"ids": list(photo_ids)})


def keyword_index(dialect: str) -> KeywordIndex:
    """The keyword index of a database dialect ("sqlite" or "postgresql")."""
    if dialect == "postgresql":
        from shoebox.search.postgres import TsvectorIndex

        return TsvectorIndex()
    return Fts5Index()


def touched_photos(session: Session) -> set[int]:
    """Ids of the photos whose row or tags this flush added, changed or deleted."""
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Photo) and obj.id is not None:
            touched.add(obj.id)
        elif isinstance(obj, PhotoTag) and obj.photo_id is not None:
            touched.add(obj.photo_id)
    return touched


@event.listens_for(Session, "after_flush")
def _reindex_touched(session: Session, _context) -> None:
    touched = touched_photos(session)
    if touched:
        connection = session.connection()
        keyword_index(connection.dialect.name).reindex(connection, sorted(touched))


def keyword_search(session: Session, match: str, candidates: Select, limit: int = KEYWORD_LIMIT) -> list[int]:
    """Photo ids matching a query of this database's index among the candidates, best first."""
    return keyword_index(session.get_bind().dialect.name).search(session, match, candidates, limit)


def reindex_all(session: Session, photo_ids: Sequence[int]) -> None:
    """Rebuild the entries of these photos (a repair tool; normal edits are indexed on flush)."""
    connection = session.connection()
    keyword_index(connection.dialect.name).reindex(connection, list(photo_ids))
