"""`flask shoebox backup DEST` / `restore SRC`: a consistent, verifiable copy that restores into an empty install."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from shoebox import create_app
from shoebox.backup import BackupError, verify
from shoebox.library.sidecars import NS
from tests.conftest import PASSWORD, make_jpeg
from tests.reliability.helpers import common_umask, readable_by_others

pytestmark = pytest.mark.embedded_only(reason="backup and restore cover the embedded SQLite install; PostgreSQL "
                                                 "installs use pg_dump")


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "EOS 5D"
    exif.get_ifd(0x8769)[0x9003] = "2021:07:14 18:30:00"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    return exif


@pytest.fixture
def library_with_photos(app, alice):
    first = alice.upload_one("paris.jpg", make_jpeg(exif=_exif()))
    alice.patch(f"/api/photos/{first['id']}", json={"caption": "Evening & <river>", "tags": ["paris", "river"]})
    alice.upload_one("second.jpg", make_jpeg(color=(10, 200, 30)))
    return first


def test_backup_then_restore_into_an_empty_install(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    result = app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest)])
    assert result.exit_code == 0, result.output
    assert len([n for n in verify(dest)["files"] if n.startswith("originals/")]) == 2

    fresh = create_app({"DATA_DIR": str(tmp_path / "restored"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
                        "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"}, env_file=None)
    restored = fresh.test_cli_runner().invoke(args=["shoebox", "restore", str(dest)])
    assert restored.exit_code == 0, restored.output
    assert "check: all clean" in restored.output
    client = fresh.test_client()
    token = client.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD}).json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    photo = client.get(f"/api/photos/{library_with_photos['id']}", headers=auth).json
    assert photo["caption"] == "Evening & <river>" and photo["tags"] == ["paris", "river"]
    original = client.get(photo["original_url"], headers=auth)
    assert original.data == alice.get(photo["original_url"]).data
    assert client.get(photo["large_url"], headers=auth).status_code == 200
    fresh.extensions["db"].dispose()


def test_sidecars_carry_the_metadata_in_json_and_standard_xmp(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest)])
    sha = alice.get(f"/api/photos/{library_with_photos['id']}").json["sha256"]
    sidecar = json.loads(next(dest.glob(f"metadata/*/{sha}.json")).read_text())
    assert sidecar["caption"] == "Evening & <river>" and sidecar["camera_model"] == "EOS 5D"
    assert (dest / sidecar["original"]).is_file()
    root = ET.parse(next(dest.glob(f"metadata/*/{sha}.xmp"))).getroot()
    desc = root.find("rdf:RDF/rdf:Description", NS)
    assert desc.find("dc:description/rdf:Alt/rdf:li", NS).text == "Evening & <river>"
    assert [li.text for li in desc.findall("dc:subject/rdf:Bag/rdf:li", NS)] == ["paris", "river"]
    assert desc.find("exif:DateTimeOriginal", NS).text == "2021-07-14T18:30:00"
    assert desc.find("exif:GPSLatitude", NS).text == "48,51.4000N"
    assert desc.find("exif:GPSLongitude", NS).text == "2,17.6667E"
    assert desc.find("tiff:Make", NS).text == "Canon"


def test_a_damaged_backup_is_refused(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest)])
    next(dest.glob("originals/*/*/*")).write_bytes(b"bit rot")
    with pytest.raises(BackupError, match="missing or damaged"):
        verify(dest)


def test_restore_refuses_an_install_that_has_accounts(app, alice, tmp_path):
    dest = tmp_path / "backup"
    app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest)])
    result = app.test_cli_runner().invoke(args=["shoebox", "restore", str(dest)])
    assert result.exit_code != 0 and "already has accounts" in result.output


def test_backup_needs_a_new_folder(app, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = app.test_cli_runner().invoke(args=["shoebox", "backup", str(tmp_path / "full")])
    assert result.exit_code != 0 and "not empty" in result.output


def _restored(tmp_path, dest):
    """A fresh install that restores backup `dest`, then starts again on the restored data, as a server would."""
    settings = {"DATA_DIR": str(tmp_path / "restored"), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
                "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"}
    fresh = create_app(settings, env_file=None)
    result = fresh.test_cli_runner().invoke(args=["shoebox", "restore", str(dest)])
    assert result.exit_code == 0, result.output
    fresh.extensions["db"].dispose()
    return create_app(settings, env_file=None)


def test_a_token_issued_before_the_backup_works_after_a_restore(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest)]).exit_code == 0
    restored = _restored(tmp_path, dest)
    client = restored.test_client()
    access = client.get("/api/photos", headers={"Authorization": f"Bearer {alice.tokens['access_token']}"})
    refresh = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {alice.tokens['refresh_token']}"})
    assert access.status_code == 200 and len(access.json["items"]) == 2 and refresh.status_code == 200
    restored.extensions["db"].dispose()


def test_a_backup_is_owner_only_like_the_data_directory(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    with common_umask():
        assert app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest)]).exit_code == 0
    assert {"shoebox.db", "manifest.json", ".secret_key", ".jwt_secret_key", "originals", "metadata"} <= \
        {path.name for path in dest.iterdir()}
    assert readable_by_others(dest) == []


def test_a_restored_data_directory_is_owner_only(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest)]).exit_code == 0
    for path in [dest, *dest.rglob("*")]:  # a backup copied around with looser modes
        path.chmod(0o755 if path.is_dir() else 0o644)
    with common_umask():
        restored = _restored(tmp_path, dest)
    restored.extensions["db"].dispose()
    assert readable_by_others(tmp_path / "restored") == []


# -- incremental backups ------------------------------------------------------------------------------
_opened: list[str] | None = None


def _record_open(event: str, args: tuple) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.fsdecode(args[0]))


@contextlib.contextmanager
def files_opened():
    """Every file the code inside opens (Python's `open` audit event: open(), Path.open(), os.open())."""
    global _opened
    if not getattr(files_opened, "hooked", False):
        sys.addaudithook(_record_open)  # audit hooks cannot be removed: it records only inside this block
        files_opened.hooked = True
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def backup_into(app, dest, *options):
    return app.test_cli_runner().invoke(args=["shoebox", "backup", str(dest), *options])


def originals_of(dest):
    return sorted(path.name for path in dest.glob("originals/*/*/*"))


def test_a_second_backup_of_an_unchanged_library_reads_no_original(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    assert backup_into(app, dest).exit_code == 0
    with files_opened() as opened:
        again = backup_into(app, dest)
    assert again.exit_code == 0, again.output
    assert "0 copied, 2 unchanged, 0 removed, 0 read" in again.output
    assert [path for path in opened if "/originals/" in path] == []
    assert len(originals_of(dest)) == 2 and verify(dest)


def test_a_second_backup_copies_new_photos_and_removes_deleted_ones(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    assert backup_into(app, dest).exit_code == 0
    deleted_sha = alice.get(f"/api/photos/{library_with_photos['id']}").json["sha256"]
    assert alice.delete(f"/api/photos/{library_with_photos['id']}").status_code == 204
    assert alice.post("/api/trash/delete", json={"ids": [library_with_photos["id"]]}).status_code == 200
    alice.upload_one("third.jpg", make_jpeg(color=(90, 90, 250)))
    again = backup_into(app, dest)
    assert again.exit_code == 0, again.output
    assert "1 copied, 1 unchanged, 1 removed, 1 read" in again.output
    assert deleted_sha not in originals_of(dest) and len(originals_of(dest)) == 2
    assert list(dest.glob(f"metadata/*/{deleted_sha}.*")) == []
    assert verify(dest)


def test_a_restore_after_two_backups_gives_back_the_library_of_the_second(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    assert backup_into(app, dest).exit_code == 0
    alice.delete(f"/api/photos/{library_with_photos['id']}")
    third = alice.upload_one("third.jpg", make_jpeg(color=(90, 90, 250)))
    assert backup_into(app, dest).exit_code == 0
    restored = _restored(tmp_path, dest)
    client = restored.test_client()
    auth = {"Authorization": f"Bearer {alice.tokens['access_token']}"}
    names = sorted(photo["filename"] for photo in client.get("/api/photos", headers=auth).json["items"])
    assert names == ["second.jpg", "third.jpg"]
    detail = client.get(f"/api/photos/{third['id']}", headers=auth).json
    assert client.get(detail["original_url"], headers=auth).data == alice.get(detail["original_url"]).data
    restored.extensions["db"].dispose()


def _original_file(app, alice, photo_id):
    sha = alice.get(f"/api/photos/{photo_id}").json["sha256"]
    return next(Path(app.config["SETTINGS"].DATA_DIR, "originals").glob(f"*/*/{sha}"))


def test_an_original_changed_since_the_last_backup_is_reported_not_backed_up(app, alice, library_with_photos,
                                                                             tmp_path):
    dest = tmp_path / "backup"
    assert backup_into(app, dest).exit_code == 0
    original = _original_file(app, alice, library_with_photos["id"])
    original.write_bytes(b"x" * original.stat().st_size)  # same size, new modification time
    again = backup_into(app, dest)
    assert again.exit_code == 1 and f"damaged: {original}" in again.output
    assert verify(dest)  # what the backup lists is sound


def test_verify_reads_everything_again_and_finds_an_original_rotted_in_place(app, alice, library_with_photos,
                                                                           tmp_path):
    dest = tmp_path / "backup"
    assert backup_into(app, dest).exit_code == 0
    original = _original_file(app, alice, library_with_photos["id"])
    before = original.stat()
    original.write_bytes(b"x" * before.st_size)
    os.utime(original, ns=(before.st_atime_ns, before.st_mtime_ns))  # bit rot: size and time unchanged
    assert backup_into(app, dest).exit_code == 0  # trusted: nothing says it changed
    checked = backup_into(app, dest, "--verify")
    assert checked.exit_code == 1 and f"damaged: {original}" in checked.output
    assert verify(dest)


def test_verify_copies_again_a_damaged_copy_in_the_backup(app, alice, library_with_photos, tmp_path):
    dest = tmp_path / "backup"
    assert backup_into(app, dest).exit_code == 0
    copy = next(dest.glob("originals/*/*/*"))
    size = copy.stat().st_size
    copy.unlink()
    copy.write_bytes(b"x" * size)  # the backup's own copy rotted (a copy, not a link to the original)
    checked = backup_into(app, dest, "--verify")
    assert checked.exit_code == 0, checked.output
    assert "1 copied, 1 unchanged" in checked.output
    assert verify(dest)


def test_a_second_backup_rewrites_the_sidecars_of_photos_whose_tags_changed(app, alice, library_with_photos,
                                                                            tmp_path):
    dest = tmp_path / "backup"
    assert backup_into(app, dest).exit_code == 0
    photo_id = library_with_photos["id"]
    assert alice.patch(f"/api/photos/{photo_id}", json={"tags": ["paris", "bridge"]}).status_code == 200
    assert backup_into(app, dest).exit_code == 0
    sha = alice.get(f"/api/photos/{photo_id}").json["sha256"]
    sidecar = json.loads(next(dest.glob(f"metadata/*/{sha}.json")).read_text())
    assert [tag["name"] for tag in sidecar["tags"]] == ["paris", "bridge"]
    root = ET.parse(next(dest.glob(f"metadata/*/{sha}.xmp"))).getroot()
    assert [li.text for li in root.findall("rdf:RDF/rdf:Description/dc:subject/rdf:Bag/rdf:li", NS)] == \
        ["paris", "bridge"]
