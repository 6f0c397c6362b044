"""PostgreSQL search: full text over a `photo_search` tsvector table (GIN) and pgvector over `embeddings.vec`.

Same contract as the SQLite path (shoebox.search.keyword, shoebox.search.service.MemoryVectorStore):
- Words: non-alphanumerics split words, case and (Latin) diacritics are folded, no stemming, as FTS5's
  `unicode61 remove_diacritics 2`; weights caption/tags/note/people A, filename/place B, camera/OCR text C
  mirror bm25's weights. (The SQLite-only extras: the trigram index for words OCR glued together, and the
  per-field "person"/"place"/"text" labels in results, which say "keyword" here.)
- Vectors: `embeddings.vec` is an untyped `vector` filled from the float16 BLOB by the ORM hook below, so
  the BLOB stays the one source of truth (and migrate-data copies only it). A partial HNSW index per kind
  and dimension (`(vec::vector(d)) vector_cosine_ops WHERE kind = 'k' AND dim = d`) is made the first time
  they are stored: a photo's look ("visual") and its search embedding may share a dimension (ViT-B and
  SigLIP-B are both 768-d), and one index over both would fill an approximate scan with the other kind's
  vectors. Searches in a narrowed scope (filters) run exact inside the query (HNSW in pgvector 0.6 would
  filter after the approximate scan and lose hits); searches of a whole library use the index.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence

import numpy as np
from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    cast,
    column,
    event,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from shoebox.models import Embedding, Photo
from shoebox.scope import Scope
from shoebox.search import query

#: ts_rank weights for D, C, B, A: camera (C) a quarter and filename (B) half of caption, tags and note (A).
RANK_WEIGHTS = "{0.1, 0.25, 0.5, 1.0}"
#: Largest hnsw.ef_search pgvector accepts.
MAX_EF_SEARCH = 1000
#: HNSW build parameters of the vector indexes: links per node and the build's candidate list.
HNSW_M, HNSW_EF_CONSTRUCTION = 32, 128  # 16 / 64 (pgvector's): recall@10 0.91 at 1M clustered (bench)


def _fold_map() -> tuple[str, str]:
    """Characters of Latin-1 and Latin Extended-A/B whose NFKD form is one base letter, and that letter."""
    src, dst = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if len(base) == 1 and base != char:
            src.append(char)
            dst.append(base)
    return "".join(src), "".join(dst)


FOLD_FROM, FOLD_TO = _fold_map()


def fold(text_: str) -> str:
    """Lower case without diacritics, as the index stores words."""
    return "".join(c for c in unicodedata.normalize("NFKD", text_.lower()) if not unicodedata.combining(c))


def _words(expression: str) -> str:
    """SQL turning a text expression into the space-separated, folded words the index stores."""
    return (f"translate(lower(regexp_replace(coalesce({expression}, ''), '[^[:alnum:]]+', ' ', 'g')), "
            f":fold_from, :fold_to)")


def _weighted(expression: str, weight: str) -> str:
    return f"setweight(to_tsvector('simple', {_words(expression)}), '{weight}')"


_TAGS = "(SELECT string_agg(t.name, ' ' ORDER BY t.id) FROM photo_tags t WHERE t.photo_id = p.id AND NOT t.hidden)"
_CAMERA = "coalesce(p.camera_make, '') || ' ' || coalesce(p.camera_model, '')"
_PEOPLE = ("(SELECT string_agg(DISTINCT pe.name, ' ') FROM faces f JOIN people pe ON pe.id = f.person_id "
           "WHERE f.photo_id = p.id AND pe.name IS NOT NULL)")
_PLACE = ("coalesce(p.district, '') || ' ' || coalesce(p.city, '') || ' ' || coalesce(p.region, '') || ' ' || "
          "coalesce(p.country, '')")
_DELETE = text("DELETE FROM photo_search WHERE photo_id IN :ids").bindparams(bindparam("ids", expanding=True))
_INSERT = text(
    "INSERT INTO photo_search(photo_id, document) SELECT p.id, "
    + " || ".join([_weighted("p.caption", "A"), _weighted(_TAGS, "A"), _weighted("p.note", "A"),
                   _weighted("p.filename", "B"), _weighted(_CAMERA, "C"), _weighted(_PEOPLE, "A"),
                   _weighted(_PLACE, "B"), _weighted("p.ocr_text", "C")])
    + " FROM photos p WHERE p.id IN :ids").bindparams(bindparam("ids", expanding=True))
_SEARCH = table("photo_search", column("photo_id"), column("document"))
_TSQUERY = "to_tsquery('simple', :match)"
_DOCUMENT_MATCHES = f"photo_search.document @@ {_TSQUERY}"


def _matching(candidates: Select) -> Select:
    """(photo_id, document) of the candidates whose document matches the tsquery `:match`."""
    return select(_SEARCH.c.photo_id, _SEARCH.c.document).where(text(_DOCUMENT_MATCHES),
                                                                _SEARCH.c.photo_id.in_(candidates))


def _ranked(rows) -> list:
    """ORDER BY of matching rows (`photo_search` or a subquery of its columns): ts_rank, ties newest first. In the
    outer query of a window, so only the window's documents are ranked."""
    return [text(f"ts_rank('{RANK_WEIGHTS}', {rows.name}.document, {_TSQUERY}, 1) DESC"), rows.c.photo_id.desc()]


