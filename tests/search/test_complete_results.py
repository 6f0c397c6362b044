"""Search returns every keyword match, paged, with an exact total: no silent cap at 1,000 (issue 16, item 8)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shoebox.models import Photo, User
from shoebox.search.service import COUNT_AHEAD

MATCHES = 1200  # more than the old cap of 1,000 keyword matches
START = datetime(2020, 1, 1)


@pytest.fixture
def big_library(app, alice):
    """1,200 Canon EOS photos (a day apart, the newest last) and 50 from another camera, straight into the
    database: the keyword index follows the rows on flush, so no upload or analysis is needed."""
    with app.extensions["db"].transaction() as session:
        user_id = session.query(User.id).filter(User.email == alice.email).scalar()
        session.add_all([photo(user_id, n, "Canon", "EOS R5") for n in range(MATCHES)]
                        + [photo(user_id, MATCHES + n, "Nikon", "Z6") for n in range(50)])
    return alice


def photo(user_id: int, n: int, make: str, model: str) -> Photo:
    return Photo(user_id=user_id, sha256=f"{n:064x}", filename=f"IMG_{n:05d}.jpg", format="JPEG",
                 mime_type="image/jpeg", file_size=1000, width=64, height=48, taken_at=START + timedelta(days=n),
                 taken_at_source="exif", camera_make=make, camera_model=model, status="done")


def every_page(account, url: str) -> tuple[list[dict], list[dict]]:
    """All items across the pages, and the page answers themselves."""
    items, replies, cursor = [], [], None
    while True:
        reply = account.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status_code == 200, reply.json
        replies.append(reply.json)
        items += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return items, replies


def test_search_returns_every_keyword_match_across_pages_with_an_exact_total(big_library):
    """Every match, page after page; the total is exact once the pages come within COUNT_AHEAD of the last match,
    and before that says it is not (the matches ranked so far: a common word of a big library matches most of it,
    and ranking them all for a figure would make every page cost the whole library, issue 18)."""
    items, replies = every_page(big_library, "/api/search?q=canon eos&limit=200")
    assert {item["filename"] for item in items} == {f"IMG_{n:05d}.jpg" for n in range(MATCHES)}
    assert (replies[-1]["total"], replies[-1]["total_is_exact"]) == (MATCHES, True)
    assert all(r["total"] == MATCHES or (not r["total_is_exact"] and r["total"] < MATCHES) for r in replies)


def test_search_sorted_by_date_shows_the_newest_match_first(big_library):
    """Newest first, counted as the filtered listing is: up to COUNT_AHEAD past the page, and said to be so."""
    reply = big_library.get("/api/search?q=canon eos&sort=date&limit=5")
    assert reply.json["items"][0]["filename"] == f"IMG_{MATCHES - 1:05d}.jpg"
    assert (reply.json["total"], reply.json["total_is_exact"]) == (5 + COUNT_AHEAD, False)


def test_search_sorted_by_date_pages_through_every_match_once_newest_first(big_library):
    items, _replies = every_page(big_library, "/api/search?q=canon eos&sort=date&limit=200")
    assert [item["filename"] for item in items] == [f"IMG_{n:05d}.jpg" for n in reversed(range(MATCHES))]
    assert all(item["matched"] == ["keyword"] for item in items)
