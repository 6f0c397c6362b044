"""`flask shoebox backup DEST` / `restore SRC`: a consistent copy of an embedded (SQLite) install.

A backup folder holds shoebox.db (SQLite's online backup API: a consistent snapshot while the app runs), the
originals of the photos in that snapshot (hard links where DEST is on the same file system, else copies),
the signing keys, metadata sidecars (metadata/<user>/<sha256>.json and .xmp) and manifest.json with the
SHA-256 and size of every file. The manifest is written last: a folder without one is an unfinished backup.
Thumbnails are not kept; they are rendered again after a restore. Like the data directory, a backup is
owner-only (folders 0700, files 0600): it holds the same emails, hashes, keys, notes and GPS.

A restore brings back the signing keys too (over the ones the fresh install generated at start-up), so the
tokens signed before the backup keep working: nobody is signed out by a restore.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, selectinload

from shoebox.db import Database
from shoebox.errors import ShoeboxError
from shoebox.library.sidecars import json_sidecar, xmp_sidecar
from shoebox.library.storage import CHUNK, Storage
from shoebox.models import Photo, User
from shoebox.private_files import FILE_MODE, private_dir, private_file, tighten, write_private

MANIFEST = "manifest.json"
SECRETS = (".secret_key", ".jwt_secret_key")


class BackupError(ShoeboxError):
    code = "backup_failed"


def backup(database: Database, storage: Storage, dest: Path) -> dict:
    """Write a backup of the database, originals, keys and sidecars to an empty or new folder DEST."""
    source = _sqlite_file(database)
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: back up into a new folder")
    private_dir(dest)
    tighten(dest)
    files: dict[str, dict] = {}
    snapshot = private_file(dest / "shoebox.db")
    _sqlite_copy(source, snapshot, single_file=True)
    files["shoebox.db"] = _entry(snapshot)
    for name in SECRETS:
        if (storage.root / name).is_file():
            _copy_private(storage.root / name, dest / name)
            files[name] = _entry(dest / name)
    engine = create_engine(f"sqlite:///{snapshot}")
    try:
        with Session(engine) as session:
            for photo in _photos(session):
                files.update(_keep_photo(storage, dest, photo))
    finally:
        engine.dispose()
    manifest = {"format": "shoebox-backup", "version": 1, "created_at": datetime.now(UTC).isoformat(),
                "files": files}
    _write_atomic(dest / MANIFEST, json.dumps(manifest, indent=1))
    return manifest


def restore(database: Database, storage: Storage, src: Path) -> dict:
    """Check every file of the backup SRC against its manifest, then restore it into this (empty) install."""
    target = _sqlite_file(database)
    manifest = verify(src)
    with database.make_session() as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise BackupError("this install already has accounts: restore into an empty data directory")
    if any(storage.originals()):
        raise BackupError("this data directory already holds originals: restore into an empty one")
    database.dispose()
    _sqlite_copy(Path(src) / "shoebox.db", target)
    for name in manifest["files"]:
        # The keys too, over those the fresh install generated when it started (the install is empty, so no
        # token was signed with them): every token from before the backup keeps working.
        if name.startswith("originals/") or name in SECRETS:
            dest = storage.root / name
            private_dir(dest.parent)
            _copy_private(Path(src) / name, dest)
    database.upgrade()  # a backup of an older version gets the newer schema
    return manifest


def verify(src: Path) -> dict:
    """The manifest of backup SRC, once every file it lists is there with the right checksum."""
    path = Path(src) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} has no {MANIFEST}: not a Shoebox backup, or an unfinished one")
    manifest = json.loads(path.read_text())
    bad = [name for name, entry in manifest["files"].items() if _entry(Path(src) / name, missing_ok=True) != entry]
    if bad:
        raise BackupError(f"{len(bad)} file(s) of the backup are missing or damaged, e.g. {bad[0]}")
    return manifest


# -- helpers -----------------------------------------------------------------------------------------
def _sqlite_file(database: Database) -> Path:
    path = database.sqlite_path
    if path is None:
        raise BackupError("backup and restore handle the embedded SQLite database; back up PostgreSQL with "
                          "pg_dump and the data directory with your usual tools")
    return path


def _sqlite_copy(source: Path, target: Path, single_file: bool = False) -> None:
    """A consistent copy through SQLite's online backup API (other connections may keep writing); a
    `single_file` copy leaves WAL mode, so the backup is one self-contained file."""
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        if single_file:
            dst.execute("PRAGMA journal_mode=DELETE")
        dst.commit()


def _photos(session: Session) -> Iterator[Photo]:
    yield from session.scalars(select(Photo).options(selectinload(Photo.tags)).order_by(Photo.id))


def _keep_photo(storage: Storage, dest: Path, photo: Photo) -> dict[str, dict]:
    """Link or copy the original, checking its bytes still hash to its name; write its sidecars."""
    original = storage.original_path(photo.user_id, photo.sha256)
    name = original.relative_to(storage.root).as_posix()
    target = dest / name
    private_dir(target.parent)
    _link_or_copy(original, target)
    entry = _entry(target)
    if entry["sha256"] != photo.sha256:
        raise BackupError(f"the original of photo {photo.id} is damaged (its checksum changed): {original}")
    sidecars = private_dir(dest / "metadata" / str(photo.user_id))
    write_private(sidecars / f"{photo.sha256}.json", json_sidecar(photo, name))
    write_private(sidecars / f"{photo.sha256}.xmp", xmp_sidecar(photo))
    return {name: entry}


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError as exc:
        raise BackupError(f"an original is missing: {source} (run `flask shoebox check`)") from exc
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        _copy_private(source, target)
    tighten(target)  # a link shares the original's mode: one kept 0644 by an older version is tightened


def _copy_private(source: Path, target: Path) -> None:
    """Copy a file (bytes and times) to an owner-only file, through a temp file and a rename."""
    temp = target.with_name(f".{target.name}.tmp")
    with source.open("rb") as src, os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE),
                                             "wb") as out:
        os.fchmod(out.fileno(), FILE_MODE)
        shutil.copyfileobj(src, out, CHUNK)
    stat = source.stat()
    os.utime(temp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(temp, target)


def _entry(path: Path, missing_ok: bool = False) -> dict | None:
    if missing_ok and not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "size": path.stat().st_size}


def _write_atomic(path: Path, text: str) -> None:
    temp = path.with_name(path.name + ".tmp")
    write_private(temp, text)
    os.replace(temp, path)
