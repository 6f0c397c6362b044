"""Grouping descriptors into people, on synthetic 128-d descriptors with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from shoebox.ai import clustering


def _unit(rng: np.random.Generator) -> np.ndarray:
    vector = rng.normal(size=128)
    return vector / np.linalg.norm(vector)


@pytest.fixture
def groups():
    """Two tight groups (faces 0.1-0.2 apart, people ~0.9 apart, as dlib gives) and three loners."""
    rng = np.random.default_rng(7)
    alice, bob = 0.45 * _unit(rng), -0.45 * _unit(rng)

    def member(centre):
        return (centre + 0.07 * _unit(rng)).astype(np.float32)

    faces = [member(alice) for _ in range(5)] + [member(bob) for _ in range(4)]
    loners = [(0.45 * _unit(rng)).astype(np.float32) for _ in range(3)]
    order = [0, 5, 9, 1, 6, 2, 10, 7, 3, 8, 4, 11]  # interleaved, as photos arrive
    rows = np.stack(faces + loners)[order]
    truth = (["alice"] * 5 + ["bob"] * 4 + ["loner1", "loner2", "loner3"])
    return rows, [truth[i] for i in order], alice, bob


def test_recluster_finds_the_two_people_and_leaves_loners_alone(groups):
    rows, truth, _, _ = groups
    labels = clustering.recluster(rows)
    by_label: dict[int, set[str]] = {}
    for label, who in zip(labels, truth, strict=True):
        by_label.setdefault(label, set()).add(who)
    assert sorted(sorted(names) for names in by_label.values()) == [
        ["alice"], ["bob"], ["loner1"], ["loner2"], ["loner3"]]


def test_recluster_labels_count_from_zero_in_order_of_first_appearance(groups):
    labels = clustering.recluster(groups[0])
    assert labels[0] == 0
    assert sorted(set(labels)) == list(range(len(set(labels))))
    assert labels == clustering.recluster(groups[0])  # deterministic


def test_recluster_of_nothing_is_empty():
    assert clustering.recluster(np.empty((0, 128), dtype=np.float32)) == []


def test_recluster_with_a_huge_threshold_puts_everyone_together(groups):
    assert set(clustering.recluster(groups[0], threshold=10.0)) == {0}


def test_a_new_face_joins_the_nearest_person_under_the_threshold(groups):
    rows, truth, alice, bob = groups
    people = {10: alice, 20: bob}
    for row, who in zip(rows, truth, strict=True):
        expected = {"alice": 10, "bob": 20}.get(who)
        assert clustering.assign(row, people) == expected


def test_nobody_to_join_means_none():
    assert clustering.assign(np.zeros(128, dtype=np.float32), {}) is None


def test_threshold_is_a_strict_upper_bound():
    centre = np.zeros(128, dtype=np.float32)
    face = centre.copy()
    face[0] = 0.5
    assert clustering.assign(face, {1: centre}, threshold=0.5) is None
    assert clustering.assign(face, {1: centre}, threshold=0.51) == 1


def test_running_centroid_equals_the_mean_and_removal_undoes_it(groups):
    rows = groups[0][:6]
    centre = None
    for count, row in enumerate(rows):
        centre = clustering.update_centroid(centre, count, row)
    np.testing.assert_allclose(centre, rows.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(clustering.centroid(rows), rows.mean(axis=0), atol=1e-6)
    back = clustering.remove_from_centroid(centre, len(rows), rows[-1])
    np.testing.assert_allclose(back, rows[:-1].mean(axis=0), atol=1e-6)
    assert clustering.remove_from_centroid(rows[0], 1, rows[0]) is None
