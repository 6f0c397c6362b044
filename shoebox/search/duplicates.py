"""Near-duplicates: groups of a viewer's photos that are copies of one picture (re-saved, resized, mirrored or
lightly edited). Two photos whose looks (visual embeddings) one model made are compared by them; a photo without
one (analysed before looks existed, or with no tag model) is compared by its difference hash, as before."""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sqlalchemy.orm import Session

from shoebox.models import VISUAL, Embedding, Photo
from shoebox.scope import Scope

#: Looks at least this alike are one picture. Measured by bench/visual_similarity.py (EfficientNet-Lite0 looks):
#: the astronaut's resized, mirrored and JPEG q=60 copies 0.97-1.00; lighter or heavier edits 0.86-0.97 (cropped
#: to 80 % 0.89, greyscale 0.86, brighter 0.97, mirrored + 256 px + JPEG q=40 0.88); two frames of one scene (the
#: motorcycle stereo pair, grouped as a burst would be) 0.92; a 90-degree turn 0.75 and a 64-px thumbnail 0.66
#: are left out; unrelated sample photos 0.09-0.46 (median 0.15).
VISUAL_MATCH = 0.85
#: Looks compared at once: 1024 x 1024 cosines (4 MB) per matrix product, each pair once. Exact; n^2/2 x 1280
#: multiply-adds, ~2 s for 10k photos on the 2-core machine when it is quiet (bench/visual_similarity.py), where
#: the hashes take 0.1 s: a library far larger wants an approximate index (usearch) instead.
BLOCK = 1024


def duplicate_groups(session: Session, scope: Scope, max_distance: int = 10) -> list[list[Photo]]:
    """Groups of near-identical photos the viewer may see, each with the largest copy first."""
    groups = near_duplicate_groups(session, scope, max_distance)
    photos = scope.load(session, [i for group in groups for i in group])
    ordered = [sorted((photos[i] for i in group if i in photos), key=lambda p: (-p.width * p.height, p.id))
               for group in groups]
    return [group for group in ordered if len(group) > 1]


def near_duplicate_groups(session: Session, scope: Scope, max_distance: int = 10) -> list[list[int]]:
    """Ids of the scope's photos, grouped when their looks are at least VISUAL_MATCH alike, or, where either
    photo has no look, when their 64-bit hashes differ in at most `max_distance` bits."""
    hashes = dict(session.execute(scope.columns(Photo.id, Photo.phash).where(Photo.phash.is_not(None))).all())
    look_ids, looks = _looks(session, scope)
    ids = np.array(sorted(set(hashes) | set(look_ids.tolist())), dtype=np.int64)
    if len(ids) < 2:
        return []
    pairs = [*_hash_pairs(hashes, set(look_ids.tolist()), max_distance), *_look_pairs(look_ids, looks)]
    return _connected(ids, pairs)


def _looks(session: Session, scope: Scope) -> tuple[np.ndarray, np.ndarray]:
    """The ids and unit vectors of the scope's looks made by the model that made most of them."""
    rows = session.execute(scope.embeddings(Embedding.photo_id, Embedding.model, Embedding.vector)
                           .where(Embedding.kind == VISUAL).order_by(Embedding.photo_id)).all()
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty((0, 0), dtype=np.float32)
    model = Counter(row.model for row in rows).most_common(1)[0][0]
    rows = [row for row in rows if row.model == model]
    vectors = np.stack([np.frombuffer(row.vector, dtype="<f2") for row in rows]).astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return np.array([row.photo_id for row in rows], dtype=np.int64), vectors


def _hash_pairs(hashes: dict[int, int], with_looks: set[int], max_distance: int) -> list[tuple[int, int]]:
    """Pairs of photos, not both with looks, whose hashes are close: O(n^2) bit counts, ~0.1 s for 10k photos."""
    ids = np.array(sorted(hashes), dtype=np.int64)
    values = np.array([hashes[i] for i in ids], dtype=np.int64).view(np.uint64)
    looked = np.isin(ids, np.array(sorted(with_looks), dtype=np.int64))
    pairs = []
    for i in range(len(ids) - 1):
        close = np.nonzero(np.bitwise_count(values[i + 1:] ^ values[i]) <= max_distance)[0] + i + 1
        close = close[~(looked[i] & looked[close])]  # two looks are compared by the looks alone
        pairs.extend((int(ids[i]), int(ids[j])) for j in close)
    return pairs


def _look_pairs(ids: np.ndarray, looks: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of photos whose looks are at least VISUAL_MATCH alike."""
    pairs: list[tuple[int, int]] = []
    for first in range(0, len(ids), BLOCK):
        for second in range(first, len(ids), BLOCK):
            cosines = looks[first:first + BLOCK] @ looks[second:second + BLOCK].T
            rows, cols = np.nonzero(cosines >= VISUAL_MATCH)
            rows, cols = rows + first, cols + second
            once = cols > rows  # a block on the diagonal holds each pair twice, and each look with itself
            pairs.extend(zip(ids[rows[once]].tolist(), ids[cols[once]].tolist(), strict=True))
    return pairs

def _connected(ids: np.ndarray, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """The groups of two or more ids that the pairs join, directly or through others."""
    if not pairs:
        return []
    position = {int(photo_id): n for n, photo_id in enumerate(ids)}
    rows, cols = zip(*((position[a], position[b]) for a, b in pairs), strict=True)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
    _count, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for label, photo_id in zip(labels.tolist(), ids.tolist(), strict=True):
        groups.setdefault(label, []).append(photo_id)
    return [group for group in groups.values() if len(group) > 1]
