"""A status per analysis part: a photo whose captioner is missing has everything else, says so in plain terms,
and the Jobs page says once why and how to fill it in; the Jobs counts are kept, not counted per request."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from shoebox.ai.registry import clear_cache
from tests.conftest import Account, make_jpeg
from tests.jobs.test_analysis import MINILM, analysing_app

pytestmark = pytest.mark.slow  # real (tiny) tagging and captioning models and the packaged text embedder

ALL_DONE = {"caption": "done", "tags": "done", "faces": "done", "places": "done", "text": "done",
            "embedding": "done"}
#: The suite switches faces and text off (slow); places stays on here.
ANALYSED = {**ALL_DONE, "faces": "off", "text": "off"}


@pytest.fixture
def no_captioner(tmp_path, vit_dir):
    """The offline default a new user meets: every model but the captioner loads."""
    app = analysing_app(tmp_path, CAPTION_MODEL=str(tmp_path / "no-such-model"), TAG_MODEL=str(vit_dir),
                        EMBED_MODEL=MINILM, TAG_THRESHOLD=0.0, PLACES_ENABLED=True)
    yield app
    app.extensions["db"].dispose()


def part(jobs: dict, name: str) -> dict:
    return next(p for p in jobs["parts"] if p["name"] == name)


def test_a_missing_captioner_leaves_only_the_caption_waiting_and_search_already_works(no_captioner):
    user = Account(no_captioner, "ana@example.com")
    photo = user.upload_one("beach.jpg", make_jpeg())["id"]
    info = user.get(f"/api/photos/{photo}").json
    assert info["status"] == "waiting"
    assert info["analysis"] == {**ANALYSED, "caption": "waiting"}
    assert info["status_reason"] is None  # the loader's error is the server's business: it is on the Jobs page
    found = user.get("/api/search", query_string={"q": info["tags"][0]}).json["items"]
    assert [p["id"] for p in found] == [photo]


def test_the_jobs_page_says_once_which_part_waits_why_and_how_to_fix_it(no_captioner):
    user = Account(no_captioner, "ana@example.com")
    for i in range(3):
        user.upload_one(f"p{i}.jpg", make_jpeg(color=(i * 40, 10, 10)))
    jobs = user.get("/api/jobs").json
    assert jobs["counts"]["waiting"] == 3 and jobs["analysed"] == 3 and jobs["progress"] == 1.0
    caption = part(jobs, "caption")
    assert caption["waiting"] == 3 and "no-such-model" in caption["reason"]
    assert "CAPTION_MODEL=/path" in caption["fix"] and "flask shoebox reindex" in caption["fix"]
    others = [p for p in jobs["parts"] if p["name"] != "caption"]
    assert {(p["waiting"], p["reason"], p["fix"]) for p in others} == {(0, None, None)}


def test_reindex_once_the_model_loads_completes_the_photo_and_clears_the_reason(no_captioner, blip_dir):
    user = Account(no_captioner, "ana@example.com")
    photo = user.upload_one("beach.jpg", make_jpeg())["id"]
    no_captioner.config["SETTINGS"].CAPTION_MODEL = str(blip_dir)  # what the fix says: set it, restart
    clear_cache()
    result = no_captioner.test_cli_runner().invoke(args=["shoebox", "reindex"])
    assert result.exit_code == 0, result.output
    info = user.get(f"/api/photos/{photo}").json
    assert (info["status"], info["analysis"], info["caption_source"]) == ("done", ANALYSED, "ai")
    jobs = user.get("/api/jobs").json
    assert jobs["counts"]["done"] == 1 and part(jobs, "caption")["waiting"] == 0
    assert jobs["waiting_reason"] is None and part(jobs, "caption")["reason"] is None


def test_a_part_switched_off_is_off_and_the_photo_is_done(app, alice):
    photo = alice.upload_one("sea.jpg", make_jpeg())["id"]  # the suite's app: CAPTION_MODEL=none and so on
    info = alice.get(f"/api/photos/{photo}").json
    assert info["status"] == "done"
    assert info["analysis"] == {**ANALYSED, "caption": "off", "tags": "off", "places": "off", "embedding": "off"}
    assert part(alice.get("/api/jobs").json, "caption") == {"name": "caption", "waiting": 0, "off": 1,
                                                             "reason": None, "fix": None}


def test_jobs_counts_stay_exact_through_uploads_reanalysis_and_deletes(app, alice, bob):
    ids = [alice.upload_one(f"a{i}.jpg", make_jpeg(color=(i * 50, 1, 1)))["id"] for i in range(3)]
    bob.upload_one("b.jpg", make_jpeg(color=(9, 9, 9)))
    assert alice.delete(f"/api/photos/{ids[0]}").status_code == 204  # to Trash: it leaves the counts
    assert alice.get("/api/jobs").json["total"] == 2
    assert alice.post("/api/trash/delete", json={"ids": [ids[0]]}).status_code == 200  # and for good
    assert app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "all"]).exit_code == 0
    jobs = alice.get("/api/jobs").json
    assert (jobs["counts"], jobs["total"]) == ({"queued": 0, "running": 0, "done": 2, "failed": 0, "waiting": 0}, 2)
    assert part(jobs, "caption")["off"] == 2
    assert bob.get("/api/jobs").json["counts"]["done"] == 1


def test_a_photo_restored_from_trash_is_counted_again(app, alice):
    kept, trashed = (alice.upload_one(f"r{i}.jpg", make_jpeg(color=(i * 90, 5, 5)))["id"] for i in range(2))
    assert alice.delete(f"/api/photos/{trashed}").status_code == 204
    assert alice.get("/api/jobs").json["counts"]["done"] == 1
    assert alice.post("/api/trash/restore", json={"ids": [trashed]}).status_code == 200
    assert alice.get("/api/jobs").json["counts"]["done"] == 2


def test_the_jobs_overview_reads_kept_counts_instead_of_counting_the_library(app, alice):
    alice.upload_one("sea.jpg", make_jpeg())
    statements: list[str] = []
    engine = app.extensions["db"].engine
    listen = lambda _conn, _cursor, statement, *_rest: statements.append(" ".join(statement.lower().split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert alice.get("/api/jobs").json["counts"]["done"] == 1
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    # The one count left is the renditions', over the partial index of the clips that need one, never the library.
    assert statements and not [s for s in statements if "count(" in s and "rendition_status is not null" not in s]
    assert any("from analysis_counts" in s for s in statements)


def test_photos_waiting_before_the_upgrade_get_their_waiting_parts_from_the_reason(database):
    database.upgrade("0007")
    reason = ("caption model 'Salesforce/blip' cannot be loaded: not downloaded yet and Name or service not known; "
              "ocr model 'rapidocr' cannot be loaded: rapidocr-onnxruntime's model files are missing: a.onnx")
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO users (email, password_hash, token_version, token_key, created_at) "
                                "VALUES ('a@example.com', 'x', 0, 'k', '2024-01-01')"))
        for sha, status in (("a", "waiting"), ("b", "done")):
            connection.execute(text(
                "INSERT INTO photos (user_id, sha256, filename, format, mime_type, file_size, width, height, "
                "taken_at, taken_at_source, status, status_reason, created_at, updated_at) VALUES ((SELECT id FROM "
                "users), :sha, 'a.jpg', 'JPEG', 'image/jpeg', 1, 1, 1, '2024-01-01', 'upload', :status, :reason, "
                "'2024-01-01', '2024-01-01')"), {"sha": sha, "status": status,
                                                 "reason": reason if status == "waiting" else None})
    database.upgrade()
    with database.engine.connect() as connection:
        parts = connection.execute(text("SELECT p.sha256, s.part, s.state FROM photo_part_states s JOIN photos p "
                                        "ON p.id = s.photo_id ORDER BY s.part")).all()
        problems = dict(connection.execute(text("SELECT part, reason FROM analysis_problems")).all())
        counts = set(connection.execute(text("SELECT part, state, n FROM analysis_counts")).all())
        reasons = connection.execute(text("SELECT status_reason FROM photos")).scalars().all()
    assert [tuple(row) for row in parts] == [("a", "caption", "waiting"), ("a", "text", "waiting")]
    assert problems["caption"].endswith("Name or service not known") and "a.onnx" in problems["text"]
    assert counts == {("photo", "waiting", 1), ("photo", "done", 1), ("caption", "waiting", 1),
                      ("text", "waiting", 1)}
    assert reasons == [None, None]
