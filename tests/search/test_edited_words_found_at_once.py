"""An edited caption is found by meaning at once, not after the analysis queue drains (issue 16, item 7)."""

from __future__ import annotations

import pytest

from shoebox.ai.registry import clear_cache
from tests.backends import make_app
from tests.conftest import Account, make_jpeg

pytestmark = pytest.mark.slow  # the packaged text embedder

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture
def busy_app(tmp_path):
    """Jobs are queued and never run (no worker, not immediate): the queue stays busy all test long."""
    clear_cache()
    app = make_app({"DATA_DIR": str(tmp_path / "data"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                    "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": MINILM})
    yield app
    app.extensions["db"].dispose()


def test_an_edited_caption_is_found_by_meaning_while_the_queue_is_busy(busy_app):
    alice = Account(busy_app, "alice@example.com")
    photo = alice.upload_one("IMG_0001.jpg", make_jpeg(color=(20, 40, 200)))
    alice.upload_one("IMG_0002.jpg", make_jpeg(color=(200, 200, 20)))
    assert alice.get("/api/search?q=dog in winter").json["items"] == []

    edited = alice.patch(f"/api/photos/{photo['id']}", json={"caption": "a puppy playing in the snow"})
    assert edited.status_code == 200, edited.json

    found = alice.get("/api/search?q=dog in winter").json["items"]
    assert [(item["id"], item["matched"]) for item in found] == [(photo["id"], ["meaning"])]
    assert queued_parts(busy_app) == [["all"], ["all"]]  # the uploads' analyses wait; no embedding job was added


def queued_parts(app) -> list[list[str]]:
    """The parts asked for by each analysis job waiting in the queue."""
    return [task.args[1] for task in app.extensions["queue"].huey.pending() if task.name == "analyze_photos"]


def test_an_edited_caption_is_queued_for_embedding_when_the_embedder_cannot_load(tmp_path):
    clear_cache()
    app = make_app({"DATA_DIR": str(tmp_path / "data"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                    "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": str(tmp_path / "no-such-model")})
    alice = Account(app, "alice@example.com")
    photo = alice.upload_one("IMG_0001.jpg")
    assert alice.patch(f"/api/photos/{photo['id']}", json={"caption": "a puppy"}).status_code == 200
    assert queued_parts(app) == [["all"], ["embedding"]]
    app.extensions["db"].dispose()