#: The fields a result reports by name when they match, as SQL over `photos p`.
_REPORTED = {"person": _PEOPLE, "place": _PLACE, "text": "p.ocr_text"}
_OCR_FOLDED = "translate(lower(photos.ocr_text), :fold_from, :fold_to)"


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class TsvectorIndex:
    """PostgreSQL full text: `photo_search(photo_id, document tsvector)` with a GIN index, ranked by ts_rank."""

    def match(self, text_: str | None, operator: str) -> str | None:
        """tsquery text requiring every term ("AND") or any ("OR"), folded like the index."""
        found = query.tsquery(text_, operator)
        return fold(found) if found else None

    def search(self, session: Session, match: str, candidates: Select, limit: int | None = None) -> list[int]:
        """Photo ids whose document matches the tsquery among the candidates, best first, as Fts5Index's: the newest
        `query.RANK_WINDOW` matches by ts_rank (ties newest first), then the older ones newest first, only as far as
        `limit` asks (ranking every match of a word 80% of 310,000 photos carry took 178 ms; bench/README.md).
        Without `limit`, every match ranked."""
        matching = _matching(candidates)
        if limit is None:
            return list(session.scalars(matching.with_only_columns(_SEARCH.c.photo_id).order_by(*_ranked(_SEARCH)),
                                        {"match": match}))
        window = matching.order_by(_SEARCH.c.photo_id.desc()).limit(query.RANK_WINDOW).subquery("newest")
        ranked = list(session.scalars(select(window.c.photo_id).order_by(*_ranked(window)).limit(limit),
                                      {"match": match}))
        if len(ranked) < query.RANK_WINDOW or len(ranked) == limit:  # the window was not full, or gave enough
            return ranked
        return ranked + self._older(session, match, candidates, min(ranked), limit - len(ranked))

    def seek(self, session: Session, words: str, operator: str, candidates: Select, rank: int, photo_id: int,
             limit: int) -> list[int] | None:
        """Past the ranked window `search`'s order is the photo id's, descending: the matches older than the photo,
        as the offset path lists them. None within the window (a ts_rank is no place to seek from) and where OCR's
        glued words match a candidate (their hits follow the clean ones and count in the total)."""
        match = self.match(words, operator)
        if not match or rank <= query.RANK_WINDOW or self.substring_search(session, words, operator, candidates, 1):
            return None
        return self._older(session, match, candidates, photo_id, limit)

    @staticmethod
    def _older(session: Session, match: str, candidates: Select, photo_id: int, limit: int) -> list[int]:
        """The matches among the candidates older than the photo, newest first."""
        return list(session.scalars(_matching(candidates).with_only_columns(_SEARCH.c.photo_id)
                                    .where(_SEARCH.c.photo_id < photo_id)
                                    .order_by(_SEARCH.c.photo_id.desc()).limit(limit), {"match": match}))

    def reindex(self, connection: Connection, photo_ids: Sequence[int]) -> None:
        """Delete and re-insert the documents of these photos."""
        connection.execute(_DELETE, {"ids": list(photo_ids)})
        connection.execute(_INSERT, {"ids": list(photo_ids), "fold_from": FOLD_FROM, "fold_to": FOLD_TO})

    def substring_search(self, session: Session, words: str, operator: str, candidates: Select,
                         limit: int | None = None) -> list[int]:
        """Photo ids whose OCR text holds the words (of `query.GLUED_MIN_CHARS`+ characters) inside longer runs."""
        terms = [fold(term.text) for term in query.glued_terms(words)]
        if not terms:
            return []
        joiner = " AND " if operator == "AND" else " OR "
        condition = joiner.join(f"{_OCR_FOLDED} LIKE :t{n}" for n in range(len(terms)))
        params = {f"t{n}": f"%{_escape_like(term)}%" for n, term in enumerate(terms)}
        found = (select(Photo.id).where(Photo.id.in_(candidates), Photo.ocr_text.is_not(None),
                                        text(f"({condition})").bindparams(**params))
                 .order_by(Photo.id).limit(limit))
        return list(session.scalars(found, {"fold_from": FOLD_FROM, "fold_to": FOLD_TO}))

    def condition(self, session: Session, words: str, operator: str) -> ColumnElement[bool] | None:
        """The photo's document matches the words, or its OCR text holds them glued. A word more than
        `query.FEW_MATCHES` photos carry is checked photo by photo as the caller walks its index (`OFFSET 0` keeps
        PostgreSQL from hashing every match first: 0.2 s at 310,000 photos for a word 80% of them carry); a rarer
        one's photos are read by id."""
        match = self.match(words, operator)
        found = []
        if match:
            matches = select(_SEARCH.c.photo_id).where(text(_DOCUMENT_MATCHES).bindparams(match=match))
            common = session.scalar(select(func.count()).select_from(matches.limit(query.FEW_MATCHES + 1)
                                                                     .subquery()))
            found.append(exists(matches.where(_SEARCH.c.photo_id == Photo.id).offset(0))
                         if common > query.FEW_MATCHES else Photo.id.in_(matches))
        terms = [fold(term.text) for term in query.glued_terms(words)]
        if terms:
            joiner = " AND " if operator == "AND" else " OR "
            condition = joiner.join(f"{_OCR_FOLDED} LIKE :t{n}" for n in range(len(terms)))
            params = {f"t{n}": f"%{_escape_like(term)}%" for n, term in enumerate(terms)}
            found.append(and_(Photo.ocr_text.is_not(None), text(f"({condition})").bindparams(
                **params, fold_from=FOLD_FROM, fold_to=FOLD_TO)))
        return or_(*found) if found else None

    def holds_any(self, session: Session, words: str, operator: str, candidates: Select) -> bool:
        """Whether a candidate meets `condition` (the planner finds one)."""
        condition = self.condition(session, words, operator)
        return condition is not None and session.scalar(candidates.where(condition).limit(1)) is not None

    def holders(self, session: Session, words: str, operator: str, photo_ids: Sequence[int]) -> set[int]:
        """Those of these photos meeting `condition`."""
        condition = self.condition(session, words, operator)
        if condition is None or not photo_ids:
            return set()
        return set(session.scalars(select(Photo.id).where(Photo.id.in_(list(photo_ids)), condition)))

    def matched_fields(self, session: Session, words: str, photo_ids: Sequence[int]) -> dict[int, set[str]]:
        """Per photo, the reported fields ("person", "place", "text") whose words match any query word."""
        found: dict[int, set[str]] = {}
        match = self.match(words, "OR")
        if not photo_ids or not match:
            return found
        params = {"ids": list(photo_ids), "match": match, "fold_from": FOLD_FROM, "fold_to": FOLD_TO}
        for label, expression in _REPORTED.items():
            sql = text(f"SELECT p.id FROM photos p WHERE p.id IN :ids AND "
                       f"to_tsvector('simple', {_words(expression)}) @@ to_tsquery('simple', :match)"
                       ).bindparams(bindparam("ids", expanding=True))
            for photo_id in session.scalars(sql, params):
                found.setdefault(photo_id, set()).add(label)
        for photo_id in self.substring_search(session, words, "OR", select(Photo.id).where(
                Photo.id.in_(list(photo_ids)))):
            found.setdefault(photo_id, set()).add("text")
        return found


