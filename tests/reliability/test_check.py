"""`flask shoebox check [--repair]` and the startup check find and fix what crashes leave behind."""

from __future__ import annotations

import logging
import os
import time

from sqlalchemy import select, update

from shoebox.maintenance import Checker, startup_check
from shoebox.models import Photo, WorkerBeat, utcnow
from tests.conftest import make_jpeg
from tests.reliability.helpers import dead_pid


def checker(app) -> Checker:
    return Checker(app.extensions["db"], app.extensions["library"].storage, app.extensions["queue"])


def storage(app):
    return app.extensions["library"].storage


def kinds(report) -> dict[str, int]:
    return dict(report.counts())


def test_a_fresh_library_is_clean(app, alice):
    alice.upload_one()
    assert checker(app).check().clean


def test_an_upload_cut_off_before_its_row_is_undone_with_its_files(app, alice):
    """A process that died between linking the original and committing the row left a claim: undo it all."""
    store = storage(app)
    sha = "ab" * 32
    claim = store.tmp / f"ingest-{_host()}-{dead_pid()}-1-{sha}-x1"
    claim.write_bytes(b"jpeg bytes")
    original = store.original_path(1, sha)
    original.parent.mkdir(parents=True)
    original.write_bytes(b"jpeg bytes")
    thumb = store.write_thumbnail(b"webp", 1, sha, "small")
    spool = store.tmp / f"upload-{_host()}-{dead_pid()}-x2"
    spool.write_bytes(b"half an upload")
    report = checker(app).check()
    assert kinds(report) == {"interrupted_upload": 2}
    assert checker(app).recover_interrupted() == 2
    assert not claim.exists() and not original.exists() and not thumb.exists() and not spool.exists()
    assert checker(app).check().clean


def test_an_upload_cut_off_after_its_commit_keeps_the_photo(app, alice):
    photo = alice.upload_one()
    with app.app_context():
        sha = app.extensions["db"].session.get(Photo, photo["id"]).sha256
    claim = storage(app).tmp / f"ingest-{_host()}-{dead_pid()}-1-{sha}-x"
    claim.write_bytes(b"")
    checker(app).recover_interrupted()
    assert not claim.exists()
    assert storage(app).original_path(1, sha).is_file()
    assert alice.get(f"/api/photos/{photo['id']}/original").status_code == 200


def test_the_temp_file_of_a_live_upload_is_left_alone(app):
    live = storage(app).tmp / f"upload-{_host()}-1-x"  # pid 1 is always alive
    live.write_bytes(b"in flight")
    assert checker(app).check().clean


def test_orphan_files_are_found_and_removed(app, alice):
    photo = alice.upload_one()
    with app.app_context():
        row = app.extensions["db"].session.get(Photo, photo["id"])
        user_id, sha = row.user_id, row.sha256
        app.extensions["db"].session.delete(row)
        app.extensions["db"].session.commit()  # as if the server died between the row and the files
    report = checker(app).check()
    assert kinds(report) == {"orphan_file": 3}
    checker(app).repair(report)
    assert not any(p.exists() for p in storage(app).paths_of(user_id, sha))
    assert checker(app).check().clean


def test_missing_originals_are_reported_not_hidden(app, alice):
    photo = alice.upload_one()
    with app.app_context():
        row = app.extensions["db"].session.get(Photo, photo["id"])
    storage(app).original_path(row.user_id, row.sha256).unlink()
    report = checker(app).repair(checker(app).check())
    assert kinds(checker(app).check()) == {"missing_original": 1}
    assert report.repaired == 0


def test_missing_and_corrupt_thumbnails_are_rendered_again(app, alice):
    photo = alice.upload_one()
    with app.app_context():
        row = app.extensions["db"].session.get(Photo, photo["id"])
    small = storage(app).thumbnail_path(row.user_id, row.sha256, "small")
    large = storage(app).thumbnail_path(row.user_id, row.sha256, "large")
    small.write_bytes(small.read_bytes()[:100])  # truncated
    large.unlink()
    report = checker(app).check()
    assert kinds(report) == {"bad_thumbnail": 1}
    checker(app).repair(report)
    assert checker(app).check().clean
    assert small.stat().st_size > 100 and large.is_file()


def test_photos_whose_job_was_lost_are_queued_again(app, alice):
    photos = [alice.upload_one(f"{i}.jpg", make_jpeg(color=(40 + i * 80, 9, 200 - i * 60)))["id"] for i in range(3)]
    with app.extensions["db"].transaction() as session:
        session.execute(update(Photo).where(Photo.id == photos[0]).values(status="queued"))
        session.execute(update(Photo).where(Photo.id == photos[1])
                        .values(status="running", claimed_by=f"{_host()}-{dead_pid()}"))
        session.execute(update(Photo).where(Photo.id == photos[2]).values(status="running", claimed_by=f"{_host()}-1"))
        session.add(WorkerBeat(worker=f"{_host()}-1", beat_at=utcnow()))  # alive, and its heartbeat says so
    report = checker(app).check()
    assert kinds(report) == {"lost_job": 2}
    checker(app).repair(report)  # the test queue runs jobs at once
    with app.extensions["db"].make_session() as session:
        statuses = dict(session.execute(select(Photo.id, Photo.status)).all())
    assert statuses == {photos[0]: "done", photos[1]: "done", photos[2]: "running"}


def test_startup_logs_a_one_line_summary(app, alice, caplog):
    alice.upload_one()
    with app.extensions["db"].transaction() as session:
        session.execute(update(Photo).values(status="failed", status_reason="model crashed"))
    with caplog.at_level(logging.INFO, logger="shoebox.maintenance"):
        report = startup_check(app)
    assert kinds(report) == {"not_analysed": 1}
    assert "check: 1 not analysed" in caplog.text


def test_the_check_command_reports_and_repairs(app, alice):
    alice.upload_one()
    (storage(app).tmp / f"upload-{_host()}-{dead_pid()}-x").write_bytes(b"x")
    runner = app.test_cli_runner()
    found = runner.invoke(args=["shoebox", "check"])
    assert found.exit_code == 1 and "1 interrupted upload" in found.output
    fixed = runner.invoke(args=["shoebox", "check", "--repair"])
    assert fixed.exit_code == 0, fixed.output
    assert runner.invoke(args=["shoebox", "check"]).exit_code == 0


def test_a_spool_a_live_process_left_behind_is_reported_and_removed(app):
    """A clean-up that failed (the data directory turned read-only mid-upload) leaves a spool whose process is
    still serving: once it is half an hour old, `check` reports it and `--repair` removes it."""
    leftover = storage(app).tmp / f"upload-{_host()}-{os.getpid()}-x"
    leftover.write_bytes(b"a spooled upload")
    an_hour_ago = time.time() - 3600
    os.utime(leftover, (an_hour_ago, an_hour_ago))
    runner = app.test_cli_runner()
    found = runner.invoke(args=["shoebox", "check"])
    assert found.exit_code == 1 and f"interrupted_upload: {leftover}" in found.output
    assert runner.invoke(args=["shoebox", "check", "--repair"]).exit_code == 0
    assert not leftover.exists()


def _host() -> str:
    from shoebox.processes import owner_tag

    return owner_tag().rsplit("-", 1)[0]
