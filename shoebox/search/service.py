"""Hybrid search within a viewer's scope: filters inside the query, keyword + meaning fused, then a cutoff."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from shoebox.ai.base import ModelUnavailable
from shoebox.cursors import Tail, decode_ranked, encode_keyset, encode_offset, encode_tail, keyset_or_offset
from shoebox.errors import InvalidInput
from shoebox.models import VISUAL, Embedding, Photo
from shoebox.scope import NEWEST_FIRST, Scope, older_than
from shoebox.search import fusion, query
from shoebox.search.ann import AnnFiles
from shoebox.search.embedded import MemoryVectorStore
from shoebox.search.exact import Among
from shoebox.search.filters import Filters
from shoebox.search.keyword import KeywordIndex, keyword_index
from shoebox.search.postgres import PgVectorStore

log = logging.getLogger(__name__)

MAX_QUERY = 1000
VECTOR_K = 500
SORTS = ("relevance", "date")
STOPWORDS = frozenset(
    "a an and are as at be by for from has have her his i in is it its my of on or our the their this to was "
    "were with".split())
#: The relevance cutoff (fusion's floor and margin) per embedding model, by the model's last name: cosines differ
#: from model to model, so each is calibrated on measurements (`bench/search_quality.py --sweep`, bench/README.md).
#: MiniLM, photos known by tags and classifier labels (ConSE): relevant best hits score 0.54-0.90, while the best
#: hit of a query for something absent scores up to 0.49 (0.54 for "bicycle" -> a motorcycle). A photo described
#: in sentences (a caption or note) scores lower for everything, related or not (a paraphrase 0.36-0.7, unrelated
#: queries under 0.35), so it keeps the sentence model's default floor (`described_floor`).
CUTOFFS = {"all-MiniLM-L6-v2": {"floor": 0.5, "margin": 0.1, "described_floor": fusion.FLOOR}}
#: Cutoff for image-text (CLIP-like) models, whose related cosines are lower than a sentence model's (not measured
#: here: no such model can be had offline). Other sentence models get fusion's defaults.
IMAGE_TEXT_CUTOFF = {"floor": 0.2, "margin": 0.06}
#: A search without words counts its matches up to this many past the page: a count that stops there, instead of
#: reading every matching photo of the library (300,000 photos: seconds) for a figure no page shows.
COUNT_AHEAD = 200


class VectorStore(Protocol):
    """Where meaning search runs: in this process's memory (embedded) or in the database (pgvector)."""

    def search(self, session: Session, scope: Scope, model: str, vector: np.ndarray, k: int, kind: str,
               among: Among | None = None) -> list[tuple[int, float]]:
        """Up to `k` (photo id, cosine) of the scope's photos embedded by `model` (as `kind`), best first; `among`:
        photo ids holding every photo of the scope (the filters' own sides), which a store may start from."""

    def forget(self, owner_id: int, photo_ids: Sequence[int] | None = None) -> None:
        """Drop what is kept for these (deleted) photos of an owner, or for all of the owner's."""


def cutoff_for(embedder) -> dict[str, float]:
    """The floor and margin calibrated for this embedder's model ({} for fusion's defaults)."""
    if embedder.embeds_images:
        return IMAGE_TEXT_CUTOFF
    return CUTOFFS.get(embedder.name.rstrip("/").rsplit("/", 1)[-1], {})


def vector_store(dialect: str, files: AnnFiles | None = None, min_photos: int = 0,
                 request_update: Callable[[str, str], None] | None = None) -> VectorStore:
    """pgvector on PostgreSQL; otherwise the saved HNSW index in `files` (from `min_photos` embeddings of one model
    in a library on; 0: never) with brute force below it (shoebox.search.embedded)."""
    if dialect == "postgresql":
        return PgVectorStore()
    return MemoryVectorStore(files if min_photos > 0 else None, min_photos, request_update)


@dataclass
class SearchPage:
    """One page of results: (photo, score, why it matched), how many results in all, and the next cursor.

    Keyword matches are all there, page after page; meaning hits stop at the `VECTOR_K` nearest: when they
    reached it, more photos may be as near, and `total_is_exact` is false. It is false too where the matches were
    counted (or ranked) only up to COUNT_AHEAD past the page: `total` is then how many were found so far."""

    items: list[tuple[Photo, float, list[str]]]
    total: int
    next_cursor: str | None
    total_is_exact: bool = True


@dataclass
class KeywordHits:
    """Keyword hits best first: `clean` of them words found whole, then those OCR glued together; `cut`: there were
    more; `word_set`: which of the query's word sets (`Searcher._word_sets`) found them."""

    ids: list[int]
    clean: int
    cut: bool
    word_set: int = 0


