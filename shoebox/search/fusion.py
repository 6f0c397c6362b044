"""Hybrid ranking: reciprocal rank fusion of ranked id lists, then a relevance cutoff.

Pure functions over ids and scores; no database, no model.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
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


def rrf(ranked_lists: Mapping[str, Iterable[int]], k: int = RRF_K) -> list[Hit]:
    """Fuse ranked id lists (best first) by reciprocal rank: score = sum of 1 / (k + rank), rank from 1."""
    hits: dict[int, Hit] = {}
    best_rank: dict[int, int] = {}
    for name, ids in ranked_lists.items():
        seen: set[int] = set()
        for rank, photo_id in enumerate(ids, start=1):
            if photo_id in seen:  # a repeat in one list adds nothing
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


def fuse(
    keyword_ids: list[int],
    vector_hits: list[tuple[int, float]],
    k: int = RRF_K,
    margin: float = MARGIN,
    floor: float = FLOOR,
    floors: Mapping[int, float] | None = None,
) -> list[Hit]:
    """Keyword ids (best first) and vector (id, cosine) hits to fused, cut-off results."""
    vector_scores = dict(vector_hits)
    hits = rrf({KEYWORD: keyword_ids, MEANING: [photo_id for photo_id, _ in vector_hits]}, k=k)
    return apply_cutoff(hits, keyword_ids, vector_scores, margin=margin, floor=floor, floors=floors)
