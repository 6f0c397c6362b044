"""InMemoryVectorIndex and IndexRegistry: exact cosine top-k, filters inside the search, incremental updates."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from shoebox.search import vector
from shoebox.search.vector import IndexRegistry, InMemoryVectorIndex, VectorIndex

DIM = 16


def unit(rows: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    """Random unit vectors, one per row."""
    v = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def reference(ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, k: int, dtype: type = np.float32) -> list[int]:
    """Brute-force top-k ids over the vectors as stored (rounded to `dtype`), best first."""
    stored = vectors.astype(dtype).astype(np.float32)
    scores = stored @ (query / np.linalg.norm(query))
    return [int(ids[i]) for i in np.argsort(-scores, kind="stable")[:k]]


@pytest.fixture
def filled() -> tuple[InMemoryVectorIndex, np.ndarray, np.ndarray]:
    ids = np.arange(1, 501)
    vectors = unit(500)
    index = InMemoryVectorIndex()
    index.upsert(ids, vectors)
    return index, ids, vectors


def test_implements_the_protocol():
    assert isinstance(InMemoryVectorIndex(), VectorIndex)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_top_k_matches_brute_force(filled, dtype):
    _, ids, vectors = filled
    index = InMemoryVectorIndex(dtype=dtype)
    index.upsert(ids, vectors)
    for seed in range(5):
        query = unit(1, seed=100 + seed)[0]
        got = index.search(query, 10)
        assert [photo_id for photo_id, _ in got] == reference(ids, vectors, query, 10, dtype)


def test_scores_are_cosines_best_first(filled):
    index, ids, vectors = filled
    query = vectors[41] * 3.0  # unnormalised query: still cosine
    got = index.search(query, 5)
    assert got[0][0] == ids[41]
    assert got[0][1] == pytest.approx(1.0, abs=1e-3)
    scores = [score for _, score in got]
    assert scores == sorted(scores, reverse=True)


def test_vectors_are_stored_as_float32_by_default(filled):
    index, ids, vectors = filled
    assert index.dtype == np.float32
    assert index.vector(int(ids[0])) == pytest.approx(vectors[0], abs=1e-6)


def test_float16_storage_halves_memory(filled):
    _, ids, vectors = filled
    half = InMemoryVectorIndex(dtype=np.float16)
    half.upsert(ids, vectors)
    assert half.dtype == np.float16
    assert half._matrix.nbytes == len(half._matrix) * DIM * 2
    assert half.vector(int(ids[0])) == pytest.approx(vectors[0].astype(np.float16).astype(np.float32))


def test_float16_search_is_exact_against_float16_values(filled):
    _, ids, vectors = filled
    index = InMemoryVectorIndex(dtype=np.float16)
    index.upsert(ids, vectors)
    query = unit(1, seed=9)[0]
    stored = vectors.astype(np.float16).astype(np.float32)
    expected = float(stored[3] @ query)
    scores = dict(index.search(query, len(ids)))
    assert scores[int(ids[3])] == pytest.approx(expected, abs=1e-6)


def test_empty_index_returns_nothing():
    index = InMemoryVectorIndex(dim=DIM)
    assert len(index) == 0
    assert index.search(unit(1)[0], 5) == []
    assert InMemoryVectorIndex().search(unit(1)[0], 5) == []


def test_k_larger_than_index_returns_everything_sorted(filled):
    index, ids, _ = filled
    got = index.search(unit(1, seed=3)[0], 10_000)
    assert sorted(photo_id for photo_id, _ in got) == ids.tolist()
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)


def test_k_zero_returns_nothing(filled):
    index, _, _ = filled
    assert index.search(unit(1)[0], 0) == []


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("fraction", [0.01, 0.1, 0.5, 0.9])
def test_allowed_finds_every_match_even_ranked_low_globally(filled, fraction, dtype):
    _, ids, vectors = filled
    index = InMemoryVectorIndex(dtype=dtype)
    index.upsert(ids, vectors)
    query = unit(1, seed=7)[0]
    order = reference(ids, vectors, query, len(ids), dtype)
    allowed = np.array(order[-max(1, int(fraction * len(ids))):])  # the globally worst-ranked photos
    got = index.search(query, len(allowed), allowed=allowed)
    assert [photo_id for photo_id, _ in got] == [i for i in order if i in set(allowed.tolist())]


def test_allowed_ignores_unknown_negative_and_duplicate_ids(filled):
    index, ids, vectors = filled
    query = vectors[10]
    got = index.search(query, 5, allowed=np.array([ids[10], ids[10], -4, 10**9, 99_999]))
    assert got == [(int(ids[10]), pytest.approx(1.0, abs=1e-3))]


def test_empty_allowed_returns_nothing(filled):
    index, _, _ = filled
    assert index.search(unit(1)[0], 5, allowed=np.array([], dtype=np.int64)) == []


def test_upsert_replaces_an_existing_vector(filled):
    index, ids, vectors = filled
    index.upsert([int(ids[0])], vectors[1:2])
    assert len(index) == len(ids)
    assert {photo_id for photo_id, _ in index.search(vectors[1], 2)} == {int(ids[0]), int(ids[1])}


def test_upsert_with_a_repeated_id_keeps_the_last_vector():
    index = InMemoryVectorIndex()
    v = unit(2)
    index.upsert([5, 5], v)
    assert len(index) == 1
    assert index.vector(5) == pytest.approx(v[1], abs=1e-3)


def test_upsert_normalises_vectors():
    index = InMemoryVectorIndex()
    index.upsert([1], np.full((1, DIM), 7.0))
    assert np.linalg.norm(index.vector(1)) == pytest.approx(1.0, abs=1e-3)


def test_upsert_grows_incrementally_and_keeps_everything():
    index = InMemoryVectorIndex()
    vectors = unit(1000)
    for start in range(0, 1000, 37):
        index.upsert(range(start, min(start + 37, 1000)), vectors[start : start + 37])
    assert len(index) == 1000
    for i in (0, 500, 999):
        assert index.search(vectors[i], 1)[0][0] == i


def test_remove_forgets_ids_and_keeps_the_rest_findable(filled):
    index, ids, vectors = filled
    gone = ids[::3]
    index.remove(gone.tolist() + [123_456])  # unknown ids are ignored
    assert len(index) == len(ids) - len(gone)
    assert int(gone[0]) not in index
    kept = np.setdiff1d(ids, gone)
    assert sorted(index.ids().tolist()) == kept.tolist()
    for i in np.flatnonzero(np.isin(ids, kept))[:50]:
        assert index.search(vectors[i], 1)[0][0] == ids[i]
    found = {photo_id for photo_id, _ in index.search(unit(1)[0], len(ids))}
    assert found == set(kept.tolist())


def test_remove_everything_then_reinsert(filled):
    index, ids, vectors = filled
    index.remove(ids)
    assert len(index) == 0
    assert index.search(vectors[0], 3) == []
    index.upsert([int(ids[0])], vectors[:1])
    assert index.search(vectors[0], 3)[0][0] == ids[0]


def test_wrong_dimension_and_negative_ids_are_refused(filled):
    index, _, _ = filled
    with pytest.raises(ValueError):
        index.upsert([1], unit(1, dim=DIM + 1))
    with pytest.raises(ValueError):
        index.search(unit(1, dim=DIM + 1)[0], 3)
    with pytest.raises(ValueError):
        index.upsert([-1], unit(1))
    with pytest.raises(ValueError):
        index.upsert([1, 2], unit(1))


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_parallel_scan_matches_single_threaded(monkeypatch, dtype):
    ids, vectors = np.arange(3000), unit(3000)
    single = InMemoryVectorIndex(dtype=dtype, threads=1)
    single.upsert(ids, vectors)
    monkeypatch.setattr(vector, "PARALLEL_MIN_ROWS", 100)
    monkeypatch.setattr(vector, "CHUNK_ROWS", 64)
    parallel = InMemoryVectorIndex(dtype=dtype, threads=3)
    parallel.upsert(ids, vectors)
    query = unit(1, seed=5)[0]
    assert parallel.search(query, 20) == single.search(query, 20)
    allowed = ids[::2]
    assert parallel.search(query, 20, allowed) == single.search(query, 20, allowed)


def test_concurrent_upserts_and_searches_do_not_corrupt():
    index = InMemoryVectorIndex()
    vectors = unit(2000)
    index.upsert(range(1000), vectors[:1000])
    errors: list[Exception] = []

    def writer() -> None:
        for start in range(1000, 2000, 50):
            index.upsert(range(start, start + 50), vectors[start : start + 50])
            index.remove(range(start - 1000, start - 950))

    def reader() -> None:
        try:
            for i in range(200):
                assert len(index.search(vectors[i], 5)) == 5
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(index.ids().tolist()) == list(range(1000, 2000))


def test_registry_builds_once_per_user_and_model():
    calls: list[tuple[int, str]] = []

    def loader_for(user_id: int, model: str):
        def load():
            calls.append((user_id, model))
            return [user_id * 10 + 1], unit(1, seed=user_id)
        return load

    registry = IndexRegistry()
    a = registry.get(1, "minilm", loader_for(1, "minilm"))
    assert registry.get(1, "minilm", loader_for(1, "minilm")) is a
    b = registry.get(2, "minilm", loader_for(2, "minilm"))
    assert a is not b and a.ids().tolist() == [11] and b.ids().tolist() == [21]
    assert calls == [(1, "minilm"), (2, "minilm")] and len(registry) == 2


def test_registry_drop_forces_a_rebuild_and_empty_loaders_work():
    registry = IndexRegistry()
    empty = registry.get(1, "m", lambda: ([], np.empty((0, DIM))))
    assert len(empty) == 0
    registry.drop(1)
    assert len(registry) == 0
    rebuilt = registry.get(1, "m", lambda: ([3], unit(1)))
    assert len(rebuilt) == 1 and len(registry) == 1


def test_registry_concurrent_gets_build_once():
    calls = []
    start = threading.Barrier(4)

    def load():
        calls.append(1)
        return [1], unit(1)

    def get():
        start.wait()
        registry.get(7, "m", load)

    registry = IndexRegistry()
    threads = [threading.Thread(target=get) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]
