"""Exact meaning search of a narrowed scope (filters, an album, the Trash, a share link) through the saved index
(shoebox.search.embedded): the scope's ids, or a superset of them read from the filters' own indexes (`Among`,
Filters.superset), every one scored from the file's vectors (or the process's newer "delta"), and the best kept
to the scope in rank order, checked by primary key."""

from __future__ import annotations

import json
from typing import Protocol

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Join

from shoebox.models import Photo
from shoebox.scope import Scope
from shoebox.search.ann import AnnFile
from shoebox.search.vector import InMemoryVectorIndex

#: Candidates asked of the graph at least (the exact rescoring then orders them): recall@10 1.0 at 200 in bench;
#: the first slice of a superset's best checked against the scope is at least as many.
MIN_CANDIDATES = 200
#: Best rows of a superset (`among`) ranked and checked against the scope before its own ids are listed instead.
AMONG_CHECK_MAX = 20_000

Hit = tuple[int, float]


class Among(Protocol):
    """Photo ids holding every photo of a narrowed scope, more allowed, read from the filters' own indexes
    (shoebox.search.filters.Superset); `exact` when they are the scope's own."""

    exact: bool

    def ids(self, session: Session) -> np.ndarray:
        """The ids, sorted, each once."""


def exact_among(session: Session, scope: Scope, among: Among, found: AnnFile, delta: InMemoryVectorIndex,
                query: np.ndarray, k: int) -> list[Hit]:
    """A narrowed scope scored exactly from a superset of it read from its own side (a tag's photos, by the tag's
    index: no walk of the owner's whole timeline): every one scored, then the best kept to the scope in rank
    order, a growing slice at a time (each slice ranked only when it is reached), until `k` are visible. Every
    photo of the scope is in the superset, so the result is the exact search's. When the best AMONG_CHECK_MAX hold
    fewer than `k` of the scope's (another user's tag), the scope's own ids are listed and scored instead. Ids
    that are the scope's own (`exact`) are scored and ranked with no check."""
    if among.exact:
        return best_scored(found, delta, query, among.ids(session), k)
    ids, scores = _all_scored(found, delta, query, among.ids(session))
    hits: list[Hit] = []
    lo, size = 0, k + max(k // 4, MIN_CANDIDATES)
    while len(hits) < k and lo < min(len(ids), AMONG_CHECK_MAX):
        chunk = _best(ids, scores, min(lo + size, AMONG_CHECK_MAX))[lo:]
        visible = visible_ids(session, scope, [photo_id for photo_id, _ in chunk])
        hits += [hit for hit in chunk if hit[0] in visible][:k - len(hits)]
        lo, size = lo + len(chunk), size * 4
    if len(hits) < k and lo < len(ids):  # the superset's ranking was cut short
        return best_scored(found, delta, query, id_array(session, scope.photo_ids()), k)
    return hits


def _best(ids: np.ndarray, scores: np.ndarray, n: int) -> list[Hit]:
    """The best `n` of these (id, score), best first, ties by id: the same order however many are asked for."""
    if n < len(scores):
        kept = scores >= np.partition(scores, len(scores) - n)[len(scores) - n]
        ids, scores = ids[kept], scores[kept]
    best = np.lexsort((ids, -scores))[:n]
    return list(zip(ids[best].tolist(), scores[best].tolist(), strict=True))


def id_array(session: Session, ids: Select) -> np.ndarray:
    """The ids a SELECT of one integer column returns, as one array: SQLite joins them into one string, parsed by
    numpy (100k ids: 13 ms of CPU, against 130 ms for as many rows made into Python tuples). The separator is
    group_concat's own comma: given as a parameter, SQLite reads it again for every row (4 ms more per 100k)."""
    listed = ids.subquery()
    text = session.scalar(select(func.group_concat(listed.c[0])))
    return np.fromstring(text or "", dtype=np.int64, sep=",")


def _all_scored(found: AnnFile, delta: InMemoryVectorIndex, query: np.ndarray, ids: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Every one of these ids (that has a vector) scored exactly, unsorted: the delta's newer vector where it has
    one, else the file's."""
    if not len(delta):
        return found.scored(query, ids)
    fresh = delta.search(query, len(delta), allowed=ids)
    found_ids, scores = found.scored(query, np.setdiff1d(ids, delta.ids()))
    return (np.concatenate([found_ids, np.array([hit[0] for hit in fresh], dtype=np.int64)]),
            np.concatenate([scores, np.array([hit[1] for hit in fresh], dtype=np.float32)]))


def best_scored(found: AnnFile, delta: InMemoryVectorIndex, query: np.ndarray, ids: np.ndarray, k: int
                ) -> list[Hit]:
    """The best `k` of these ids scored exactly, best first (ties by id): the delta's newer vector where it has one."""
    fresh = delta.search(query, k, allowed=ids) if len(delta) else []
    in_file = np.setdiff1d(ids, delta.ids()) if len(delta) else ids
    found_ids, scores = found.score(query, in_file, k)
    merged = list(zip(found_ids[:k].tolist(), scores[:k].tolist(), strict=True)) + fresh
    return sorted(merged, key=lambda hit: (-hit[1], hit[0]))[:k]


class _CrossJoin(Join):
    """`left CROSS JOIN right ON ...`: SQLite joins in the order written, so the candidate ids drive the lookup."""

    inherit_cache = True


@compiles(_CrossJoin, "sqlite")
def _cross_join(join: _CrossJoin, compiler, **kw) -> str:
    on = compiler.process(join.onclause, **{k: v for k, v in kw.items() if k != "asfrom"})
    return (f"{compiler.process(join.left, **{**kw, 'asfrom': True})} CROSS JOIN "
            f"{compiler.process(join.right, **{**kw, 'asfrom': True})} ON {on}")


def visible_ids(session: Session, scope: Scope, ids: list[int]) -> set[int]:
    """The ids among these the scope shows, in one query; the ids travel as one JSON parameter (an IN list of a
    thousand would be rendered into the statement: about 10 ms to build and parse, more than the search), and
    drive the query by primary key (CROSS JOIN): left to itself, SQLite walks the owner's whole (user_id, ...)
    index, which holds trashed_at and so covers the scope's conditions (0.7 s at 1M photos instead of 0.1 ms)."""
    among = func.json_each(json.dumps(ids)).table_valued("value")
    return set(session.scalars(scope.photo_ids().select_from(
        _CrossJoin(among, Photo.__table__, Photo.id == among.c.value))))