class Searcher:
    """Runs searches; holds the vector store, the keyword index and the query embedder."""

    def __init__(self, embedder_provider, dialect: str = "sqlite", files: AnnFiles | None = None,
                 min_photos: int = 0, request_update: Callable[[str, str], None] | None = None) -> None:
        self.vectors = vector_store(dialect, files, min_photos, request_update)
        self.keywords: KeywordIndex = keyword_index(dialect)
        self._embedder = embedder_provider

    def warm_up(self) -> None:
        """Map the saved vector indexes and load the query embedder now, so the first search waits for neither; a
        failure is logged, never raised (a worker starting up must start: its searches then load what they need)."""
        start = time.perf_counter()
        mapped = 0
        try:
            mapped = self.vectors.warm_up() if isinstance(self.vectors, MemoryVectorStore) else 0
            embedder = self._embedder()
            if embedder is not None:
                with contextlib.suppress(ModelUnavailable):
                    embedder.embed_texts(["warm up"])
        except Exception:  # noqa: BLE001 - anything: the searches that follow report it
            log.exception("search warm-up failed; searches will load what they need")
            return
        log.info("search warm (pid %d): %d saved vector index(es) mapped, query embedder ready, in %.1f s",
                 os.getpid(), mapped, time.perf_counter() - start)

    def forget(self, owner_id: int, photo_ids: Sequence[int] | None = None) -> None:
        """Deleted photos leave the vector store (the keyword index follows the rows by itself)."""
        self.vectors.forget(owner_id, photo_ids)

    def page(self, session: Session, scope: Scope, text: str | None, filters: Filters, sort: str,
             cursor: str | None, limit: int) -> SearchPage:
        """One page of ranked results, each with its photo and what matched; the total counts them all."""
        if sort not in SORTS:
            raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", code="invalid_parameter")
        text = (text or "").strip()[:MAX_QUERY]
        candidates = scope.narrow(*filters.conditions(scope, session))
        if not query.parse_terms(text):
            return self._filtered_page(session, scope, candidates, cursor, limit)
        if sort == "date":
            return self._dated_page(session, scope, candidates, text, filters, cursor, limit)
        offset, tail = decode_ranked(cursor)
        found = self._tail_page(session, scope, candidates, text, filters, tail, limit) if tail else None
        if found is not None:
            return found
        results, exact, keywords = self._ranked(session, scope, candidates, text, filters,
                                                offset + limit + COUNT_AHEAD)
        items = self._items(session, scope, text, [(hit.photo_id, round(hit.score, 6), sorted(hit.matched))
                                                   for hit in results[offset:offset + limit]])
        more = offset + limit < len(results)
        return SearchPage(items, len(results), self._after(results, keywords, offset + limit) if more else None,
                          exact)

    @staticmethod
    def _after(results: fusion.Fused, keywords: KeywordHits, offset: int) -> str:
        """The cursor of the page at `offset`: a tail cursor where the photo before it is a clean keyword hit past the
        fused head (the next page may seek from it: `_tail_page`), else an offset one."""
        rank = results.tail_rank(offset - 1)
        if rank is not None and rank <= keywords.clean:
            return encode_tail(Tail(offset, keywords.word_set, rank, results[offset - 1].photo_id))
        return encode_offset(offset)

    def _tail_page(self, session: Session, scope: Scope, candidates: Scope, text: str, filters: Filters, tail: Tail,
                   limit: int) -> SearchPage | None:
        """The page a tail cursor points at, as the offset path gives it (`page`), read from the last photo's place in
        the keyword order (`KeywordIndex.seek`): the keyword hits after it that are no meaning hit (those are all in
        the head), scored by their rank. None where the index cannot seek from there (the offset path then)."""
        words, operator = self._word_sets(text)[tail.word_set]
        wanted = max(0, tail.offset + limit + COUNT_AHEAD - tail.rank)  # the ranks the offset path would read
        ids = self.keywords.seek(session, words, operator, candidates.photo_ids(), tail.rank, tail.photo_id, wanted)
        if ids is None:
            return None
        vector_hits, _cutoff = self._meaning(session, scope, candidates, text, filters)
        meaning = {photo_id for photo_id, _score in vector_hits}
        rest = [(rank, pid) for rank, pid in enumerate(ids, start=tail.rank + 1) if pid not in meaning]
        items = self._items(session, scope, text, [(pid, round(1.0 / (fusion.RRF_K + rank), 6), [fusion.KEYWORD])
                                                   for rank, pid in rest[:limit]])
        after = encode_tail(Tail(tail.offset + limit, tail.word_set, *rest[limit - 1])) if len(rest) > limit else None
        exact = len(vector_hits) < VECTOR_K and len(ids) < wanted
        return SearchPage(items, tail.offset + len(rest), after, exact)

    def _items(self, session: Session, scope: Scope, text: str, page: list[tuple[int, float, list[str]]]
               ) -> list[tuple[Photo, float, list[str]]]:
        """A page of (photo id, score, why) as (photo, score, why), what matched spelled out (`explain`)."""
        window = self.explain(session, text, page)
        photos = scope.load(session, [photo_id for photo_id, _score, _why in window])
        return [(photos[pid], score, why) for pid, score, why in window if pid in photos]

    @staticmethod
    def _filtered_page(session: Session, scope: Scope, candidates: Scope, cursor: str | None, limit: int
                       ) -> SearchPage:
        """The candidates newest first, a page at a time as the listing pages (the next page seeks from the last
        photo's place in the index, never counting through the pages before it); the total is counted up to
        COUNT_AHEAD photos past this page (`total_is_exact` false when there are more: an exact count of a filter
        that a big library's photos mostly pass reads all of them). The first page and its count are one walk of
        the index. An offset cursor (given before there were keyset ones) is still taken. `scope`: the candidates'
        viewer's, which loads the page's photos by id."""
        start, offset = keyset_or_offset(cursor)
        ahead = offset + limit + COUNT_AHEAD
        newest = candidates.photo_ids().order_by(*NEWEST_FIRST)
        if start is None:
            ids = list(session.scalars(newest.limit(ahead)))
            total, more, ids = len(ids), len(ids) > offset + limit, ids[offset:offset + limit]
        else:
            ids = list(session.scalars(newest.where(older_than(*start)).limit(limit + 1)))
            more, ids = len(ids) > limit, ids[:limit]
            total = session.scalar(select(func.count()).select_from(candidates.photo_ids().limit(ahead).subquery()))
        photos = scope.load(session, ids)
        rows = [photos[photo_id] for photo_id in ids if photo_id in photos]
        return SearchPage([(photo, 0.0, []) for photo in rows], total,
                          encode_keyset(rows[-1].taken_at, rows[-1].id) if more and rows else None,
                          total_is_exact=total < ahead)

    def _dated_page(self, session: Session, scope: Scope, candidates: Scope, text: str, filters: Filters,
                    cursor: str | None, limit: int) -> SearchPage:
        """Words sorted by date: the candidates that hold the words or are near them in meaning, newest first, paged
        and counted as the filtered listing is (`_filtered_page`): the timeline is walked, never every match read
        and sorted (a word most of a big library carries). Results sorted by date carry no relevance score."""
        words, operator = self._holding(session, text, candidates)
        holding = self.keywords.condition(session, words, operator) if words else None
        vector_hits, cutoff = self._meaning(session, scope, candidates, text, filters)
        floors = self._floors(session, candidates, vector_hits, cutoff)
        near = {hit.photo_id for hit in fusion.fuse([], vector_hits, **floors)}
        either = [*([holding] if holding is not None else []), *([Photo.id.in_(near)] if near else [])]
        if not either:
            return SearchPage([], 0, None)
        page = self._filtered_page(session, scope, candidates.narrow(or_(*either)), cursor, limit)
        ids = [photo.id for photo, _score, _why in page.items]
        both = self.keywords.holders(session, words, operator, [i for i in ids if i in near]) if words else set()
        whys = [(pid, 0.0, [fusion.MEANING, *([fusion.KEYWORD] if pid in both else [])] if pid in near
                 else [fusion.KEYWORD]) for pid in ids]
        explained = {pid: sorted(why) for pid, _score, why in self.explain(session, text, whys)}
        page.items = [(photo, 0.0, explained[photo.id]) for photo, _score, _why in page.items]
        page.total_is_exact = page.total_is_exact and len(vector_hits) < VECTOR_K
        return page

    def _ranked(self, session: Session, scope: Scope, candidates: Scope, text: str, filters: Filters, wanted: int
                ) -> tuple[fusion.Fused, bool, KeywordHits]:
        """The best `wanted` results, whether they are all (false when the meaning hits were cut at VECTOR_K, or the
        keyword hits at `wanted`: the words of a big library's common subject match most of it), and the keyword
        hits they were fused from."""
        keywords = self._keywords(session, text, candidates, wanted)
        vector_hits, cutoff = self._meaning(session, scope, candidates, text, filters)
        hits = fusion.fuse(keywords.ids, vector_hits, **self._floors(session, candidates, vector_hits, cutoff))
        return hits, len(vector_hits) < VECTOR_K and not keywords.cut, keywords

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
    def _word_sets(text: str) -> tuple[tuple[str, str], ...]:
        """All words must match; if none does, any word but the little ones ("at", "the") may, so one word the
        photos lack does not hide the rest: (words, operator) in the order they are tried."""
        content_words = " ".join(word for word in text.split() if word.lower() not in STOPWORDS)
        return (text, "AND"), (content_words, "OR")

    def _keywords(self, session: Session, text: str, candidates: Scope, wanted: int) -> KeywordHits:
        """The best `wanted` keyword hits of the first of `_word_sets` that finds any."""
        among = candidates.photo_ids()
        for word_set, (words, operator) in enumerate(self._word_sets(text)):
            hits = self._keyword_hits(session, words, operator, among, wanted)
            if hits.ids:
                hits.word_set = word_set
                return hits
        return KeywordHits([], 0, False)

    def _keyword_hits(self, session: Session, words: str, operator: str, among: Select, wanted: int) -> KeywordHits:
        """The best `wanted` of each kind of hit of these words (AND or OR), clean words before words OCR ran
        together."""
        match = self.keywords.match(words, operator)
        ids = self.keywords.search(session, match, among, wanted) if match else []
        glued = self.keywords.substring_search(session, words, operator, among, wanted)
        cut = max(len(ids), len(glued)) >= wanted
        seen = set(ids)
        return KeywordHits(ids + [i for i in glued if i not in seen], len(ids), cut)

    def _holding(self, session: Session, text: str, candidates: Scope) -> tuple[str, str] | tuple[None, None]:
        """The words and operator that `_keywords` would find photos by (all the words, or any where no candidate
        holds them all), or (None, None) where no candidate holds any."""
        among = candidates.photo_ids()
        for words, operator in self._word_sets(text):
            if self.keywords.holds_any(session, words, operator, among):
                return words, operator
        return None, None

    def _meaning(self, session: Session, scope: Scope, candidates: Scope, text: str, filters: Filters
                 ) -> tuple[list[tuple[int, float]], dict]:
        """The candidates nearest the text in meaning (the filters' own sides passed along) and the embedder's
        cutoff; none without an embedder."""
        embedder = self._embedder()
        if embedder is None:
            return [], {}
        try:
            vector = embedder.embed_texts([text])[0]
            model = embedder.version
        except ModelUnavailable:
            return [], {}
        kind = "image" if embedder.embeds_images else "text"
        hits = self.vectors.search(session, candidates, model, vector, VECTOR_K, kind,
                                   filters.superset(scope, session))
        return hits, cutoff_for(embedder)

    @staticmethod
    def _floors(session: Session, candidates: Scope, vector_hits: list[tuple[int, float]], cutoff: dict) -> dict:
        """The cutoff's arguments for fusion, with the described photos' own floor where it has one."""
        cutoff = dict(cutoff)
        described_floor = cutoff.pop("described_floor", None)
        if described_floor is not None and vector_hits:
            ids = [photo_id for photo_id, _score in vector_hits]
            described = session.scalars(candidates.photo_ids(
                Photo.id.in_(ids), or_(Photo.caption > "", Photo.note > "")))
            cutoff["floors"] = {photo_id: described_floor for photo_id in described}
        return cutoff

    def similar(self, session: Session, scope: Scope, photo_id: int, limit: int) -> list[tuple[Photo, float]]:
        """The scope's photos nearest to this one (most similar first), the photo itself left out: by its look
        (the visual embedding, among photos whose look the same model made) where it has one, else by its
        search embedding (its words, or its pixels with an image-text model)."""
        photo = scope.get(session, photo_id)
        look_first = case((Embedding.kind == VISUAL, 0), else_=1)
        row = session.execute(scope.embeddings(Embedding.kind, Embedding.model, Embedding.vector)
                              .where(Embedding.photo_id == photo.id)
                              .order_by(look_first, Embedding.id.desc())).first()
        if row is None:
            return []
        vector = np.frombuffer(row.vector, dtype="<f2").astype(np.float32)
        found = self.vectors.search(session, scope, row.model, vector, limit + 1, row.kind)
        hits = [(i, s) for i, s in found if i != photo.id]
        photos = scope.load(session, [i for i, _ in hits[:limit]])
        return [(photos[i], s) for i, s in hits[:limit] if i in photos]
