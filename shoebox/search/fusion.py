"""Hybrid ranking: reciprocal rank fusion of ranked id lists, then a relevance cutoff.

Pure functions over ids and scores; no database, no model.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

KEYWORD = "keyword"
MEANING = "meaning"

# RRF's constant from Cormack et al. (2009): damps the head so one list cannot dominate.
RRF_K = 60
# Cutoff defaults for L2-normalised text embeddings (MiniLM-style sentence models), where unrelated
# texts score about 0.0-0.2 and related ones 0.4 and up:
#  - FLOOR: a vector-only hit must reach this cosine at all. 0.3 sits above the unrelated band with room
#    for noise, below the related band, so a query nothing matches returns keyword hits only (or nothing).
#  - MARGIN: and be within this distance of the best vector hit, so a strong match (say 0.65) pushes out
#    the merely topical tail (< 0.45) while a weak best (0.35) still keeps its near neighbours.
# Image-text models (CLIP-like) score lower overall (related ~0.25-0.35): pass about floor=0.2, margin=0.06.
FLOOR = 0.3
MARGIN = 0.2


@dataclass
class Hit:
    """One fused search result: why it matched and how strongly."""

    photo_id: int
    score: float
    matched: set[str] = field(default_factory=set)


def rrf(ranked_lists: Mapping[str, Iterable[int | None]], k: int = RRF_K) -> list[Hit]:
    """Fuse ranked id lists (best first) by reciprocal rank: score = sum of 1 / (k + rank), rank from 1 (None: a
    place in the ranking whose id is left out)."""
    hits: dict[int, Hit] = {}
    best_rank: dict[int, int] = {}
    for name, ids in ranked_lists.items():
        seen: set[int] = set()
        for rank, photo_id in enumerate(ids, start=1):
            if photo_id is None or photo_id in seen:  # a gap keeps the ranks after it; a repeat adds nothing
                continue
            seen.add(photo_id)
            hit = hits.setdefault(photo_id, Hit(photo_id, 0.0))
            hit.score += 1.0 / (k + rank)
            hit.matched.add(name)
            best_rank[photo_id] = min(rank, best_rank.get(photo_id, rank))
    return sorted(hits.values(), key=lambda h: (-h.score, best_rank[h.photo_id], h.photo_id))


def apply_cutoff(
    hits: Iterable[Hit],
    keyword_ids: Collection[int],
    vector_scores: Mapping[int, float],
    margin: float = MARGIN,
    floor: float = FLOOR,
    floors: Mapping[int, float] | None = None,
) -> list[Hit]:
    """Keep keyword hits, and vector-only hits with cosine >= max(floor, best - margin); inputs untouched.
    `floors` gives some photos their own floor (a photo described in sentences scores lower than one known by a
    few words)."""
    # A kept keyword hit whose cosine misses the bar loses its "meaning" label: "why it matched" stays true.
    keyword, floors = set(keyword_ids), floors or {}
    best = max(vector_scores.values(), default=floor) - margin
    kept = []
    for hit in hits:
        related = vector_scores.get(hit.photo_id, float("-inf")) >= max(floors.get(hit.photo_id, floor), best)
        if hit.photo_id in keyword or related:
            matched = hit.matched if related else hit.matched - {MEANING}
            kept.append(Hit(hit.photo_id, hit.score, set(matched)))
    return kept


class Fused(Sequence[Hit]):
    """Fused, cut-off hits, best first: the head scored in full, then keyword hits (rank, id) in their own order,
    made into Hits only when read (a deep page of a word most of a big library carries reads 50 of 50,000: scoring
    them all took 0.7 s)."""

    def __init__(self, head: list[Hit], rest: list[tuple[int, int]], k: int) -> None:
        self._head, self._rest, self._k = head, rest, k

    def __len__(self) -> int:
        return len(self._head) + len(self._rest)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self._head):
            return self._head[index]
        rank, photo_id = self._rest[index - len(self._head)]
        return Hit(photo_id, 1.0 / (self._k + rank), {KEYWORD})

    def tail_rank(self, index: int) -> int | None:
        """The keyword rank (1 the best) of the hit at this index where it lies past the head, else None."""
        return self._rest[index - len(self._head)][0] if len(self._head) <= index < len(self) else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


def fuse(
    keyword_ids: list[int],
    vector_hits: list[tuple[int, float]],
    k: int = RRF_K,
    margin: float = MARGIN,
    floor: float = FLOOR,
    floors: Mapping[int, float] | None = None,
) -> Fused:
    """Keyword ids (best first) and vector (id, cosine) hits to fused, cut-off results.

    A keyword hit ranked past the meaning list's length that is no meaning hit scores below every meaning hit and
    every keyword hit before it (1 / (k + rank) falls with the rank): those follow the fused head in their order."""
    vector_scores = dict(vector_hits)
    depth = len(vector_hits)
    fused = [photo_id if rank < depth or photo_id in vector_scores else None
             for rank, photo_id in enumerate(keyword_ids)]
    hits = rrf({KEYWORD: fused, MEANING: [photo_id for photo_id, _ in vector_hits]}, k=k)
    head = apply_cutoff(hits, keyword_ids, vector_scores, margin=margin, floor=floor, floors=floors)
    rest = [(rank, photo_id) for rank, photo_id in enumerate(keyword_ids[depth:], start=depth + 1)
            if photo_id not in vector_scores]
    return Fused(head, rest, k)
