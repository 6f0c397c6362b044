"""Deep pages of a word most of a big library carries (issue 18, target 7): past the fused head, a page's cursor
says where the keyword order goes on, and the next page seeks from there instead of reading every match before it.
The pages must be exactly those the offset cursors give. The limits are made small so a few photos cross them."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from shoebox.cursors import encode_offset
from shoebox.search import query, service
from tests.search.test_common_words import START, add_photos

LIMIT = 3


@pytest.fixture
def small_limits(monkeypatch):
    """A ranking window of four and a count ahead of two, so a page of three crosses both."""
    monkeypatch.setattr(query, "RANK_WINDOW", 4)
    monkeypatch.setattr(service, "COUNT_AHEAD", 2)


def meaning_hits(app, monkeypatch, ids: list[int]) -> None:
    """Meaning search finds these photos, nearest first (a stand-in for the embedder and the vector store)."""
    hits = [(photo_id, 0.9 - n * 0.01) for n, photo_id in enumerate(ids)]
    monkeypatch.setattr(app.extensions["searcher"], "_meaning", lambda *args, **kwargs: (hits, {}))


def beach_photos(app, alice, count: int = 20, **extra) -> list[int]:
    """`count` photos saying "beach" a day apart (two of them three times), and one photo without it."""
    captions = ["a beach"] * count
    captions[count - 2] = captions[5] = "beach beach beach"
    ids = add_photos(app, alice, [{"caption": c, "taken_at": START + timedelta(days=n), **extra}
                                  for n, c in enumerate(captions)])
    return [*ids, *add_photos(app, alice, [{"caption": "a mountain", "taken_at": START}])]


def follow(account, url: str) -> tuple[list[dict], list[str]]:
    """Every page by the cursors handed out: each page's answer (without its cursor), and the cursors' texts."""
    pages, texts, cursor = [], [], None
    while True:
        reply = account.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status_code == 200, reply.json
        cursor = reply.json.pop("next_cursor")
        pages.append(reply.json)
        if cursor is None:
            return pages, texts
        texts.append(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())


def by_offsets(account, url: str, count: int) -> list[dict]:
    """`count` pages by offset cursors, as clients were handed before."""
    pages = []
    for n in range(count):
        reply = account.get(url + (f"&cursor={encode_offset(n * LIMIT)}" if n else ""))
        assert reply.status_code == 200, reply.json
        reply.json.pop("next_cursor")
        pages.append(reply.json)
    return pages


def results(pages: list[dict]) -> list[tuple[int, float, list[str]]]:
    return [(item["id"], item["score"], item["matched"]) for page in pages for item in page["items"]]


def test_pages_past_the_head_seek_and_give_what_offsets_give(app, alice, small_limits):
    ids = beach_photos(app, alice)
    url = f"/api/search?q=beach&limit={LIMIT}"
    pages, cursors = follow(alice, url)
    assert any(text.startswith("t") for text in cursors)  # the pages past the window seek
    assert pages == by_offsets(alice, url, len(pages))
    assert sorted(item[0] for item in results(pages)) == sorted(ids[:-1])


def test_meaning_hits_deep_in_the_keyword_order_are_skipped_by_the_pages_that_seek(app, alice, small_limits,
                                                                                  monkeypatch):
    """Photos near in meaning rank in the fused head (the mountain too), never again in the tail the pages seek."""
    ids = beach_photos(app, alice)
    meaning_hits(app, monkeypatch, [ids[2], ids[-1], ids[7], ids[0]])
    url = f"/api/search?q=beach&limit={LIMIT}"
    pages, cursors = follow(alice, url)
    assert any(text.startswith("t") for text in cursors)
    assert pages == by_offsets(alice, url, len(pages))
    found = results(pages)
    assert sorted(item[0] for item in found) == sorted(ids)
    assert {item[0] for item in found if "meaning" in item[2]} == {ids[2], ids[-1], ids[7], ids[0]}


def test_pages_of_any_word_when_none_holds_them_all_seek_as_offsets_page(app, alice, small_limits):
    ids = beach_photos(app, alice)
    url = f"/api/search?q=beach+zebra&limit={LIMIT}"
    pages, cursors = follow(alice, url)
    assert any(text.startswith("t") for text in cursors)
    assert pages == by_offsets(alice, url, len(pages))
    assert len(results(pages)) == len(ids) - 1


def test_pages_of_a_word_ocr_glued_into_other_text_give_what_offsets_give(app, alice, small_limits):
    """Glued hits follow the clean ones: such a word's pages read from the start, as before."""
    ids = beach_photos(app, alice)
    glued = add_photos(app, alice, [{"caption": "a sign", "ocr_text": "BIGBEACHSALE", "taken_at": START}])
    url = f"/api/search?q=beach&limit={LIMIT}"
    pages, _cursors = follow(alice, url)
    assert pages == by_offsets(alice, url, len(pages))
    assert sorted(item[0] for item in results(pages)) == sorted([*ids[:-1], *glued])


def test_an_offset_cursor_still_gives_the_page_at_its_offset(app, alice, small_limits):
    beach_photos(app, alice)
    url = f"/api/search?q=beach&limit={LIMIT}"
    pages, _cursors = follow(alice, url)
    reply = alice.get(url + f"&cursor={encode_offset(5 * LIMIT)}")
    assert reply.json["items"] == pages[5]["items"]


@pytest.mark.parametrize("text", ["t6.2.7.3", "t6.0.0.3", "t6.0.7", "t6.0.7.0", "t6.0.7.99999999999", "t-6.0.7.3",
                                  "t6.0.7.3.1", "tx", "t"])
def test_a_made_up_tail_cursor_is_an_invalid_cursor(app, alice, small_limits, text):
    beach_photos(app, alice)
    cursor = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    reply = alice.get(f"/api/search?q=beach&limit={LIMIT}&cursor={cursor}")
    assert reply.status_code == 400
    assert reply.json["error"]["code"] == "invalid_cursor"


def test_a_tail_cursor_of_another_users_photos_pages_only_ones_own(app, alice, bob, small_limits):
    """A tail cursor names a photo id: one made from alice's pages and given by bob seeks among bob's photos only,
    never showing one of alice's (the id is only a place in the keyword order; bob's photos, older, lie past it)."""
    bobs = set(beach_photos(app, bob)[:-1])
    alices = beach_photos(app, alice)
    _pages, cursors = follow(alice, f"/api/search?q=beach&limit={LIMIT}")
    tail = next(text for text in cursors if text.startswith("t"))
    cursor = base64.urlsafe_b64encode(tail.encode()).decode().rstrip("=")
    reply = bob.get(f"/api/search?q=beach&limit={LIMIT}&cursor={cursor}")
    assert reply.status_code == 200, reply.json
    found = {item["id"] for item in reply.json["items"]}
    assert found and found <= bobs and not found & set(alices)
