"""A full disk (507) or a read-only data directory (500) during an upload: a clear JSON error, nothing half-written.

Real file systems: a 1 MiB tmpfs and a read-only bind mount (needs root; skipped otherwise)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess

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
