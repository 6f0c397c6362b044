"""Vector index: cosine nearest neighbours over photo embeddings.

`VectorIndex` is the interface search code uses; `InMemoryVectorIndex` is the embedded implementation
(exact brute force over a matrix kept in memory, computed in float32), and the PostgreSQL/pgvector path
implements the same protocol. `IndexRegistry` holds one index per (user, model), built lazily.

Storage: float32 by default, float16 on request (`dtype=np.float16`, half the memory). numpy has no fast
float16 arithmetic (DESIGN.md: 15x slower matmul) and its float16->float32 cast costs about 2 ns per
element here, so a float16 index widens each block of rows through a 65536-entry float32 table (exact,
about 2x faster than the cast) before a float32 BLAS product; even so, bench/search.py measured it 2-10x
slower than float32 storage and missing the 1M-photo target on the 2-core machine, hence the default.
Blocks are split over a few threads (`np.take` and `np.matmul` release the GIL).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Protocol, runtime_checkable

import numpy as np

# Rows per block: a float32 block (1.5 MB at 384-d) stays in cache. Measured at 100k x 384 on 2 cores with
# 256/1024/4096: 1024 best for float16 (24 ms vs 51 and 98), float32 within noise (7 ms).
CHUNK_ROWS = 1024
# Below this many rows a search runs on the calling thread: the pool's overhead outweighs its help.
PARALLEL_MIN_ROWS = 32_768
# An `allowed` set smaller than this fraction of the index is searched by gathering its rows;
# a larger one by scoring everything and reading the allowed scores (both exact).
GATHER_MAX_FRACTION = 0.25

_F16_TO_F32 = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


@runtime_checkable
class VectorIndex(Protocol):
    """Cosine-similarity index of photo ids to embedding vectors."""

    def upsert(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Insert or replace the vectors of `ids` (one row of `vectors` per id)."""

    def remove(self, ids: Sequence[int]) -> None:
        """Forget `ids`; unknown ids are ignored."""

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Return up to `k` (id, cosine) pairs, best first, restricted to `allowed` ids when given."""

    def __len__(self) -> int:
        """Number of vectors held."""


def _pool() -> ThreadPoolExecutor:
    """Return the shared worker pool for parallel scans, created on first use."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="vector")
        return _POOL


