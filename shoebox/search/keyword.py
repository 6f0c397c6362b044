"""The keyword index: SQLite FTS5 over caption, tags, note, file name and camera, kept in step by the ORM.

Every flush that adds, changes or deletes a photo or its tags re-indexes exactly those photos in the same
transaction, so the index can never drift from the rows, whatever service made the change.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, bindparam, column, event, select, table, text
from sqlalchemy.orm import Session

from shoebox.models import Photo, PhotoTag

#: bm25 column weights: caption, tags, note, filename, camera (the user's own words count most).
WEIGHTS = (2.0, 2.0, 2.0, 1.0, 0.5)
KEYWORD_LIMIT = 1000

_DELETE = text("DELETE FROM photo_fts WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True))
_INSERT = text(
    "INSERT INTO photo_fts(rowid, caption, tags, note, filename, camera) "
    "SELECT p.id, p.caption, (SELECT group_concat(t.name, ' ') FROM photo_tags t "
    "WHERE t.photo_id = p.id AND NOT t.hidden), p.note, p.filename, "
    "trim(coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, '')) "
    "FROM photos p WHERE p.id IN :ids").bindparams(bindparam("ids", expanding=True))


@event.listens_for(Session, "after_flush")
def _reindex_touched(session: Session, _context) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Photo) and obj.id is not None:
            touched.add(obj.id)
        elif isinstance(obj, PhotoTag) and obj.photo_id is not None:
            touched.add(obj.photo_id)
    if touched:
        connection = session.connection()
        connection.execute(_DELETE, {"ids": sorted(touched)})
        connection.execute(_INSERT, {"ids": sorted(touched)})


_FTS = table("photo_fts", column("rowid"))


def keyword_search(session: Session, match: str, candidates: Select, limit: int = KEYWORD_LIMIT) -> list[int]:
    """Photo ids matching an FTS5 expression among the candidates (a SELECT of photo ids), best first."""
    weights = ", ".join(str(w) for w in WEIGHTS)
    query = (select(_FTS.c.rowid)
             .where(text("photo_fts MATCH :match").bindparams(match=match), _FTS.c.rowid.in_(candidates))
             .order_by(text(f"bm25(photo_fts, {weights})")).limit(limit))
    return list(session.scalars(query))


def reindex_all(session: Session, photo_ids: Sequence[int]) -> None:
    """Rebuild the entries of these photos (a repair tool; normal edits are indexed on flush)."""
    session.execute(_DELETE, {"ids": list(photo_ids)})
    session.execute(_INSERT, {"ids": list(photo_ids)})
