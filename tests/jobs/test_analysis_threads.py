"""A batch's photos are worked on at once (ANALYSIS_THREADS), each model call on MODEL_THREADS threads, and what
the analysis finds on a real-sized photo is what it found one photo at a time."""

from __future__ import annotations

import threading

import pytest
from PIL import Image, ImageOps

from shoebox.ai.faces import FaceAnalyzer
from shoebox.ai.registry import get_models
from tests.conftest import Account
from tests.people.conftest import (
    astronaut,
    astronaut_mirrored_jpeg,
    encoded,
    gps_jpeg,
    offline_app,
    page_png,
    skimage_data,
)

pytestmark = pytest.mark.slow  # the offline face, text and place models

#: Words printed on skimage's page.png (bench/analyze_offline.py's PAGE_WORDS).
PAGE_WORDS = ["region", "segmentation", "markers", "coins", "background", "pixels", "label", "unambiguously",
              "object", "extreme", "histogram", "values"]


class FacesThatMeetAnotherPhoto(FaceAnalyzer):
    """The real face analyzer, which first waits (up to 20 s) until a second photo is being looked at too."""

    def __init__(self) -> None:
        super().__init__()
        self.meeting = threading.Barrier(2, timeout=20)

    def faces(self, image):
        self.meeting.wait()
        return super().faces(image)


def twelve_megapixel_page() -> bytes:
    """skimage's scanned page on a 4000x3000 sheet, as a phone photographs a document (3-4 MB JPEG)."""
    with Image.open(skimage_data() / "page.png") as page:
        sheet = Image.new("RGB", (4000, 3000), (236, 236, 232))
        inner = ImageOps.contain(page.convert("RGB"), (4000, 3000), Image.Resampling.BICUBIC)
        sheet.paste(inner, ((4000 - inner.width) // 2, (3000 - inner.height) // 2))
    return encoded(sheet, "JPEG", quality=90)


def detail(user: Account, photo_id: int) -> dict:
    return user.get(f"/api/photos/{photo_id}").json


def queued_library(tmp_path, **settings):
    app = offline_app(tmp_path / "data", JOBS_IMMEDIATE=False, **settings)
    user = Account(app, "ana@example.com")
    uploads = {"astronaut.jpg": encoded(astronaut(), "JPEG", quality=92), "page.png": page_png(),
               "paris.jpg": gps_jpeg(48.8566, 2.3522), "mirrored.jpg": astronaut_mirrored_jpeg()}
    return app, user, [user.upload_one(name, content)["id"] for name, content in uploads.items()]


def findings(user: Account, ids: list[int]) -> list[tuple]:
    infos = [detail(user, i) for i in ids]
    return [(i["status"], len(i["faces"]), i["ocr_text"], (i["place"] or {}).get("city"), sorted(i["tags"]))
            for i in infos]


def test_the_words_of_a_12_megapixel_photo_of_a_page_are_read(tmp_path):
    app = offline_app(tmp_path / "data")
    user = Account(app, "ana@example.com")
    info = detail(user, user.upload_one("IMG_2001.jpg", twelve_megapixel_page())["id"])
    assert info["status"] == "done"
    text = info["ocr_text"].lower()
    assert [word for word in PAGE_WORDS if word not in text] == []
    app.extensions["db"].dispose()


def test_photos_of_a_batch_are_looked_at_at_once(tmp_path):
    app, user, ids = queued_library(tmp_path, ANALYSIS_THREADS=2)
    models = app.extensions["queue"].analyzer.models()
    models.faces = FacesThatMeetAnotherPhoto()
    app.extensions["queue"].analyzer.run_task(ids)
    # One photo at a time, the first would wait for a second photo in vain and find no face.
    assert [len(detail(user, i)["faces"]) for i in ids] == [1, 0, 0, 1]
    app.extensions["db"].dispose()


def test_a_batch_on_two_threads_finds_what_one_thread_finds(tmp_path):
    found = []
    for threads in (1, 2):
        app, user, ids = queued_library(tmp_path / str(threads), ANALYSIS_THREADS=threads)
        app.extensions["queue"].analyzer.run_task(ids)
        found.append(findings(user, ids))
        app.extensions["db"].dispose()
    assert found[0] == found[1]
    assert [status for status, *_ in found[1]] == ["done"] * 4
    assert found[1][2][3] == "Paris" and "segmentation" in found[1][1][2].lower()


def test_each_model_call_uses_model_threads(tmp_path):
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    try:
        app = offline_app(tmp_path / "data", TAG_MODEL="efficientnet-lite0", MODEL_THREADS=1)
        models = get_models(app.config["SETTINGS"])
        models.tagger.loaded()
        assert torch.get_num_threads() == 1
        engine = models.ocr.loaded()
        sessions = (engine.text_det.infer.session, engine.text_rec.session.session)
        assert [s.get_session_options().intra_op_num_threads for s in sessions] == [1, 1]
        app.extensions["db"].dispose()
    finally:
        torch.set_num_threads(before)
