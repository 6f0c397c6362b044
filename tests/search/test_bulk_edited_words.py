"""Tags added to a selection are found by meaning at once for a few photos, like a single edit; for a large selection
they go to the analysis queue as one job instead of holding the request for thousands of embeddings."""

from __future__ import annotations

import pytest

from shoebox.library import service
from tests.conftest import Account, make_jpeg
from tests.search.test_edited_words_found_at_once import busy_app, queued_parts  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow  # the packaged text embedder


def upload(account: Account, count: int, first: int = 0) -> list[int]:
    return [account.upload_one(f"IMG_{n}.jpg", make_jpeg(color=(n * 50, 40, 200)))["id"]
            for n in range(first, first + count)]


def test_tags_added_to_a_few_photos_are_found_by_meaning_at_once(busy_app):  # noqa: F811
    alice = Account(busy_app, "alice@example.com")
    tagged, (untagged,) = upload(alice, 3), upload(alice, 1, first=3)
    reply = alice.patch("/api/photos", json={"ids": tagged, "add_tags": ["puppy playing in the snow"]})
    assert reply.status_code == 200, reply.json
    found = alice.get("/api/search?q=dog in winter").json["items"]
    assert {item["id"] for item in found} == set(tagged)
    assert untagged not in {item["id"] for item in found}
    assert queued_parts(busy_app) == [["all"]] * 4  # the uploads' analyses wait; no embedding job was added


def test_tags_added_to_many_photos_are_queued_as_one_embedding_job(busy_app, monkeypatch):  # noqa: F811
    monkeypatch.setattr(service, "EMBED_AT_ONCE", 2)
    alice = Account(busy_app, "alice@example.com")
    ids = upload(alice, 3)
    assert alice.patch("/api/photos", json={"ids": ids, "add_tags": ["snow"]}).status_code == 200
    pending = [task.args for task in busy_app.extensions["queue"].huey.pending()]
    assert pending[-1] == (ids, ["embedding"])