# -- vectors ---------------------------------------------------------------------------------------------

_SET_VECTOR = text("UPDATE embeddings SET vec = :vec WHERE id = :id").bindparams(bindparam("vec", type_=Vector()))
_indexed: set[tuple[str, str, int]] = set()
_indexed_lock = threading.Lock()


def decode(blob: bytes) -> np.ndarray:
    """A stored float16 BLOB as a float32 vector."""
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)


def vector_index_sql(kind: str, dim: int) -> str:
    """CREATE INDEX for the partial HNSW (cosine) index of one embedding kind and dimension (idempotent)."""
    if not kind.isalpha():
        raise ValueError(f"not an embedding kind: {kind!r}")
    return (f"CREATE INDEX IF NOT EXISTS ix_embeddings_{kind}_hnsw_{int(dim)} ON embeddings USING hnsw "
            f"((vec::vector({int(dim)})) vector_cosine_ops) "
            f"WITH (m = {int(HNSW_M)}, ef_construction = {int(HNSW_EF_CONSTRUCTION)}) "
            f"WHERE kind = '{kind}' AND dim = {int(dim)}")


def ensure_vector_index(connection: Connection, kind: str, dim: int) -> None:
    """Create the partial HNSW (cosine) index for vectors of this kind and dimension once (idempotent)."""
    key = (str(connection.engine.url), kind, dim)
    with _indexed_lock:
        if key in _indexed:
            return
    with connection.begin_nested():  # two processes racing on IF NOT EXISTS: the loser must not spoil the txn
        connection.execute(text(vector_index_sql(kind, dim)))
    with _indexed_lock:
        _indexed.add(key)


