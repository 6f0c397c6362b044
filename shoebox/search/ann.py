"""Approximate nearest neighbours saved beside the database and shared by every process through memory maps.

One folder per embedding kind and model under DATA_DIR/vectors (`text-<hash of the model name>`); each saved
generation is a sub-folder `g<generation>-w<watermark>` holding
- `graph.usearch`: an HNSW graph (usearch) over int8 copies of the vectors, keyed by photo id;
- `ids.npy` (the photo ids, sorted) and `vectors.npy` (their vectors, row for row, as brute force holds them: the
  float16 BLOBs widened to float32 and normalised);
where the watermark is the largest `embeddings.id` it holds: rows above it are newer than the file.

A generation is written in a temporary folder, owner-only, and renamed into place, so a reader never sees half of
one; it is opened with `Index.restore(view=True)` and `np.load(mmap_mode="r")`, so the processes of a host (every
gunicorn worker) read the same page-cache pages instead of each holding a copy, and opening it costs milliseconds
whatever its size. Searches: the graph proposes candidates (int8: small, quick to build, approximate) and each is
scored again exactly from `vectors.npy`, so the scores and the order returned are those of brute force over the
same rows; only recall is approximate (measured in bench/README.md). float32 rather than float16 for the vectors:
numpy widens float16 at about 3-10 ns an element (bench/README.md), which made rescoring 1,000 candidates cost more
than the graph search; the pages are shared, so their size is paid once per host, not per worker.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from usearch.index import Index

from shoebox.private_files import DIR_MODE, FILE_MODE, private_dir, write_private

log = logging.getLogger(__name__)

GRAPH, IDS, VECTORS, ABOUT = "graph.usearch", "ids.npy", "vectors.npy", "about.json"
#: HNSW links per node and candidates kept while linking: usearch's default 16 links reached a recall@10 of only
#: 0.92 (200 candidates) on 200k clustered vectors, 32 reached 1.00 for about 20% more build time (bench/README.md).
CONNECTIVITY, EXPANSION_ADD = 32, 128
#: Rows converted per block while building or scoring (bounds the float32 copies).
BLOCK = 8192
#: Rows gathered per block while scoring (512 x 384 float32: 0.75 MB, within a core's cache; bench/README.md).
SCORE_BLOCK = 512
#: Bytes per read-ahead hint: Linux reads at most its read-ahead window (8 MB here) for one POSIX_FADV_WILLNEED.
PREFETCH_STEP = 8 << 20
_GENERATION = re.compile(r"^g(\d+)-w(\d+)$")


class UnreadableIndex(Exception):
    """A saved index that cannot be opened (cut short, overwritten, from another format): rebuild it."""


@dataclass(frozen=True)
class Generation:
    """Where one saved generation lies, its number and the largest embedding row id it holds."""

    path: Path
    number: int
    watermark: int


def folder_name(kind: str, model: str) -> str:
    """The folder of one kind and model (the model name hashed: it may hold slashes)."""
    return f"{kind}-{hashlib.sha256(model.encode()).hexdigest()[:16]}"


def latest(folder: Path) -> Generation | None:
    """The newest generation saved in `folder`, or None."""
    best: Generation | None = None
    with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
        for entry in entries:
            found = _GENERATION.match(entry.name)
            if found and (best is None or int(found[1]) > best.number):
                best = Generation(Path(entry.path), int(found[1]), int(found[2]))
    return best


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Rows as unit float32 vectors (zero rows stay zero), as the in-memory index stores them."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norms > 0, norms, 1.0)


def exact_scores(vectors: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosines of the unit `query` with the unit rows `vectors[rows]`, SCORE_BLOCK rows at a time gathered into one
    buffer that stays in the CPU's cache (8192-row blocks, each a new 12 MB array, cost 5x the CPU time)."""
    out = np.empty(len(rows), dtype=np.float32)
    source = vectors.view(np.ndarray) if isinstance(vectors, np.memmap) else vectors
    buffer = np.empty((min(SCORE_BLOCK, len(rows)), vectors.shape[1]), dtype=np.float32)
    for lo in range(0, len(rows), SCORE_BLOCK):
        block = rows[lo:lo + SCORE_BLOCK]
        np.take(source, block, axis=0, out=buffer[:len(block)])
        np.matmul(buffer[:len(block)], query, out=out[lo:lo + len(block)])
    return out


def prefetch(paths: list[Path]) -> threading.Thread | None:
    """Have the kernel read the files into the page cache, on a background thread; returns it (None: not asked).

    A graph search and its rescoring touch pages all over the files: while they are on disk (a reboot, a backup
    or other reading since), the first searches wait on reads page by page. A worker's first search at 1M with
    the page cache emptied: 0.97 s, 65 ms with the files read ahead from its warm-up (bench/README.md). The hints
    are asynchronous reads (2.2 GB at 1M: under 2 s, nothing copied into this process); files larger than half
    the machine's memory are left to demand paging."""
    if not hasattr(os, "posix_fadvise"):
        return None
    with contextlib.suppress(OSError, ValueError):
        if sum(path.stat().st_size for path in paths) > os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2:
            return None
    thread = threading.Thread(target=_read_ahead, args=(paths,), name="ann-prefetch", daemon=True)
    thread.start()
    return thread


