"""Words most of a big library carries (issue 18, target 7): bm25 ranks only the newest RANK_WINDOW matches, a
search by date walks the timeline instead of sorting every match, and what matched is read from the page's own
rows. The limits are made small here so a few photos cross them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from shoebox.models import Photo, User
from shoebox.search import query

START = datetime(2020, 1, 1)


def add_photos(app, account, photos: list[dict]) -> list[int]:
    """Rows straight into the database (the keyword index follows them on flush); their ids in order."""
    with app.extensions["db"].transaction() as session:
        user_id = session.query(User.id).filter(User.email == account.email).scalar()
        rows = [Photo(user_id=user_id, sha256=uuid.uuid4().hex * 2,
                      filename=f"IMG_{n:04d}.jpg", format="JPEG", mime_type="image/jpeg", file_size=1000, width=64,
                      height=48, taken_at_source="exif", status="done", **fields)
                for n, fields in enumerate(photos)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def every_page(account, url: str) -> list[dict]:
    items, cursor = [], None
    while True:
        reply = account.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status_code == 200, reply.json
        items += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return items


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(query, "RANK_WINDOW", 4)
    monkeypatch.setattr(query, "FEW_MATCHES", 3)


def test_a_word_more_photos_hold_than_the_window_ranks_the_newest_then_lists_the_rest_newest_first(
        app, alice, small_limits):
    """Twelve beach photos, a window of four: the newest four by bm25 (the one saying "beach" three times first),
    then the other eight newest first; every one once, across pages."""
    captions = ["a beach"] * 12
    captions[9] = "beach beach beach"  # among the newest four: ranked first
    captions[2] = "beach beach beach"  # older than the window: keeps its place by age
    ids = add_photos(app, alice, [{"caption": c, "taken_at": START + timedelta(days=n)}
                                  for n, c in enumerate(captions)])
    add_photos(app, alice, [{"caption": "a mountain", "taken_at": START}])
    items = every_page(alice, "/api/search?q=beach&limit=5")
    order = [item["id"] for item in items]
    newest_four = list(reversed(ids[8:]))
    assert order[:4] == [ids[9], *(i for i in newest_four if i != ids[9])]
    assert order[4:] == list(reversed(ids[:8]))


def test_a_search_by_date_finds_the_same_photos_for_a_common_word_as_for_a_rare_one(app, alice, bob, monkeypatch):
    """A common word's matches are checked while the timeline is walked, a rare one's read by id and sorted: both
    give the owner's photos holding the word, newest first, never one in Trash or another user's."""
    taken = [START + timedelta(days=(n * 7) % 23) for n in range(10)]
    ids = add_photos(app, alice, [{"caption": "dog on a beach" if n % 3 else "a cat", "taken_at": taken[n],
                                   "trashed_at": START if n == 4 else None} for n in range(10)])
    add_photos(app, bob, [{"caption": "dog on a beach", "taken_at": START + timedelta(days=99)}])
    expected = [i for _t, i in sorted(((taken[n], ids[n]) for n in range(10) if n % 3 and n != 4), reverse=True)]
    for few in (0, 1000):
        monkeypatch.setattr(query, "FEW_MATCHES", few)
        items = every_page(alice, "/api/search?q=beach&sort=date&limit=2")
        assert [item["id"] for item in items] == expected
        assert all(item["matched"] == ["keyword"] for item in items)


def test_a_search_by_date_falls_back_to_any_word_when_no_photo_holds_them_all(app, alice):
    ids = add_photos(app, alice, [{"caption": "a dog", "taken_at": START},
                                  {"caption": "a beach", "taken_at": START + timedelta(days=1)},
                                  {"caption": "a mountain", "taken_at": START + timedelta(days=2)}])
    reply = alice.get("/api/search?q=dog beach zebra&sort=date")
    assert [item["id"] for item in reply.json["items"]] == [ids[1], ids[0]]


def test_a_search_by_date_for_words_no_photo_holds_finds_nothing(app, alice):
    add_photos(app, alice, [{"caption": "a dog", "taken_at": START}])
    reply = alice.get("/api/search?q=zebra&sort=date")
    assert (reply.json["items"], reply.json["total"], reply.json["next_cursor"]) == ([], 0, None)


@pytest.mark.parametrize(("query", "labels"), [
    ("ile-de", ["keyword", "place"]),  # a prefix being typed, accents folded
    ("île-de-france", ["keyword", "place"]),
    ('"new york"', ["keyword", "place"]),  # a phrase, in the place
    ("york", ["keyword", "place"]),
    ("yor", ["keyword", "place"]),
    ("paris", ["keyword"]),  # in the caption only: no place label
])
def test_what_matched_names_the_place_for_prefixes_phrases_and_accents(app, alice, query, labels):
    add_photos(app, alice, [{"caption": "paris trip", "city": "New York", "region": "Île-de-France",
                             "taken_at": START}])
    reply = alice.get(f"/api/search?q={query}")
    assert [item["matched"] for item in reply.json["items"]] == [labels]
