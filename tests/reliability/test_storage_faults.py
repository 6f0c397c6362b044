"""A full disk (507) or a read-only data directory (500) during an upload: a clear JSON error, nothing half-written.

Real file systems: a 1 MiB tmpfs and a read-only bind mount (needs root; skipped otherwise)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import time

import pytest
from PIL import Image

from shoebox import create_app
from tests.conftest import Account, make_jpeg

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs or a read-only bind mount needs root")


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here: {result.stderr.strip()}")


@contextlib.contextmanager
def mounted(target, *args: str):
    target.mkdir(parents=True, exist_ok=True)
    _mount(*args, str(target))
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def _app(data_dir, db_dir):
    db_dir.mkdir(parents=True, exist_ok=True)
    return create_app({"DATA_DIR": str(data_dir), "DATABASE_URL": f"sqlite:///{db_dir / 'shoebox.db'}",
                       "TESTING": True, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
                       "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"}, env_file=None)


def noisy_jpeg(side: int = 700) -> bytes:
    """A JPEG that does not compress much (hundreds of KB)."""
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def _fill(directory, leave: int) -> None:
    """Fill the file system until only about `leave` bytes are free."""
    free = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize
    (directory / "filler").write_bytes(b"\0" * max(0, free - leave))


def _leftovers(data_dir) -> list[str]:
    found = [p for area in ("tmp", "originals", "thumbs") for p in (data_dir / area).rglob("*") if p.is_file()]
    return [str(p) for p in found]


def test_a_full_disk_answers_507_and_keeps_nothing(tmp_path):
    with mounted(tmp_path / "small", "-t", "tmpfs", "-o", "size=1m", "tmpfs") as data_dir:
        app = _app(data_dir, tmp_path / "db")
        alice = Account(app, "alice@example.com")
        _fill(data_dir, leave=100_000)
        reply = alice.upload(("big.jpg", noisy_jpeg()))
        assert reply.status_code == 507, reply.json
        assert reply.json["errors"][0]["error"]["code"] == "insufficient_storage"
        assert "disk is full" in reply.json["errors"][0]["error"]["message"]
        assert _leftovers(data_dir) == []
        assert alice.get("/api/photos").json["items"] == []
        (data_dir / "filler").unlink()
        assert alice.upload(("big.jpg", noisy_jpeg())).status_code == 201  # space again: it works
        app.extensions["db"].dispose()


def test_a_read_only_data_directory_answers_500_and_keeps_nothing(tmp_path):
    source = tmp_path / "data"
    source.mkdir()
    with mounted(tmp_path / "ro", "--bind", str(source)) as data_dir:
        app = _app(data_dir, tmp_path / "db")
        alice = Account(app, "alice@example.com")
        alice.upload_one("before.jpg")
        _mount("-o", "remount,bind,ro", str(data_dir))
        reply = alice.upload(("after.jpg", make_jpeg(color=(9, 90, 200))))
        assert reply.status_code == 500, reply.json
        error = reply.json["errors"][0]["error"]
        assert error["code"] == "storage_read_only" and "not writable" in error["message"]
        assert len(alice.get("/api/photos").json["items"]) == 1
        assert not list((data_dir / "tmp").iterdir())
        app.extensions["db"].dispose()


@contextlib.contextmanager
def turned_read_only_mid_upload(tmp_path, monkeypatch):
    """An app on a bind-mounted data directory that turns read-only after an upload is spooled, before it is
    stored (as when the file system is remounted read-only on an error); yields (app, account, data_dir)."""
    source = tmp_path / "data"
    source.mkdir()
    with mounted(tmp_path / "ro", "--bind", str(source)) as data_dir:
        app = _app(data_dir, tmp_path / "db")
        alice = Account(app, "alice@example.com")
        storage = app.extensions["library"].storage
        claim = storage.claim

        def read_only_then_claim(*args):
            _mount("-o", "remount,bind,ro", str(data_dir))
            return claim(*args)

        monkeypatch.setattr(storage, "claim", read_only_then_claim)
        try:
            yield app, alice, data_dir
        finally:
            app.extensions["db"].dispose()


def test_a_data_directory_turned_read_only_mid_upload_answers_storage_read_only(tmp_path, monkeypatch):
    with turned_read_only_mid_upload(tmp_path, monkeypatch) as (app, alice, data_dir):
        reply = alice.upload(("late.jpg", make_jpeg(color=(9, 90, 200))))
        assert reply.status_code == 500, reply.json
        error = reply.json["errors"][0]["error"]
        assert error["code"] == "storage_read_only" and "not writable" in error["message"]
        assert alice.get("/api/photos").json["items"] == []


def test_the_spool_a_read_only_directory_kept_is_found_by_check_once_writable(tmp_path, monkeypatch):
    with turned_read_only_mid_upload(tmp_path, monkeypatch) as (app, alice, data_dir):
        alice.upload(("late.jpg", make_jpeg(color=(9, 90, 200))))
        _mount("-o", "remount,bind,rw", str(data_dir))
        [spool] = (data_dir / "tmp").iterdir()  # its clean-up could not remove it
        an_hour_ago = time.time() - 3600
        os.utime(spool, (an_hour_ago, an_hour_ago))
        runner = app.test_cli_runner()
        found = runner.invoke(args=["shoebox", "check"])
        assert found.exit_code == 1 and "1 interrupted upload" in found.output
        assert runner.invoke(args=["shoebox", "check", "--repair"]).exit_code == 0
        assert _leftovers(data_dir) == []
