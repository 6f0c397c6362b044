"""Background analysis through real (tiny) models: captions, tags, embeddings, status and user priority."""

from __future__ import annotations

from pathlib import Path

import pytest

from shoebox.ai.registry import clear_cache
from shoebox.ai.tagger import Tagger
from shoebox.models import Embedding
from tests.backends import make_app
from tests.conftest import Account, make_jpeg
from tests.people.conftest import gps_jpeg
from tests.waiting import wait_until

pytestmark = pytest.mark.slow  # real (tiny) captioning and tagging models and the packaged text embedder

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def analysing_app(tmp_path, **settings):
    clear_cache()
    config = {"DATA_DIR": str(tmp_path / "data"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
              "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none", **settings}
    return make_app(config)


@pytest.fixture
def ai_app(tmp_path, blip_dir, vit_dir):
    app = analysing_app(tmp_path, CAPTION_MODEL=str(blip_dir), TAG_MODEL=str(vit_dir), EMBED_MODEL=MINILM,
                        TAG_THRESHOLD=0.0)
    yield app
    app.extensions["db"].dispose()


@pytest.fixture
def user(ai_app):
    return Account(ai_app, "ana@example.com")


def detail(user, photo_id):
    return user.get(f"/api/photos/{photo_id}").json


def test_upload_is_captioned_tagged_and_embedded(ai_app, user):
    photo = user.upload_one("cat.jpg", make_jpeg())
    info = detail(user, photo["id"])
    assert info["status"] == "done" and info["status_reason"] is None
    assert info["caption_source"] == "ai" and isinstance(info["caption"], str)
    assert info["tags"] and all(t["source"] == "ai" for t in info["tag_details"])
    assert all(t["confidence"] is not None for t in info["tag_details"])
    with ai_app.app_context():
        rows = ai_app.extensions["db"].session().query(Embedding).filter_by(photo_id=photo["id"]) \
            .order_by(Embedding.kind).all()
    # the search embedding of its words, and its look: the tiny ViT's 32-d pooled output
    assert [(r.kind, r.dim, len(r.vector)) for r in rows] == [("text", 384, 384 * 2), ("visual", 32, 32 * 2)]
    assert rows[0].model.startswith(MINILM) and rows[1].model.startswith("vit:vit-pooled-mirrored:")


def test_user_edits_survive_a_reindex(ai_app, user):
    photo = user.upload_one("cake.jpg", make_jpeg())
    ai_tags = detail(user, photo["id"])["tags"]
    removed, kept = ai_tags[0], ai_tags[1:]
    user.patch(f"/api/photos/{photo['id']}", json={"caption": "Grandma's birthday cake", "tags": kept + ["party"]})
    result = ai_app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "all"])
    assert result.exit_code == 0 and "Analysed 1 photos." in result.output
    info = detail(user, photo["id"])
    assert (info["caption"], info["caption_source"]) == ("Grandma's birthday cake", "user")
    assert removed not in info["tags"] and "party" in info["tags"]
    assert {t["name"]: t["source"] for t in info["tag_details"]}["party"] == "user"


def test_unloadable_model_marks_photos_waiting_and_keyword_search_still_works(tmp_path):
    app = analysing_app(tmp_path, CAPTION_MODEL=str(tmp_path / "no-such-model"))
    user = Account(app, "ana@example.com")
    photo = user.upload_one("beach.jpg", make_jpeg())
    info = detail(user, photo["id"])
    assert info["status"] == "waiting" and info["analysis"]["caption"] == "waiting"
    user.patch(f"/api/photos/{photo['id']}", json={"caption": "red car at the beach"})
    found = user.get("/api/search?q=beach").json["items"]
    assert [p["id"] for p in found] == [photo["id"]]
    jobs = user.get("/api/jobs").json
    assert jobs["counts"]["waiting"] == 1 and "no-such-model" in jobs["waiting_reason"]


def test_a_photo_that_cannot_be_read_fails_alone_and_can_be_retried(ai_app, user):
    good = user.upload_one("good.jpg", make_jpeg(color=(1, 2, 3)))
    bad = user.upload_one("bad.jpg", make_jpeg(color=(9, 8, 7)))
    root = Path(ai_app.config["SETTINGS"].DATA_DIR)
    original = next(root.glob(f"originals/*/*/{detail(user, bad['id'])['sha256']}"))
    content = original.read_bytes()
    original.write_bytes(b"corrupted on disk")
    ai_app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "all"])
    assert detail(user, good["id"])["status"] == "done"
    failed = detail(user, bad["id"])
    assert failed["status"] == "failed" and "cannot read the image" in failed["status_reason"]
    jobs = user.get("/api/jobs").json
    assert jobs["counts"]["failed"] == 1 and jobs["failed"][0]["photo_id"] == bad["id"]
    assert jobs["progress"] == 1.0
    original.write_bytes(content)
    assert user.post("/api/jobs/retry").json == {"retried": 1}
    assert detail(user, bad["id"])["status"] == "done"


def embeddings(app, photo_id) -> list[tuple[str, str]]:
    with app.app_context():
        rows = app.extensions["db"].session().query(Embedding).filter_by(photo_id=photo_id).all()
    return [(row.kind, row.model) for row in rows]


