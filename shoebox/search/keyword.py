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

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    column,
    event,
    func,
    inspect,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from shoebox.models import Face, Person, Photo, PhotoTag, fold
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

    def match(self, text: str | None, operator: str) -> str | None:
        """The backend's query text requiring every term ("AND") or any ("OR"), or None for an empty query."""

    def search(self, session: Session, match: str, candidates: Select, limit: int | None = None) -> list[int]:
        """Photo ids matching `match` among the candidates (a SELECT of photo ids), best first; all of them
        unless `limit` is given (ids only, so a complete answer stays cheap)."""

    def seek(self, session: Session, words: str, operator: str, candidates: Select, rank: int, photo_id: int,
             limit: int) -> list[int] | None:
        """The next `limit` ids of `search`'s order after this photo, which it gave at this rank (1 the best), read
        from there (no match before it read), and nothing of `substring_search` follows them; or None where that
        cannot be done (the caller then reads from the start)."""

    def reindex(self, connection: Connection, photo_ids: Sequence[int]) -> None:
        """Rebuild the entries of these photos from their rows."""

    def substring_search(self, session: Session, words: str, operator: str, candidates: Select,
                         limit: int | None = None) -> list[int]:
        """Photo ids whose OCR text holds the words (AND or OR) inside longer runs: OCR glues words together."""

    def matched_fields(self, session: Session, words: str, photo_ids: Sequence[int]) -> dict[int, set[str]]:
        """For each of these photos, which reported fields ("person", "place", "text") hold any of the words."""

    def condition(self, session: Session, words: str, operator: str) -> ColumnElement[bool] | None:
        """A condition on Photo: it holds the words (AND or OR; OCR's glued words too), for walking candidates in
        another order (by date) without reading every match first; None when the words make no query."""

    def holds_any(self, session: Session, words: str, operator: str, candidates: Select) -> bool:
        """Whether any of the candidates holds the words (AND or OR; OCR's glued words too)."""

    def holders(self, session: Session, words: str, operator: str, photo_ids: Sequence[int]) -> set[int]:
        """Which of these photos hold the words (AND or OR; OCR's glued words too)."""


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
_FTS = table("photo_fts", column("rowid"), *(column(name) for name in COLUMNS))
_ALL = [_FTS.c[name] for name in COLUMNS]
_REPORTED = [_FTS.c[name] for name in REPORTED]
_OCR = table("photo_ocr_fts", column("rowid"))


def _among(candidates: Select, fts):
    """A condition on an FTS table's rows: the photo is one of the candidates, looked up by its id for each match
    (the MATCH runs once; an `IN (candidates)` list would first read every candidate: the whole library's ids)."""
    return candidates.where(Photo.id == fts.c.rowid).exists()


class Fts5Index:
    """SQLite FTS5 (`photo_fts`, unicode61 without stemming, diacritics removed), ranked by weighted bm25,
    plus a trigram index of the OCR text (`photo_ocr_fts`) for words OCR glued together."""

    match = staticmethod(query.match)

    def search(self, session: Session, match: str, candidates: Select, limit: int | None = None) -> list[int]:
        """Photo ids matching an FTS5 expression among the candidates, best first (`_best`)."""
        return _best(session, _FTS, "photo_fts", f"bm25(photo_fts, {', '.join(str(w) for w in WEIGHTS)})", match,
                     candidates, limit)

    def seek(self, session: Session, words: str, operator: str, candidates: Select, rank: int, photo_id: int,
             limit: int) -> list[int] | None:
        """Past the ranked window `_best`'s order is the rowid's, descending: the matches older than the photo, as
        the offset path lists them. None within the window (a bm25 score is no place to seek from) and where OCR's
        glued words match any candidate (their hits follow the clean ones and count in the total)."""
        match, glued = query.match(words, operator), query.match_substrings(words, operator)
        if not match or rank <= query.RANK_WINDOW:
            return None
        if glued and _newest(session, _OCR, "photo_ocr_fts", glued, candidates):
            return None
        return list(session.scalars(_matching(_FTS, "photo_fts", match, candidates)
                                    .where(_FTS.c.rowid < photo_id).order_by(_FTS.c.rowid.desc()).limit(limit)))

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
        return _best(session, _OCR, "photo_ocr_fts", "bm25(photo_ocr_fts)", match, candidates, limit)

    def condition(self, session: Session, words: str, operator: str) -> ColumnElement[bool] | None:
        """The photo's id is among the matches of the words (`_matches`), in the word index or OCR's trigrams."""
        found = [_matches(session, *searched) for searched in _expressions(words, operator)]
        return or_(*found) if found else None

    def holds_any(self, session: Session, words: str, operator: str, candidates: Select) -> bool:
        """The newest match among the candidates, looked for in each index in turn (no ranking)."""
        return any(_newest(session, *searched, candidates) for searched in _expressions(words, operator))

    def holders(self, session: Session, words: str, operator: str, photo_ids: Sequence[int]) -> set[int]:
        """Their indexed text read by rowid and compared as `_holds` does (each term in some field: AND; any: OR),
        and the trigram index for glued words (a MATCH restricted to rowids is slow for a prefix term)."""
        terms, glued, ids = query.parse_terms(words), query.match_substrings(words, operator), list(photo_ids)
        if not ids or not terms:
            return set()
        wanted = all if operator == "AND" else any
        rows = session.execute(select(_FTS.c.rowid, *_ALL).where(_FTS.c.rowid.in_(ids)))
        found = {photo_id for photo_id, *texts in rows
                 if wanted(any(_holds(content, [term]) for content in texts) for term in terms)}
        return found | _glued_among(session, glued, ids)

    def matched_fields(self, session: Session, words: str, photo_ids: Sequence[int]) -> dict[int, set[str]]:
        """Per photo, the reported fields holding a word: their text as the index keeps it, read by rowid and
        compared word by word as FTS5's tokenizer splits and folds it (`_holds`), and the trigram index, for text.
        (A MATCH restricted to these rowids merges a prefix term's lists for each one: 0.3 s a page at 300k.)"""
        found: dict[int, set[str]] = {}
        terms, glued = query.parse_terms(words), query.match_substrings(words, "OR")
        if not photo_ids or not terms:
            return found
        ids = list(photo_ids)
        for photo_id, *texts in session.execute(select(_FTS.c.rowid, *_REPORTED).where(_FTS.c.rowid.in_(ids))):
            labels = {label for label, held in zip(REPORTED.values(), texts, strict=True) if _holds(held, terms)}
            if labels:
                found.setdefault(photo_id, set()).update(labels)
        for photo_id in _glued_among(session, glued, ids):
            found.setdefault(photo_id, set()).add(REPORTED["ocr"])
        return found