def _read_ahead(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDONLY)
            try:
                for offset in range(0, os.fstat(fd).st_size, PREFETCH_STEP):
                    os.posix_fadvise(fd, offset, PREFETCH_STEP, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(fd)


class AnnFile:
    """One saved generation, mapped read-only; searches may run from several threads at once."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        try:
            self.graph = Index.restore(generation.path / GRAPH, view=True, enable_key_lookups=False)
            self.ids = np.load(generation.path / IDS, mmap_mode="r")
            self.vectors = np.load(generation.path / VECTORS, mmap_mode="r")
        except (OSError, ValueError, RuntimeError) as exc:
            raise UnreadableIndex(f"{generation.path}: {exc}") from exc
        if self.graph is None or not (len(self.graph) == len(self.ids) == len(self.vectors)) \
                or self.vectors.dtype != np.float32 or self.vectors.shape[1] != self.graph.ndim:
            raise UnreadableIndex(f"{generation.path}: its parts do not match")
        self.prefetching = prefetch([generation.path / GRAPH, generation.path / VECTORS])

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def watermark(self) -> int:
        return self.generation.watermark

    def search(self, query: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """About the `count` nearest (ids, exact cosines), best first: the graph's candidates, scored exactly."""
        if count <= 0 or len(self) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        keys = self.graph.search(np.asarray(query, dtype=np.float32), min(count, len(self)), threads=1).keys
        return self.score(query, np.asarray(keys, dtype=np.int64))

    def score(self, query: np.ndarray, ids: np.ndarray, top: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The exact cosines of those of `ids` the file holds, best first (ties by id); with `top`, only the best
        `top` of them (and any tied with the last) are sorted and returned."""
        ids, scores = self.scored(query, ids)
        if top is not None and top < len(scores):
            kept = scores >= np.partition(scores, len(scores) - top)[len(scores) - top]
            ids, scores = ids[kept], scores[kept]
        best = np.lexsort((ids, -scores))
        return ids[best], scores[best]

    def scored(self, query: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The exact cosines of those of `ids` the file holds, in file order (unsorted by score)."""
        ids = np.asarray(ids, dtype=np.int64)
        rows = np.minimum(np.searchsorted(self.ids, ids), max(len(self.ids) - 1, 0))
        held = (self.ids[rows] == ids) if len(self.ids) else np.zeros(len(ids), dtype=bool)
        ids, rows = ids[held], rows[held]
        if len(rows) > 1 and np.any(rows[1:] < rows[:-1]):  # read the map in file order
            order = np.argsort(rows, kind="stable")
            ids, rows = ids[order], rows[order]
        return ids, exact_scores(self.vectors, rows, query)

    def all_ids(self) -> np.ndarray:
        """The photo ids held (a read-only view of the map)."""
        return self.ids


@contextlib.contextmanager
def writer_lock(folder: Path, wait: bool) -> Iterator[bool]:
    """Hold the folder's writer lock (one writer at a time across processes); yields False when `wait` is off
    and another process holds it."""
    private_dir(folder)
    fd = os.open(folder / "writer.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def _new_graph(dim: int) -> Index:
    return Index(ndim=dim, metric="cos", dtype="i8", connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD)


def _add(graph: Index, ids: np.ndarray, vectors: np.ndarray, threads: int) -> None:
    for lo in range(0, len(ids), BLOCK * 8):
        graph.add(ids[lo:lo + BLOCK * 8], np.asarray(vectors[lo:lo + BLOCK * 8], dtype=np.float32), threads=threads)


@dataclass
class Changes:
    """What a new generation holds: the base's rows still `live` (photo ids), and rows new since (or replacing)."""

    live: np.ndarray
    new_ids: np.ndarray
    new_vectors: np.ndarray
    watermark: int


def _graph(base: AnnFile | None, dim: int, gone: np.ndarray, changes: Changes, threads: int) -> Index:
    """The base's graph loaded and patched (`gone` removed, the new rows added), or a new graph of the new rows."""
    if base is None:
        graph = _new_graph(dim)
    else:
        graph = Index.restore(str(base.generation.path / GRAPH))  # loaded, not viewed: it is changed
        if graph is None:
            raise UnreadableIndex(str(base.generation.path))
        if len(gone):
            graph.remove(gone)
    _add(graph, changes.new_ids, changes.new_vectors, threads)
    return graph


def _write_arrays(folder: Path, base: AnnFile | None, kept: np.ndarray, changes: Changes) -> None:
    """ids.npy and vectors.npy of the base's `kept` rows and the new rows, sorted by id, written a block at a time
    (a million rows never sit in memory twice)."""
    base_ids = np.asarray(base.ids)[kept] if base is not None else np.empty(0, dtype=np.int64)
    ids = np.concatenate([base_ids, changes.new_ids.astype(np.int64)])
    order = np.argsort(ids, kind="stable")
    _save_array(folder / IDS, ids[order])
    dim = changes.new_vectors.shape[1] if base is None else base.vectors.shape[1]
    out = np.lib.format.open_memmap(folder / VECTORS, mode="w+", dtype=np.float32, shape=(len(ids), dim))
    for lo in range(0, len(order), BLOCK * 8):
        chunk = order[lo:lo + BLOCK * 8]
        from_base = chunk < len(base_ids)
        if base is not None:
            out[lo:lo + len(chunk)][from_base] = base.vectors[kept[chunk[from_base]]]
        out[lo:lo + len(chunk)][~from_base] = normalised(changes.new_vectors[chunk[~from_base] - len(base_ids)])
    out.flush()
    del out


def _save_array(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, array, allow_pickle=False)


def write(folder: Path, base: AnnFile | None, changes: Changes, threads: int = 0,
          about: dict[str, str] | None = None) -> Generation:
    """Save the next generation: `base` patched with `changes` (or built anew from them when there is no base);
    call with the writer lock held. Older generations but the one before are removed. `about` (kind, model) is
    kept beside them, so the folder says what it holds."""
    private_dir(folder)
    if about is not None:
        write_private(folder / ABOUT, json.dumps(about))
    previous = latest(folder)
    number = (previous.number if previous else 0) + 1
    if base is not None:
        base_ids = np.asarray(base.ids)
        kept = np.flatnonzero(np.isin(base_ids, changes.live) & ~np.isin(base_ids, changes.new_ids))
        gone = np.setdiff1d(base_ids, base_ids[kept])
    else:
        kept, gone = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    dim = base.vectors.shape[1] if base is not None else changes.new_vectors.shape[1]
    tmp = folder / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(mode=DIR_MODE)
    try:
        _write_arrays(tmp, base, kept, changes)
        _graph(base, dim, gone, changes, threads).save(str(tmp / GRAPH))
        for name in (GRAPH, IDS, VECTORS):  # owner-only (the folder already is) and on disk before the rename
            os.chmod(tmp / name, FILE_MODE)
            with open(tmp / name, "rb") as handle:
                os.fsync(handle.fileno())
        final = folder / f"g{number:08d}-w{changes.watermark}"
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _sync_dir(folder)
    _prune(folder, keep={final.name, previous.path.name if previous else ""})
    return Generation(final, number, changes.watermark)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove older generations and leftovers of interrupted writes (a reader that still maps one keeps its pages
    until it lets go: unlinking a mapped file is safe)."""
    for entry in os.scandir(folder):
        stale = _GENERATION.match(entry.name) or entry.name.startswith(".tmp-")
        if entry.is_dir() and stale and entry.name not in keep:
            shutil.rmtree(entry.path, ignore_errors=True)


class AnnFiles:
    """The saved indexes under one directory, each mapped once per process and mapped again when a newer
    generation appears (a directory listing per search tells)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._open: dict[str, AnnFile] = {}
        self._failed: dict[str, Generation] = {}
        self._lock = threading.Lock()

    def folder(self, kind: str, model: str) -> Path:
        return self.root / folder_name(kind, model)

    def current(self, kind: str, model: str) -> AnnFile | None:
        """The newest saved generation for (kind, model), or None; raises UnreadableIndex when it cannot be read."""
        return self._current(folder_name(kind, model))

    def saved(self) -> list[tuple[str, str, AnnFile]]:
        """(kind, model, newest generation) of every readable saved index."""
        found = []
        with contextlib.suppress(FileNotFoundError), os.scandir(self.root) as entries:
            for entry in entries:
                with contextlib.suppress(OSError, ValueError, KeyError, UnreadableIndex):
                    about = json.loads((Path(entry.path) / ABOUT).read_text())
                    current = self._current(entry.name)
                    if current is not None:
                        found.append((about["kind"], about["model"], current))
        return found

    def open_all(self) -> int:
        """Map the newest generation of every saved index now (a worker starting up); returns how many opened."""
        opened = 0
        with contextlib.suppress(FileNotFoundError), os.scandir(self.root) as entries:
            for entry in entries:
                try:
                    opened += entry.is_dir() and self._current(entry.name) is not None
                except UnreadableIndex as exc:
                    log.warning("vector index unreadable, searches fall back to brute force: %s", exc)
        return opened

    def _current(self, name: str) -> AnnFile | None:
        newest = latest(self.root / name)
        with self._lock:
            held = self._open.get(name)
            if newest is None:
                self._open.pop(name, None)
                return None
            if held is not None and held.generation == newest:
                return held
            if self._failed.get(name) == newest:
                raise UnreadableIndex(f"{newest.path} could not be read")
            try:
                opened = AnnFile(newest)
            except UnreadableIndex:
                self._failed[name] = newest
                raise
            self._open[name] = opened
            return opened