def _normalise(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows in float32; zero rows stay zero."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norms > 0, norms, 1.0)


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` highest scores, best first (ties by position)."""
    if k < len(scores):
        part = np.argpartition(-scores, k - 1)[:k]
        return part[np.lexsort((part, -scores[part]))]
    return np.argsort(-scores, kind="stable")


def _last_occurrences(ids: np.ndarray) -> np.ndarray:
    """Positions of the last occurrence of each distinct id, in original order."""
    _, first_in_reversed = np.unique(ids[::-1], return_index=True)
    return np.sort(len(ids) - 1 - first_in_reversed)


class InMemoryVectorIndex:
    """Exact cosine search over a growable in-memory matrix; thread-safe."""

    def __init__(self, dim: int | None = None, dtype: type = np.float32, threads: int | None = None) -> None:
        if np.dtype(dtype) not in (np.dtype(np.float16), np.dtype(np.float32)):
            raise ValueError("dtype must be float16 or float32")
        self._dtype = np.dtype(dtype)
        self._dim = dim
        self._threads = threads if threads is not None else min(4, os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._n = 0
        self._matrix = np.empty((0, dim or 0), dtype=self._dtype)
        self._row_ids = np.empty(0, dtype=np.int64)  # row -> photo id
        self._row_of = np.full(0, -1, dtype=np.int64)  # photo id -> row, -1 when absent

    @property
    def dim(self) -> int | None:
        """Vector dimension (None until the first upsert when not given)."""
        return self._dim

    @property
    def dtype(self) -> np.dtype:
        """Storage dtype of the matrix."""
        return self._dtype

    @property
    def nbytes(self) -> int:
        """Bytes held by the index's arrays (matrix capacity, row ids and the id map)."""
        return self._matrix.nbytes + self._row_ids.nbytes + self._row_of.nbytes

    def __len__(self) -> int:
        return self._n

    def __contains__(self, photo_id: object) -> bool:
        if not isinstance(photo_id, (int, np.integer)):
            return False
        with self._lock:
            return 0 <= photo_id < len(self._row_of) and bool(self._row_of[photo_id] >= 0)

    def ids(self) -> np.ndarray:
        """Copy of the ids held, in storage order."""
        with self._lock:
            return self._row_ids[: self._n].copy()

    def vector(self, photo_id: int) -> np.ndarray | None:
        """The stored (normalised) vector of `photo_id` as float32, or None."""
        with self._lock:
            if not 0 <= photo_id < len(self._row_of) or self._row_of[photo_id] < 0:
                return None
            return self._matrix[self._row_of[photo_id]].astype(np.float32)

    def upsert(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Insert or replace the vectors of `ids`; vectors are L2-normalised; a repeated id keeps its last row."""
        id_arr = self._check_ids(ids)
        vecs = np.asarray(vectors)
        if vecs.ndim != 2 or len(vecs) != len(id_arr):
            raise ValueError("vectors must be a 2-D array with one row per id")
        if len(id_arr) == 0:
            return
        keep = _last_occurrences(id_arr)
        id_arr, vecs = id_arr[keep], _normalise(vecs[keep])
        with self._lock:
            self._check_dim(vecs.shape[1])
            self._grow_id_map(int(id_arr.max()) + 1)
            rows = self._row_of[id_arr]
            old = rows >= 0
            self._matrix[rows[old]] = vecs[old]
            self._append(id_arr[~old], vecs[~old])

    def remove(self, ids: Sequence[int]) -> None:
        """Forget `ids` by moving the last rows into their places; unknown ids are ignored."""
        id_arr = np.unique(np.asarray(ids, dtype=np.int64).reshape(-1))
        with self._lock:
            id_arr = id_arr[(id_arr >= 0) & (id_arr < len(self._row_of))]
            rows = self._row_of[id_arr]
            rows = rows[rows >= 0]
            if len(rows) == 0:
                return
            new_n = self._n - len(rows)
            holes = np.sort(rows[rows < new_n])
            tail = np.setdiff1d(np.arange(new_n, self._n), rows)  # survivors past the new end, sorted
            self._row_of[self._row_ids[rows]] = -1
            self._matrix[holes] = self._matrix[tail]
            self._row_ids[holes] = self._row_ids[tail]
            self._row_of[self._row_ids[holes]] = holes
            self._n = new_n

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Return up to `k` (id, cosine) pairs, best first; `allowed` restricts the ids searched (exactly)."""
        q = _normalise(np.asarray(query).reshape(-1))
        with self._lock:
            if k <= 0 or self._n == 0:
                return []
            if q.shape[0] != self._dim:
                raise ValueError(f"query has dimension {q.shape[0]}, index has {self._dim}")
            rows = None if allowed is None else self._rows_of(allowed)
            if rows is None:
                scores = self._scan(q)
            elif len(rows) <= GATHER_MAX_FRACTION * self._n:
                scores = self._gather_scores(q, rows)
            else:
                scores = self._scan(q)[rows]
            best = _top_k(scores, k)
            chosen = best if rows is None else rows[best]
            return list(zip(self._row_ids[chosen].tolist(), scores[best].tolist(), strict=True))

    # -- internals (called with the lock held) --

    def _check_ids(self, ids: Sequence[int]) -> np.ndarray:
        """Ids as an int64 array; they index a dense map, so they must be non-negative."""
        id_arr = np.asarray(ids, dtype=np.int64).reshape(-1)
        if len(id_arr) and id_arr.min() < 0:
            raise ValueError("photo ids must be non-negative")
        return id_arr

    def _check_dim(self, dim: int) -> None:
        """Fix the dimension on first use and refuse a different one later."""
        if self._dim is None:
            self._dim = dim
            self._matrix = np.empty((0, dim), dtype=self._dtype)
        elif dim != self._dim:
            raise ValueError(f"vectors have dimension {dim}, index has {self._dim}")

    def _grow_id_map(self, size: int) -> None:
        """Make the id -> row map cover ids below `size` (amortised doubling)."""
        if size > len(self._row_of):
            grown = np.full(max(size, 2 * len(self._row_of)), -1, dtype=np.int64)
            grown[: len(self._row_of)] = self._row_of
            self._row_of = grown

    def _append(self, ids: np.ndarray, vecs: np.ndarray) -> None:
        """Append new rows, growing the matrix by at least half its capacity when full."""
        end = self._n + len(ids)
        if end > len(self._matrix):
            capacity = max(end, len(self._matrix) * 3 // 2, 64)
            matrix = np.empty((capacity, self._dim), dtype=self._dtype)
            matrix[: self._n] = self._matrix[: self._n]
            row_ids = np.empty(capacity, dtype=np.int64)
            row_ids[: self._n] = self._row_ids[: self._n]
            self._matrix, self._row_ids = matrix, row_ids
        self._matrix[self._n : end] = vecs
        self._row_ids[self._n : end] = ids
        self._row_of[ids] = np.arange(self._n, end)
        self._n = end

    def _rows_of(self, allowed: np.ndarray) -> np.ndarray:
        """Sorted distinct rows of the allowed ids that the index holds."""
        ids = np.asarray(allowed, dtype=np.int64).reshape(-1)
        ids = ids[(ids >= 0) & (ids < len(self._row_of))]
        rows = self._row_of[ids]
        return np.unique(rows[rows >= 0])

    def _block(self, rows: np.ndarray | slice, out: np.ndarray) -> np.ndarray:
        """Rows of the matrix as float32, written into `out` (a reusable buffer)."""
        if self._dtype == np.float32:
            return self._matrix[rows]
        block = self._matrix[rows].view(np.uint16)
        return np.take(_F16_TO_F32, block, out=out[: len(block)])

    def _scan_range(self, q: np.ndarray, start: int, stop: int, out: np.ndarray) -> None:
        """Score rows start..stop into out[start:stop], one cache-sized block at a time."""
        buf = np.empty((CHUNK_ROWS, self._dim), dtype=np.float32)
        for lo in range(start, stop, CHUNK_ROWS):
            hi = min(lo + CHUNK_ROWS, stop)
            np.matmul(self._block(slice(lo, hi), buf), q, out=out[lo:hi])

    def _scan(self, q: np.ndarray) -> np.ndarray:
        """Scores of every row, split over the pool when the index is large."""
        out = np.empty(self._n, dtype=np.float32)
        parts = self._threads if self._n >= PARALLEL_MIN_ROWS else 1
        if parts == 1:
            self._scan_range(q, 0, self._n, out)
            return out
        bounds = np.linspace(0, self._n, parts + 1).astype(int).tolist()
        futures = [_pool().submit(self._scan_range, q, a, b, out) for a, b in pairwise(bounds)]
        for future in futures:
            future.result()
        return out

    def _gather_scores(self, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Scores of the given rows only (the small-filter path)."""
        out = np.empty(len(rows), dtype=np.float32)
        buf = np.empty((CHUNK_ROWS, self._dim), dtype=np.float32)
        for lo in range(0, len(rows), CHUNK_ROWS):
            hi = min(lo + CHUNK_ROWS, len(rows))
            np.matmul(self._block(rows[lo:hi], buf), q, out=out[lo:hi])
        return out


Loader = Callable[[], tuple[Sequence[int], np.ndarray]]


class IndexRegistry:
    """One vector index per (user id, model name), built on first use from a loader callback."""

    def __init__(self, factory: Callable[[], VectorIndex] = InMemoryVectorIndex) -> None:
        self._factory = factory
        self._indexes: dict[tuple[int, str], VectorIndex] = {}
        self._building: dict[tuple[int, str], threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, user_id: int, model_name: str, loader: Loader) -> VectorIndex:
        """Return the index for (user, model), building it from `loader()` once if absent."""
        key = (user_id, model_name)
        with self._lock:
            if key in self._indexes:
                return self._indexes[key]
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:  # one build per key; other keys are not blocked
            with self._lock:
                if key in self._indexes:
                    return self._indexes[key]
            index = self._factory()
            ids, vectors = loader()
            if len(ids):
                index.upsert(ids, vectors)
            with self._lock:
                self._indexes[key] = index
                self._building.pop(key, None)
            return index

    def peek(self, user_id: int, model_name: str) -> VectorIndex | None:
        """The index for (user, model) if already built (to update it incrementally), else None."""
        with self._lock:
            return self._indexes.get((user_id, model_name))

    def drop(self, user_id: int, model_name: str | None = None) -> None:
        """Forget a user's index for one model, or all of the user's indexes; the next get rebuilds."""
        with self._lock:
            for key in [key for key in self._indexes if key[0] == user_id and model_name in (None, key[1])]:
                del self._indexes[key]

    def drop_model(self, model_name: str) -> bool:
        """Forget every user's index of one model (a shared file serves it now); True if any was held."""
        with self._lock:
            keys = [key for key in self._indexes if key[1] == model_name]
            for key in keys:
                del self._indexes[key]
            return bool(keys)

    def clear(self) -> None:
        """Forget every index."""
        with self._lock:
            self._indexes.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._indexes)