def test_an_image_text_model_embeds_photos_from_their_pixels(tmp_path, clip_dir):
    app = analysing_app(tmp_path, EMBED_MODEL=str(clip_dir))
    user = Account(app, "ana@example.com")
    photo = user.upload_one("sky.jpg", make_jpeg())
    assert detail(user, photo["id"])["status"] == "done"
    assert [(kind, model.split(":")[0]) for kind, model in embeddings(app, photo["id"])] == [("image", "tiny-clip")]
    user.patch(f"/api/photos/{photo['id']}", json={"caption": "a blue sky"})  # new words: embedded again
    assert [kind for kind, _model in embeddings(app, photo["id"])] == ["image"]
    app.extensions["db"].dispose()


def test_reanalysing_only_the_place_embeds_the_photos_words_again(tmp_path):
    pytest.importorskip("reverse_geocode")
    app = analysing_app(tmp_path, EMBED_MODEL=MINILM, PLACES_ENABLED=True)
    user = Account(app, "ana@example.com")
    photo = user.upload_one("paris.jpg", gps_jpeg(48.8566, 2.3522))
    with app.extensions["db"].transaction() as session:
        session.query(Embedding).filter_by(photo_id=photo["id"]).delete()  # as if the words had changed since
    result = app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "places"])
    assert result.exit_code == 0 and "Analysed 1 photos." in result.output
    assert detail(user, photo["id"])["place"]["city"] == "Paris"
    assert [kind for kind, _model in embeddings(app, photo["id"])] == ["text"]
    app.extensions["db"].dispose()


def test_reindex_missing_only_redoes_unfinished_photos(ai_app, user):
    done = user.upload_one("a.jpg", make_jpeg(color=(1, 1, 1)))
    assert detail(user, done["id"])["status"] == "done"
    result = ai_app.test_cli_runner().invoke(args=["shoebox", "reindex"])
    assert "Analysed 0 photos." in result.output


def test_worker_thread_analyses_in_the_background(tmp_path, vit_dir):
    app = analysing_app(tmp_path, JOBS_IMMEDIATE=False, TAG_MODEL=str(vit_dir), TAG_THRESHOLD=0.0)
    user = Account(app, "ana@example.com")
    photo = user.upload_one("later.jpg", make_jpeg())
    assert detail(user, photo["id"])["status"] == "queued"  # the upload answered before the analysis
    queue = app.extensions["queue"]
    queue.start_worker_thread()
    try:
        wait_until(lambda: detail(user, photo["id"])["status"] == "done", "the worker thread to analyse the photo", 30)
    finally:
        queue.stop_worker_thread()
    info = detail(user, photo["id"])
    assert info["status"] == "done" and info["tags"]


class TaggerThatChokesOnTinyImages(Tagger):
    """The real tiny ViT tagger, except that it raises on a 33-pixel-wide image (a model bug on one input)."""

    def tag_and_describe(self, images):
        if any(image.width == 33 for image in images):
            raise RuntimeError("model crashed on this input")
        return super().tag_and_describe(images)


def test_a_model_that_raises_on_one_photo_fails_that_photo_and_the_batch_goes_on(tmp_path, vit_dir):
    app = analysing_app(tmp_path, JOBS_IMMEDIATE=False, TAG_MODEL=str(vit_dir), TAG_THRESHOLD=0.0)
    user = Account(app, "ana@example.com")
    ids = [user.upload_one(f"p{n}.jpg", make_jpeg(color=(n * 40, 5, 5)))["id"] for n in range(3)]
    odd = user.upload_one("odd.jpg", make_jpeg(size=(33, 25)))["id"]
    analyzer = app.extensions["queue"].analyzer
    models = analyzer.models()
    models.tagger = TaggerThatChokesOnTinyImages(str(vit_dir), threshold=0.0)
    analyzer.run_task([*ids, odd])
    assert [detail(user, i)["status"] for i in ids] == ["done"] * 3
    assert all(detail(user, i)["tags"] for i in ids)
    failed = detail(user, odd)
    assert failed["status"] == "failed" and "model crashed on this input" in failed["status_reason"]


def test_a_model_label_longer_than_a_tag_is_cut_to_fit(tmp_path):
    """A classifier's labels can be any length; a tag is at most 64 characters (PostgreSQL refuses more), and
    labels that are cut to the same tag give it once."""
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    labels = ["x" * 100 + "1", "x" * 100 + "2", "y" * 80, "z"]
    config = ViTConfig(hidden_size=32, intermediate_size=64, num_attention_heads=2, num_hidden_layers=2,
                       image_size=32, patch_size=8, id2label=dict(enumerate(labels)),
                       label2id={label: index for index, label in enumerate(labels)})
    ViTForImageClassification(config).eval().save_pretrained(tmp_path / "vit")
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(tmp_path / "vit")
    app = analysing_app(tmp_path, TAG_MODEL=str(tmp_path / "vit"), TAG_THRESHOLD=0.0, TAG_TOP_K=4)
    user = Account(app, "ana@example.com")
    info = detail(user, user.upload_one("long.jpg", make_jpeg())["id"])
    assert info["status"] == "done", info["status_reason"]
    assert sorted(info["tags"]) == ["x" * 64, "y" * 64, "z"]
    app.extensions["db"].dispose()
