"""A deleted photo is gone from every search answer: totals, each page of results, "more like this",
near-duplicates and facet counts, also when another server process deleted it (on both backends)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from shoebox.ai.registry import clear_cache
from tests.backends import make_app
from tests.conftest import Account

DOGS = [
    "a brown dog running on the beach", "a small dog asleep on the sofa", "a dog catching a frisbee in the park",
    "two dogs playing in the snow", "a puppy chewing a shoe", "an old dog resting in the garden",
    "a dog swimming in a lake", "a black dog wearing a red scarf", "a dog waiting at the door",
    "a sheepdog herding sheep", "a wet dog shaking off water", "a dog and a cat on the bed",
]
SETTINGS = {"WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
            "EMBED_MODEL": "sentence-transformers/all-MiniLM-L6-v2"}


def picture(seed: int, size: tuple[int, int] = (640, 480), quality: int = 90) -> bytes:
    """A JPEG of big random blocks: every seed looks different to the difference hash, every size alike."""
    blocks = np.random.default_rng(seed).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(blocks).resize(size, Image.Resampling.NEAREST).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """An app with the real packaged text embedder; alice has twelve dog photos, the first with a smaller copy
    (the two are near-duplicates). Returns the app, alice, the dogs' ids and the pair's ids."""
    clear_cache()
    app = make_app({"DATA_DIR": str(tmp_path_factory.mktemp("deleted")), **SETTINGS})
    alice = Account(app, "alice@example.com")
    ids = []
    for n, caption in enumerate(DOGS):
        photo = alice.upload_one(f"dog{n}.jpg", picture(n))
        alice.patch(f"/api/photos/{photo['id']}", json={"caption": caption, "tags": ["dog"]})
        ids.append(photo["id"])
    copy = alice.upload_one("dog0-copy.jpg", picture(0, (320, 240), quality=60))
    alice.patch(f"/api/photos/{copy['id']}", json={"caption": DOGS[0], "tags": ["dog"]})
    yield app, alice, ids[1:], [ids[0], copy["id"]]
    app.extensions["db"].dispose()


def every_page(alice: Account, query: str) -> tuple[int, list[int]]:
    """The search's total and the ids of every page, walked two at a time with the cursor."""
    total, items = every_item(alice, query)
    return total, [item["id"] for item in items]


def every_item(alice: Account, query: str) -> tuple[int, list[dict]]:
    reply = alice.get(f"/api/search?{query}&limit=2").json
    total, items = reply["total"], reply["items"]
    while reply["next_cursor"]:
        reply = alice.get(f"/api/search?{query}&limit=2&cursor={reply['next_cursor']}").json
        assert reply["items"], "a page promised by next_cursor came back empty"
        items += reply["items"]
    return total, items


def found_by_meaning(items: list[dict], keep: list[int]) -> int:
    """A result that meaning search found (so it sits in the vector index), or any, outside `keep`."""
    others = [item for item in items if item["id"] not in keep]
    return next((item["id"] for item in others if "meaning" in item["matched"]), others[0]["id"])


QUERIES = ["q=dog", "q=a dog in the snow", "q=a dog in the snow&tag=dog", "q=dog&sort=date", "q="]


@pytest.mark.parametrize("query", QUERIES)
def test_a_deleted_photo_leaves_search_totals_and_every_page(library, query):
    _app, alice, _dogs, pair = library
    total_before, before = every_item(alice, query)
    assert total_before > 2  # more than one page of two
    gone = found_by_meaning(before, pair)
    assert alice.delete(f"/api/photos/{gone}").status_code == 204
    total, found = every_page(alice, query)
    assert gone not in found
    assert total == len(found) == total_before - 1
    assert len(set(found)) == len(found)


def test_a_deleted_photo_is_never_more_like_this(library):
    _app, alice, _dogs, pair = library
    similar = [item["id"] for item in alice.get(f"/api/photos/{pair[0]}/similar?limit=50").json["items"]]
    gone = [i for i in similar if i not in pair][0]
    assert alice.delete(f"/api/photos/{gone}").status_code == 204
    after = [item["id"] for item in alice.get(f"/api/photos/{pair[0]}/similar?limit=50").json["items"]]
    assert gone not in after and len(after) == len(similar) - 1


def test_a_deleted_photo_leaves_duplicates_and_facet_counts(library):
    _app, alice, _dogs, pair = library
    dog_count = {t["name"]: t["count"] for t in alice.get("/api/facets").json["tags"]}["dog"]
    groups = alice.get("/api/duplicates").json["groups"]
    assert [sorted(p["id"] for p in group) for group in groups] == [sorted(pair)]
    assert alice.delete(f"/api/photos/{pair[1]}").status_code == 204  # the copy
    assert alice.get("/api/duplicates").json["groups"] == []
    tags = {t["name"]: t["count"] for t in alice.get("/api/facets").json["tags"]}
    assert tags["dog"] == dog_count - 1


def test_a_photo_deleted_by_another_server_process_never_appears(library):
    app, alice, _dogs, pair = library
    total_before, before = every_item(alice, "q=dog")  # this process has its vector index loaded now
    other = make_app({"DATA_DIR": str(app.config["SETTINGS"].data_path), **SETTINGS})  # a second worker
    try:
        gone = found_by_meaning(before, pair)
        reply = other.test_client().delete(f"/api/photos/{gone}", headers=alice.headers)
        assert reply.status_code == 204
    finally:
        other.extensions["db"].dispose()
    total, found = every_page(alice, "q=dog")
    assert gone not in found and total == len(found) == total_before - 1


def test_a_photo_restored_from_trash_by_another_process_is_found_by_meaning_again(library):
    app, alice, _dogs, pair = library
    total_before, before = every_item(alice, "q=a dog in the snow")  # this process's vector index is loaded
    other = make_app({"DATA_DIR": str(app.config["SETTINGS"].data_path), **SETTINGS})  # a second worker
    try:
        binned = found_by_meaning(before, pair)
        other_client = other.test_client()
        assert other_client.delete(f"/api/photos/{binned}", headers=alice.headers).status_code == 204
        total, found = every_page(alice, "q=a dog in the snow")
        assert binned not in found and total == total_before - 1
        reply = other_client.post("/api/trash/restore", json={"ids": [binned]}, headers=alice.headers)
        assert reply.json == {"restored": 1}
    finally:
        other.extensions["db"].dispose()
    total, items = every_item(alice, "q=a dog in the snow")
    assert total == total_before and "meaning" in next(i["matched"] for i in items if i["id"] == binned)
