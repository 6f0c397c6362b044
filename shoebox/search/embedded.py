"""Meaning search on the embedded install (SQLite): a saved HNSW index shared by every process, brute force below it.

- Small libraries: exact brute force over the owner's embeddings, loaded from their BLOBs into this process
  (`IndexRegistry`, one in-memory matrix per owner and model) and topped up with newer rows.
- Once an owner's library of one model reaches `min_photos` rows (the measured crossover, VECTOR_INDEX_MIN_PHOTOS),
  an update is requested (a job; `flask shoebox reindex --only vectors` does it at once): one index per embedding
  kind and model, for every user, keyed by photo id, saved in DATA_DIR/vectors (shoebox.search.ann) and mapped by
  every process. From then on searches use it and the in-memory copies are let go.
- Rows newer than the file (its watermark) are read from the database at each search, as cheaply as a primary-key
  range allows, into a small exact in-memory "delta" per process, so a photo embedded by the worker is found by
  every web process at once; when the delta passes `DELTA_MAX` rows, an update folds it into a new generation of
  the file (the graph loaded, patched, saved, and the readers map the new one).
- Filtered searches stay exact: the scope's ids from SQL, their vectors from the shared file, every one scored. The
  filters with an index of their own (tag, camera, format, album, date range, person, favourites) give a superset
  read from those indexes and intersected (`among`, Filters.superset): all of it scored, the best checked against
  the scope in rank order (listing the scope's ids walked the owner's whole timeline: 0.3 s at 1M); this
  exact scoring is shoebox.search.exact's.
- The graph holds every user's photos: for a whole library, its candidates are kept to the viewer's scope (owner,
  Trash) in one query on their ids. When too few of them are visible (another user's photos), the search asks the
  graph for more, or, when the scope's share is small, scores the scope's own rows exactly: a small library in a
  big instance still gets all of its results.
- The file holds every stored photo, trashed ones too (a restore needs no rebuild): trashed, deleted and other
  users' photos leave at read time, through the viewer's Scope (owner, Trash, filters), never by the file; photos
  deleted for good leave the file at its next update.
  A missing, cut short or unreadable file is answered by brute force while an update rebuilds it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shoebox.models import Embedding
from shoebox.scope import Scope
from shoebox.search import ann
from shoebox.search.ann import AnnFile, AnnFiles, Changes, Generation, UnreadableIndex
from shoebox.search.exact import MIN_CANDIDATES, Among, Hit, best_scored, exact_among, id_array, visible_ids
from shoebox.search.vector import IndexRegistry, InMemoryVectorIndex, VectorIndex

log = logging.getLogger(__name__)

#: Most candidates asked of the graph before the scope's own rows are scored exactly instead.
MAX_CANDIDATES = 10_000
#: Candidates asked for the second time: this many times what the visible share of the first suggests (1.3: a
#: third round was rare in bench; 2 cost about 40% more graph time on a 10% filter at 1M).
GROWTH = 1.3
#: A scope estimated to hold fewer rows than this is scored exactly when the graph's candidates fall short.
EXACT_MAX_ROWS = 50_000
#: A library of at most this many photos is scored exactly, never through the shared graph: its ids and vectors
#: read at once cost less than the graph's candidates checked against it (a 1,000-photo user among 100,000: 1.5 ms
#: against 8-10; bench/README.md), and the answer is exact.
EXACT_LIBRARY_ROWS = 10_000
#: Rows newer than the file a process keeps in memory before an update folds them into the file.
DELTA_MAX = 10_000
#: Searches of the in-memory brute-force index again after dropping photos that left the scope.
STALE_RETRIES = 3
#: Seconds after which a search asks again for an update it asked for (the state it saw still there).
REQUEST_AGAIN_S = 600
#: Rows read from the database per fetch while building.
FETCH = 20_000


def _normalise(vector: np.ndarray) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def _blobs(rows: Sequence, dim: int | None = None) -> np.ndarray:
    """float16 vectors of (..., vector BLOB) rows, one per row."""
    if not rows:
        return np.empty((0, dim or 0), dtype=np.float16)
    return np.frombuffer(b"".join(row[-1] for row in rows), dtype="<f2").reshape(len(rows), -1).astype(np.float16)


@dataclass
class Delta:
    """Rows newer than one generation of the file, held by this process (exact)."""

    generation: Generation
    seen: int
    index: InMemoryVectorIndex = field(default_factory=InMemoryVectorIndex)
    lock: threading.Lock = field(default_factory=threading.Lock)


class MemoryVectorStore:
    """Meaning search for SQLite installs (see the module's docstring); thread-safe."""

    def __init__(self, files: AnnFiles | None = None, min_photos: int = 0,
                 request_update: Callable[[str, str], None] | None = None) -> None:
        self.registry = IndexRegistry()
        self.files = files
        self.min_photos = min_photos
        self._request_update = request_update
        self._seen: dict[tuple[int, str], int] = {}
        self._deltas: dict[tuple[str, str], Delta] = {}
        self._requested: set[tuple[str, str, object]] = set()
        self._lock = threading.Lock()

    def search(self, session: Session, scope: Scope, model: str, vector: np.ndarray, k: int, kind: str,
               among: Among | None = None) -> list[Hit]:
        """Up to `k` (photo id, cosine) of the scope's photos embedded by `model` (as `kind`), best first. `among`:
        photo ids holding every photo of the (narrowed) scope, more allowed (Filters.superset)."""
        found = self._file(kind, model)
        if found is None:
            index = self.index(session, scope, model)
            if self.files is not None and self.min_photos and len(index) >= self.min_photos:
                self._request(kind, model, "missing")
            return self._brute(session, scope, index, vector, k)
        self.registry.drop_model(model)  # the file serves now: let the brute-force copies go
        delta = self._delta(session, kind, model, found)
        if len(delta.index) >= DELTA_MAX:
            self._request(kind, model, ("delta", found.generation.number))
        if among is not None and not scope.whole_library:
            return exact_among(session, scope, among, found, delta.index, _normalise(vector), k)
        return self._approximate(session, scope, found, delta.index, _normalise(vector), k)

    def forget(self, owner_id: int, photo_ids: Sequence[int] | None = None) -> None:
        """Remove these photos from what this process holds (every model), or drop the owner's in-memory indexes."""
        with self._lock:
            models = [key[1] for key in self._seen if key[0] == owner_id]
            if photo_ids is None:
                for model in models:
                    del self._seen[(owner_id, model)]
            deltas = list(self._deltas.values())
        if photo_ids is not None:
            for delta in deltas:
                delta.index.remove(list(photo_ids))
        if photo_ids is None:
            self.registry.drop(owner_id)
            return
        for model in models:
            index = self.registry.peek(owner_id, model)
            if index is not None:
                index.remove(list(photo_ids))

    def warm_up(self) -> int:
        """Map every saved index now (a starting worker), so the first search does not wait; returns how many."""
        return self.files.open_all() if self.files is not None else 0

    # -- the saved index ---------------------------------------------------------------------------
    def _file(self, kind: str, model: str) -> AnnFile | None:
        if self.files is None:
            return None
        try:
            return self.files.current(kind, model)
        except UnreadableIndex as exc:
            if self._request(kind, model, ("unreadable", str(exc))):
                log.warning("vector index unreadable (%s); searching by brute force while it is rebuilt", exc)
            return None

    def _request(self, kind: str, model: str, why: object) -> bool:
        """Ask for the file to be built or brought up to date: once per state seen, and again every
        REQUEST_AGAIN_S while it lasts (a job that failed, a worker that was down)."""
        key = (kind, model, why, int(time.monotonic() // REQUEST_AGAIN_S))
        with self._lock:
            if self._request_update is None or key in self._requested:
                return False
            self._requested.add(key)
        self._request_update(kind, model)
        return True

    def _delta(self, session: Session, kind: str, model: str, found: AnnFile) -> Delta:
        """This process's rows newer than the file, topped up with any row newer than the last look."""
        with self._lock:
            delta = self._deltas.get((kind, model))
            if delta is None or delta.generation != found.generation:
                delta = self._deltas[(kind, model)] = Delta(found.generation, found.watermark)
        with delta.lock:
            rows = session.execute(select(Embedding.id, Embedding.photo_id, Embedding.vector)
                                   .where(Embedding.model == model, Embedding.kind == kind,
                                          Embedding.id > delta.seen).order_by(Embedding.id)).all()
            if rows:
                delta.index.upsert([row[1] for row in rows], _blobs(rows))
                delta.seen = rows[-1][0]
        return delta

    def _approximate(self, session: Session, scope: Scope, found: AnnFile, delta: InMemoryVectorIndex,
                     query: np.ndarray, k: int) -> list[Hit]:
        """A narrowed scope (filters, an album, the Trash, a share link): its rows scored exactly, as brute force
        does. The whole library: the graph's candidates (and the delta's) kept to the scope; more of them, or the
        scope's rows scored exactly, when too few are visible (a small library in a big instance)."""
        if not scope.whole_library or scope.library_size(session) <= EXACT_LIBRARY_ROWS:
            return self._exact(session, scope, found, delta, query, k)
        total = len(found) + len(delta)
        count = min(total, k + max(k // 4, MIN_CANDIDATES))
        while True:
            ranked = self._candidates(found, delta, query, count)
            visible = visible_ids(session, scope, [photo_id for photo_id, _ in ranked])
            hits = [hit for hit in ranked if hit[0] in visible][:k]
            if len(hits) >= k or not ranked:
                return hits
            share = max(len(hits), 1) / len(ranked)
            if share * total <= EXACT_MAX_ROWS or count >= min(total, MAX_CANDIDATES):
                return self._exact(session, scope, found, delta, query, k)
            count = min(total, MAX_CANDIDATES, int(GROWTH * k / share))

    @staticmethod
    def _candidates(found: AnnFile, delta: InMemoryVectorIndex, query: np.ndarray, count: int) -> list[Hit]:
        """About `count` nearest of the file and the delta, best first; a photo in the delta has its newer vector."""
        ids, scores = found.search(query, count)
        fresh = delta.search(query, count) if len(delta) else []
        if fresh:
            keep = ~np.isin(ids, delta.ids())
            ids, scores = ids[keep], scores[keep]
        merged = list(zip(ids.tolist(), scores.tolist(), strict=True)) + fresh
        return sorted(merged, key=lambda hit: (-hit[1], hit[0]))

    @staticmethod
    def _exact(session: Session, scope: Scope, found: AnnFile, delta: InMemoryVectorIndex, query: np.ndarray,
               k: int) -> list[Hit]:
        """Every row of the scope scored exactly: its ids from SQL, its vectors from the file (or the delta)."""
        return best_scored(found, delta, query, id_array(session, scope.photo_ids()), k)

    # -- brute force (small libraries) -------------------------------------------------------------
    def _brute(self, session: Session, scope: Scope, index: VectorIndex, vector: np.ndarray, k: int) -> list[Hit]:
        """Exact search of the owner's in-memory index (every photo the owner stores, in Trash too: a restored photo
        is found again at once), within the scope: a narrowed scope passes its ids; the whole library leaves out the
        ids in Trash (few, read through the Trash's own index) and checks its hits, dropping any gone for good."""
        if not scope.whole_library:
            allowed = np.fromiter(session.scalars(scope.photo_ids()), dtype=np.int64)
            return index.search(vector, k, allowed=allowed)
        trashed = set(session.scalars(scope.trash().photo_ids()))
        for _ in range(STALE_RETRIES):
            allowed = np.setdiff1d(index.ids(), np.fromiter(trashed, dtype=np.int64)) if trashed else None
            hits = index.search(vector, k, allowed=allowed)
            visible = scope.visible(session, [photo_id for photo_id, _ in hits])
            stale = [photo_id for photo_id, _ in hits if photo_id not in visible]
            if not stale:
                break
            kept = scope.stored().visible(session, stale)  # trashed since: kept for a restore
            index.remove([photo_id for photo_id in stale if photo_id not in kept])
            trashed |= kept
        return [(photo_id, score) for photo_id, score in hits if photo_id in visible]

    def index(self, session: Session, scope: Scope, model: str) -> VectorIndex:
        """The owner's in-memory index for `model` (every photo stored, in Trash or not), built on first use and
        topped up with newer embeddings."""
        stored, key = scope.stored(), (scope.owner_id, model)
        index = self.registry.get(scope.owner_id, model, lambda: self._load(session, stored, model, 0))
        ids, vectors = self._load(session, stored, model, self._seen.get(key, 0))
        if len(ids):
            index.upsert(ids, vectors)
        return index

    def _load(self, session: Session, stored: Scope, model: str, after: int) -> tuple[list[int], np.ndarray]:
        rows = session.execute(stored.embeddings(Embedding.id, Embedding.photo_id, Embedding.vector)
                               .where(Embedding.model == model, Embedding.id > after).order_by(Embedding.id)).all()
        if not rows:
            return [], np.empty((0, 0), dtype=np.float16)
        with self._lock:
            key = (stored.owner_id, model)
            self._seen[key] = max(self._seen.get(key, 0), rows[-1][0])
        return [row[1] for row in rows], _blobs(rows)


def update_index(session: Session, files: AnnFiles, kind: str, model: str, rebuild: bool = False,
                 wait: bool = False, threads: int = 0) -> Generation | None:
    """Bring the saved index of (kind, model) up to date with the rows: fold the rows newer than it in and drop
    the photos gone since (or build it anew: `rebuild`, or no readable file). Returns the generation written, or
    None when another process is writing it (`wait` off) or there is nothing to index."""
    folder = files.folder(kind, model)
    with ann.writer_lock(folder, wait) as held:
        if not held:
            return None
        try:
            base = None if rebuild else files.current(kind, model)
        except UnreadableIndex:
            base = None
        after = base.watermark if base is not None else 0
        changes = _changes(session, kind, model, after, dim=base.vectors.shape[1] if base is not None else None)
        if changes is None or (base is not None and not len(changes.new_ids) and len(changes.live) == len(base)):
            return None if base is None else base.generation
        generation = ann.write(folder, base, changes, threads, about={"kind": kind, "model": model})
    log.info("vector index %s/%s: generation %d, %d new rows", kind, model, generation.number, len(changes.new_ids))
    return generation


def _changes(session: Session, kind: str, model: str, after: int, dim: int | None) -> Changes | None:
    """The rows above `after` (their photo ids and vectors) and the photo ids of the rows up to it still there."""
    where = (Embedding.model == model, Embedding.kind == kind)
    live = np.fromiter(session.scalars(select(Embedding.photo_id).where(*where, Embedding.id <= after)),
                       dtype=np.int64) if after else np.empty(0, dtype=np.int64)
    result = session.execute(select(Embedding.id, Embedding.photo_id, Embedding.vector)
                             .where(*where, Embedding.id > after).order_by(Embedding.id))
    ids, blocks, watermark = [], [], after
    while rows := result.fetchmany(FETCH):
        ids.append(np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows)))
        blocks.append(_blobs(rows))
        watermark = rows[-1][0]
    if not blocks and dim is None:
        return None
    new_ids = np.concatenate(ids) if ids else np.empty(0, dtype=np.int64)
    new_vectors = np.concatenate(blocks) if blocks else np.empty((0, dim), dtype=np.float16)
    return Changes(live, new_ids, new_vectors, watermark)


def fold_due(session: Session, files: AnnFiles) -> list[Generation]:
    """Fold the rows newer than each saved index into it where DELTA_MAX or more have gathered (the analysis
    worker, after a batch); an index another process is writing is left to it."""
    written = []
    for kind, model, found in files.saved():
        newer = session.scalar(select(func.count()).select_from(Embedding).where(
            Embedding.id > found.watermark, Embedding.model == model, Embedding.kind == kind))
        if newer >= DELTA_MAX and (generation := update_index(session, files, kind, model)) is not None:
            written.append(generation)
    return written