def _holds(content: str | None, terms: list[query.Term]) -> bool:
    """Whether the text holds any of the terms: a word as a whole word, a prefix at a word's start, a phrase as
    its words in a row; words split and folded as `unicode61 remove_diacritics 2` does (near enough: case folded,
    accents dropped, split at anything but letters and digits)."""
    words = fold(content or "").split()
    for term in terms:
        wanted = fold(term.text).split()
        last = len(wanted) - 1
        for start in range(len(words) - last if wanted else 0):
            here = words[start:start + last + 1]
            if here[:last] == wanted[:last] and (here[last].startswith(wanted[last]) if term.prefix
                                                  else here[last] == wanted[last]):
                return True
    return False


def _expressions(words: str, operator: str) -> list[tuple]:
    """(table, name, MATCH expression) of the word index and of OCR's trigrams for these words (AND or OR), each
    where the words make one."""
    searched = ((_FTS, "photo_fts", query.match(words, operator)),
                (_OCR, "photo_ocr_fts", query.match_substrings(words, operator)))
    return [(fts, name, expression) for fts, name, expression in searched if expression]


def _matching(fts, name: str, match: str, candidates: Select | None = None) -> Select:
    """The rowids of an FTS5 table's matches (among the candidates). The parameter is named after its table: one
    statement may hold both indexes' expressions."""
    found = select(fts.c.rowid).where(text(f"{name} MATCH :{name}").bindparams(**{name: match}))
    return found if candidates is None else found.where(_among(candidates, fts))


def _glued_among(session: Session, glued: str | None, ids: list[int]) -> set[int]:
    """Those of these photos whose OCR text holds the glued words' expression (trigram index); none without one."""
    if not glued:
        return set()
    return set(session.scalars(_matching(_OCR, "photo_ocr_fts", glued).where(_OCR.c.rowid.in_(ids))))


def _newest(session: Session, fts, name: str, match: str, candidates: Select) -> int | None:
    """The newest match among the candidates (no ranking), or None."""
    return session.scalar(_matching(fts, name, match, candidates).order_by(fts.c.rowid.desc()).limit(1))


def _best(session: Session, fts, name: str, rank: str, match: str, candidates: Select, limit: int | None
          ) -> list[int]:
    """Ids of the candidates matching `match` in one FTS5 table, best first: the newest query.RANK_WINDOW matches by
    `rank` (bm25: lower is better; ties newest first), then the older ones newest first. One pass over the newest
    matches ranks them inside SQLite (only the best `limit` reach Python: ten thousand rows a search kept Python's
    collector busy); the older ones, only as far as `limit` asks, seek past the window by rowid. Without `limit`,
    every match ranked."""
    matching = _matching(fts, name, match, candidates)
    if limit is None:
        return list(session.scalars(matching.order_by(text(rank))))
    window = (matching.add_columns(literal_column(rank).label("rank")).order_by(fts.c.rowid.desc())
              .limit(query.RANK_WINDOW).subquery())
    ranked = list(session.scalars(select(window.c.rowid).order_by(window.c.rank, window.c.rowid.desc())
                                  .limit(limit)))
    if len(ranked) < query.RANK_WINDOW or len(ranked) == limit:  # the window was not full, or gave all it can give
        return ranked
    older = matching.where(fts.c.rowid < min(ranked)).order_by(fts.c.rowid.desc()).limit(limit - len(ranked))
    return ranked + list(session.scalars(older))


def _matches(session: Session, fts, name: str, match: str) -> ColumnElement[bool]:
    """Photo.id is one of the FTS table's matches. A common word's list is read once and checked as the caller walks
    its index (`+ 0` keeps SQLite from driving the query by the list: every match looked up and sorted, 0.1 s for
    250,000 at 300k, where the walk takes 25 ms); a rare word's few photos are read by id (1 ms where the walk
    through a library it mostly misses would take 20)."""
    matching = _matching(fts, name, match)
    common = session.scalar(select(func.count()).select_from(matching.limit(query.FEW_MATCHES + 1).subquery()))
    return (Photo.id + 0 if common > query.FEW_MATCHES else Photo.id).in_(matching)


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


