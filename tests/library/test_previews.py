"""An upload answers once its original is kept and its small thumbnail exists; the 1440 px preview is rendered by
the worker right after, or on first view if that comes first."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shoebox.models import Photo
from tests.backends import make_app
from tests.conftest import Account, make_image, make_jpeg


@pytest.fixture
def queued_app(tmp_path):
    """An app whose jobs wait in the queue until a worker takes them (none runs unless the test runs it)."""
    app = make_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "WORKER_IN_PROCESS": False,
                    "JOBS_IMMEDIATE": False, "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"})
    yield app
    app.extensions["queue"].huey.flush()
    app.extensions["db"].dispose()


@pytest.fixture
def kim(queued_app) -> Account:
    return Account(queued_app, "kim@example.com")


def run_worker(app) -> None:
    """Run every queued job, as `flask shoebox worker` would."""
    huey = app.extensions["queue"].huey
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def preview_on_disk(app, photo_id: int) -> bool:
    with app.extensions["db"].transaction() as session:
        photo = session.get(Photo, photo_id)
        return app.extensions["library"].storage.thumbnail_path(photo.user_id, photo.sha256, "large").is_file()


def shown(account: Account, url: str) -> tuple[int, int]:
    reply = account.get(url)
    assert reply.status_code == 200 and reply.mimetype == "image/webp"
    return Image.open(io.BytesIO(reply.data)).size


def test_an_upload_answers_with_its_grid_thumbnail_before_its_preview_is_rendered(queued_app, kim):
    photo = kim.upload_one("big.jpg", make_jpeg(size=(4000, 3000)))
    assert shown(kim, photo["thumbnail_url"]) == (256, 192)
    assert not preview_on_disk(queued_app, photo["id"])
    assert "render_preview" in [task.name for task in queued_app.extensions["queue"].huey.pending()]


def test_the_worker_renders_the_preview_after_the_upload(queued_app, kim):
    photo = kim.upload_one("big.jpg", make_jpeg(size=(4000, 3000)))
    run_worker(queued_app)
    assert preview_on_disk(queued_app, photo["id"])
    assert shown(kim, kim.get(f"/api/photos/{photo['id']}").json["large_url"]) == (1440, 1080)


def test_a_preview_not_rendered_yet_is_rendered_on_first_view(queued_app, kim):
    photo = kim.upload_one("big.jpg", make_jpeg(size=(4000, 3000)))
    assert shown(kim, kim.get(f"/api/photos/{photo['id']}").json["large_url"]) == (1440, 1080)
    assert preview_on_disk(queued_app, photo["id"])


def test_a_file_decoded_whole_anyway_gets_its_preview_with_the_upload(queued_app, kim):
    # PNG has no reduced decode: rendering the preview later would decode the whole picture a second time.
    photo = kim.upload_one("scan.png", make_image("PNG", size=(2000, 1500)))
    assert preview_on_disk(queued_app, photo["id"])
    assert "render_preview" not in [task.name for task in queued_app.extensions["queue"].huey.pending()]


def test_a_preview_job_for_a_photo_deleted_meanwhile_leaves_no_file(queued_app, kim):
    photo = kim.upload_one("big.jpg", make_jpeg(size=(4000, 3000)))
    assert kim.delete(f"/api/photos/{photo['id']}").status_code == 204
    assert kim.post("/api/trash/delete", json={"ids": [photo["id"]]}).status_code == 200  # for good, files and all
    run_worker(queued_app)
    data = queued_app.config["SETTINGS"].data_path
    assert [path for path in (data / "thumbs").rglob("*") if path.is_file()] == []
