"""Grouping face descriptors into people: incremental assignment and full re-clustering.

Distances are Euclidean between dlib's 128-d descriptors. dlib's own "same person" threshold is 0.6
(99.38% on LFW pairs). Measured here: the same face scaled or mirrored 0.16-0.19 apart, different people
0.69-0.92 apart. We default to 0.5 because (a) a new face is compared with a person's centroid, which
sits nearer each of its faces than they sit to each other, so 0.5 to the centroid is about dlib's 0.6
between faces; (b) a wrong merge costs the user more than a split (a split is one "merge" click, a
merge means moving faces out one by one); (c) 0.5 is what dlib's own face_clustering example passes to
chinese_whispers. 0.5 sits well inside the measured gap between same (<= 0.19) and different (>= 0.69).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from shoebox.ai.faces import import_dlib

DEFAULT_THRESHOLD = 0.5


def assign(descriptor: np.ndarray, people_centroids: Mapping[int, np.ndarray],
           threshold: float = DEFAULT_THRESHOLD) -> int | None:
    """The id of the person whose centroid is nearest the descriptor, if nearer than `threshold`."""
    if not people_centroids:
        return None
    ids = list(people_centroids)
    matrix = np.stack([np.asarray(people_centroids[i], dtype=np.float32) for i in ids])
    distances = np.linalg.norm(matrix - np.asarray(descriptor, dtype=np.float32), axis=1)
    best = int(np.argmin(distances))
    return ids[best] if distances[best] < threshold else None


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two descriptors."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float32) - np.asarray(b, dtype=np.float32)))


def update_centroid(centroid: np.ndarray | None, count: int, descriptor: np.ndarray) -> np.ndarray:
    """The centroid of `count` faces after one more joins (a running mean; `centroid` None when count is 0)."""
    added = np.asarray(descriptor, dtype=np.float32)
    if centroid is None or count <= 0:
        return added.copy()
    return ((np.asarray(centroid, dtype=np.float32) * count + added) / (count + 1)).astype(np.float32)


def remove_from_centroid(centroid: np.ndarray, count: int, descriptor: np.ndarray) -> np.ndarray | None:
    """The centroid of `count` faces after one leaves (moved or deleted); None when none are left."""
    if count <= 1:
        return None
    removed = np.asarray(descriptor, dtype=np.float32)
    return ((np.asarray(centroid, dtype=np.float32) * count - removed) / (count - 1)).astype(np.float32)


def centroid(descriptors: np.ndarray) -> np.ndarray:
    """The mean of a person's descriptors (rows), as float32."""
    return np.asarray(descriptors, dtype=np.float32).reshape(-1, 128).mean(axis=0).astype(np.float32)


def recluster(descriptors: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> list[int]:
    """A cluster label for each descriptor (row), by dlib's chinese whispers over edges shorter than threshold.

    Labels are 0..k-1, numbered by first appearance so equal input gives equal output.
    """
    rows = np.asarray(descriptors, dtype=np.float64).reshape(-1, 128) if len(descriptors) else np.empty((0, 128))
    if len(rows) == 0:
        return []
    dlib = import_dlib()
    # The binding takes a list of dlib.vector and returns one int label per vector.
    raw = dlib.chinese_whispers_clustering([dlib.vector(row.tolist()) for row in rows], float(threshold))
    renumbered: dict[int, int] = {}
    return [renumbered.setdefault(label, len(renumbered)) for label in raw]
