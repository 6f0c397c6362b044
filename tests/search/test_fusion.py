"""Reciprocal rank fusion and the relevance cutoff."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shoebox.search.fusion import FLOOR, KEYWORD, MEANING, Hit, apply_cutoff, fuse, rrf


def test_rrf_scores_are_summed_reciprocal_ranks():
    hits = rrf({KEYWORD: [1, 2], MEANING: [2, 3]}, k=60)
    scores = {h.photo_id: h.score for h in hits}
    assert scores[2] == pytest.approx(1 / 62 + 1 / 61)
    assert scores[1] == pytest.approx(1 / 61)
    assert scores[3] == pytest.approx(1 / 62)


def test_rrf_puts_photos_found_by_both_lists_first():
    hits = rrf({KEYWORD: [1, 2, 3], MEANING: [4, 3, 5]})
    assert hits[0].photo_id == 3
    assert hits[0].matched == {KEYWORD, MEANING}


def test_rrf_records_which_list_matched():
    hits = {h.photo_id: h.matched for h in rrf({KEYWORD: [1, 2], MEANING: [2, 3]})}
    assert hits == {1: {KEYWORD}, 2: {KEYWORD, MEANING}, 3: {MEANING}}


def test_rrf_breaks_ties_by_best_rank_then_id():
    hits = rrf({KEYWORD: [9, 5], MEANING: [4, 8]})
    assert [h.photo_id for h in hits] == [4, 9, 5, 8]


def test_rrf_ignores_repeats_within_a_list_and_empty_lists():
    hits = rrf({KEYWORD: [1, 1, 2], MEANING: []})
    assert [h.photo_id for h in hits] == [1, 2]
    assert hits[0].score == pytest.approx(1 / 61)
    assert rrf({}) == []


def test_cutoff_keeps_every_keyword_hit_whatever_its_cosine():
    hits = rrf({KEYWORD: [1, 2], MEANING: [3, 1, 2]})
    kept = apply_cutoff(hits, keyword_ids=[1, 2], vector_scores={3: 0.7, 1: 0.05, 2: -0.1})
    assert {h.photo_id for h in kept} == {1, 2, 3}


def test_cutoff_drops_vector_only_hits_far_below_the_best():
    hits = rrf({MEANING: [1, 2, 3]})
    kept = apply_cutoff(hits, [], {1: 0.72, 2: 0.6, 3: 0.41}, margin=0.2)
    assert [h.photo_id for h in kept] == [1, 2]


def test_cutoff_drops_unrelated_results_when_nothing_matches_well():
    # cosines of unrelated MiniLM texts sit around 0.0-0.2: none should be listed
    hits = rrf({MEANING: [1, 2, 3]})
    assert apply_cutoff(hits, [], {1: 0.19, 2: 0.12, 3: 0.02}) == []


def test_cutoff_keeps_a_modest_best_match_above_the_floor():
    hits = rrf({MEANING: [1, 2]})
    kept = apply_cutoff(hits, [], {1: FLOOR + 0.05, 2: FLOOR - 0.05})
    assert [h.photo_id for h in kept] == [1]


def test_cutoff_removes_the_meaning_label_from_an_unrelated_keyword_hit():
    hits = rrf({KEYWORD: [1], MEANING: [2, 1]})
    kept = apply_cutoff(hits, [1], {2: 0.8, 1: 0.1})
    assert {h.photo_id: h.matched for h in kept} == {1: {KEYWORD}, 2: {MEANING}}


def test_cutoff_does_not_modify_its_input():
    hits = [Hit(1, 0.5, {KEYWORD, MEANING})]
    apply_cutoff(hits, [1], {1: 0.0})
    assert hits[0].matched == {KEYWORD, MEANING}


def test_fuse_ranks_keyword_and_meaning_together_and_cuts_off():
    keyword = [10, 11]
    vector_hits = [(11, 0.71), (12, 0.66), (13, 0.15)]
    hits = fuse(keyword, vector_hits)
    assert [h.photo_id for h in hits] == [11, 10, 12]
    assert hits[0].matched == {KEYWORD, MEANING}
    assert hits[2].matched == {MEANING}


def test_fuse_with_nothing_returns_nothing():
    assert fuse([], []) == []


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_fuse_of_a_long_keyword_list_ranks_exactly_as_fusing_every_hit(data):
    """Keyword hits past the meaning list's length are left unscored until read: the order, scores and reasons
    are still those of fusing every hit (a word most photos carry: 50,000 hits for page 1,000)."""
    ids = st.integers(min_value=1, max_value=60)
    keyword = data.draw(st.lists(ids, max_size=50, unique=True))
    vector_ids = data.draw(st.lists(ids, max_size=12, unique=True))
    vector_hits = [(i, data.draw(st.floats(min_value=0.0, max_value=1.0))) for i in vector_ids]
    every = apply_cutoff(rrf({KEYWORD: keyword, MEANING: vector_ids}), keyword, dict(vector_hits))
    fused = fuse(keyword, vector_hits)
    assert [(h.photo_id, h.score, h.matched) for h in fused] == [(h.photo_id, h.score, h.matched) for h in every]
    assert len(fused) == len(every)
    assert fused[len(every) // 2:] == every[len(every) // 2:]