def fill_vectors(connection: Connection, rows: Sequence[tuple[int, str, int, bytes]], index: bool = True) -> None:
    """Write `vec` for (embedding id, kind, dim, BLOB) rows and (unless told not to) index their kinds and dims."""
    if not rows:
        return
    if index:
        for kind, dim in sorted({(kind, dim) for _, kind, dim, _ in rows}):
            ensure_vector_index(connection, kind, dim)
    connection.execute(_SET_VECTOR, [{"id": i, "vec": decode(blob)} for i, _, _, blob in rows])


@event.listens_for(Session, "after_flush")
def _fill_new_vectors(session: Session, _context) -> None:
    rows = [(obj.id, obj.kind, obj.dim, obj.vector) for obj in (*session.new, *session.dirty)
            if isinstance(obj, Embedding) and obj.id is not None and obj not in session.deleted]
    if rows and session.get_bind().dialect.name == "postgresql":
        fill_vectors(session.connection(), rows)


def rebuild(connection: Connection) -> None:
    """Fill every search structure from the rows (after a bulk copy such as `flask shoebox migrate-data`)."""
    ids = list(connection.scalars(select(Photo.id)))
    for start in range(0, len(ids), 5000):
        TsvectorIndex().reindex(connection, ids[start:start + 5000])
    blobs = connection.execute(select(Embedding.id, Embedding.kind, Embedding.dim, Embedding.vector)
                               .order_by(Embedding.id)).all()
    for start in range(0, len(blobs), 2000):  # vectors first, the HNSW graph once after (much faster)
        fill_vectors(connection, [tuple(row) for row in blobs[start:start + 2000]], index=False)
    for kind, dim in sorted({(row.kind, row.dim) for row in blobs}):
        ensure_vector_index(connection, kind, dim)


class PgVectorStore:
    """Cosine nearest neighbours computed by PostgreSQL (pgvector), restricted inside the query to the scope:
    it reads the rows, so a deleted photo is gone from it at once. `ef_search` fixes HNSW's candidate list
    (the benchmark's sweep); by default it is the number of results asked for (at least pgvector's 40): on
    clustered vectors recall@10 is the same as with twice that, at half the time (bench/README.md)."""

    def __init__(self, ef_search: int | None = None) -> None:
        self.ef_search = ef_search

    def search(self, session: Session, scope: Scope, model: str, vector: np.ndarray, k: int, kind: str,
               among: Select | None = None) -> list[tuple[int, float]]:
        """Up to `k` (photo id, cosine) of the scope's photos embedded by `model` (as `kind`), best first (`among`
        is not needed: the database plans the scope's query itself)."""
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(vector)) or 1.0
        dim = int(vector.shape[0])
        typed = cast(literal_column("embeddings.vec"), Vector(dim))
        distance = typed.cosine_distance(bindparam("q", vector / norm, type_=Vector(dim)))
        # kind and dim as literals, as the partial index states them, so the planner can use it
        found = (scope.embeddings(Embedding.photo_id, (1 - distance).label("score"))
                 .where(Embedding.model == model, Embedding.kind == literal(kind, literal_execute=True),
                        Embedding.dim == literal(dim, literal_execute=True)).limit(k))
        if not scope.whole_library:  # exact: "+ 0" keeps the planner off the approximate index
            found = found.order_by(distance + 0, Embedding.photo_id)
        else:
            session.execute(text("SELECT set_config('hnsw.ef_search', :ef, true)"),
                            {"ef": str(self.ef_search or min(MAX_EF_SEARCH, max(40, k)))})
            found = found.order_by(distance)
        return [(int(pid), float(score)) for pid, score in session.execute(found)]

    def forget(self, owner_id: int, photo_ids: Sequence[int] | None = None) -> None:
        """Nothing to forget: PostgreSQL holds no per-process copy."""
