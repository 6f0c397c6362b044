"""`flask shoebox backup DEST` / `restore SRC`: a consistent, verifiable copy that restores into an empty install."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

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
