"""`flask shoebox backup DEST [--verify]` / `restore SRC`: a consistent copy of an embedded (SQLite) install.

A backup folder holds shoebox.db (SQLite's online backup API: a consistent snapshot while the app runs), the
originals of the photos in that snapshot (hard links where DEST is on the same file system, else copies),
the signing keys, metadata sidecars (metadata/<user>/<sha256>.json and .xmp) and manifest.json with the
SHA-256 and size of every file. The manifest is written last: a folder without one is an unfinished backup.
Thumbnails are not kept; they are rendered again after a restore. Like the data directory, a backup is
owner-only (folders 0700, files 0600): it holds the same emails, hashes, keys, notes and GPS.

Backing up into an earlier backup brings it up to date, copying only what changed: an original's name is its
SHA-256, computed once when it was uploaded, so one already in the backup, from a file of the same size and
modification time, is trusted without reading either (a 20,000-photo library that has not changed is backed up
again in seconds, where reading 1.1 TB took two hours). New originals are read, checked against their name and
copied; those of deleted photos are removed. `--verify` reads every original and every copy again: a damaged
original is reported (and never copied over a good copy), a damaged copy is copied again.

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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import String, cast, create_engine, func, select
from sqlalchemy.orm import Session, selectinload

from shoebox.db import Database
from shoebox.errors import ShoeboxError
from shoebox.library.sidecars import json_sidecar, xmp_sidecar
from shoebox.library.storage import CHUNK, Storage
from shoebox.models import Photo, PhotoTag, User
from shoebox.private_files import FILE_MODE, private_dir, private_file, tighten, write_private

MANIFEST = "manifest.json"
#: The manifest of the backup being updated, set aside while it is (a folder without manifest.json is unfinished).
PREVIOUS = ".manifest-previous.json"
SECRETS = (".secret_key", ".jwt_secret_key")


class BackupError(ShoeboxError):
    code = "backup_failed"


@dataclass
class Outcome:
    """What a backup did: its manifest, how many originals it copied, kept as they were, removed, and read (to
    check their checksum), and the originals whose bytes no longer match their checksum."""

    manifest: dict
    copied: int = 0
    kept: int = 0
    removed: int = 0
    read: int = 0
    damaged: list[str] = field(default_factory=list)


def backup(database: Database, storage: Storage, dest: Path, full_check: bool = False) -> Outcome:
    """Write a backup of the database, originals, keys and sidecars to DEST: a new or empty folder, or an earlier
    backup, which is brought up to date copying only what changed. An original is hashed once, when it comes in
    (its name is its SHA-256): one already in the backup with the same size and time is trusted unread, unless
    `full_check`, which reads every original and every copy again and repairs a damaged copy."""
    source = _sqlite_file(database)
    dest = Path(dest)
    previous = _previous_manifest(dest)
    private_dir(dest)
    tighten(dest)
    if (dest / MANIFEST).exists():
        os.replace(dest / MANIFEST, dest / PREVIOUS)  # from here until the end the backup is unfinished
    outcome = Outcome({})
    files: dict[str, dict] = {}
    temp = private_file(dest / ".shoebox.db.tmp")
    _sqlite_copy(source, temp, single_file=True)
    os.replace(temp, dest / "shoebox.db")
    files["shoebox.db"] = _entry(dest / "shoebox.db")
    for name in SECRETS:
        if (storage.root / name).is_file():
            _copy_private(storage.root / name, dest / name)
            files[name] = _entry(dest / name)
    copier = _Copier(storage, dest, previous, full_check, outcome)
    engine = create_engine(f"sqlite:///{dest / 'shoebox.db'}")
    try:
        with Session(engine) as session:
            for user_id, sha256, clip in session.execute(
                    select(Photo.user_id, Photo.sha256, Photo.motion_sha256).order_by(Photo.id)):
                files.update(copier.keep(user_id, sha256))
                if clip:  # a Live Photo's MOV, a Motion Photo's clip: an original of its still's
                    files.update(copier.keep(user_id, clip))
            copier.write_sidecars(session)
    finally:
        engine.dispose()
    outcome.removed = _remove_stale(dest, previous, files, copier.sidecars)
    outcome.manifest = {"format": "shoebox-backup", "version": 1, "created_at": datetime.now(UTC).isoformat(),
                        "files": files, "sidecars": copier.sidecars}
    _write_atomic(dest / MANIFEST, json.dumps(outcome.manifest, indent=1))
    (dest / PREVIOUS).unlink(missing_ok=True)
    return outcome


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
    bad = [name for name, entry in manifest["files"].items() if not _matches(Path(src) / name, entry)]
    if bad:
        raise BackupError(f"{len(bad)} file(s) of the backup are missing or damaged, e.g. {bad[0]}")
    return manifest


@dataclass
class _Copier:
    """Brings each photo's original and sidecars into the backup, reading only what it must."""

    storage: Storage
    dest: Path
    previous: dict
    full_check: bool
    outcome: Outcome
    sidecars: dict[str, str] = field(default_factory=dict)

    def keep(self, user_id: int, sha256: str) -> dict[str, dict]:
        """The manifest entry of a photo's original, copied or linked where it is new or changed."""
        original = self.storage.original_path(user_id, sha256)
        name = f"originals/{user_id}/{sha256[:2]}/{sha256}"
        try:
            stat = original.stat()
        except FileNotFoundError as exc:
            raise BackupError(f"an original is missing: {original} (run `flask shoebox check`)") from exc
        entry = self._entry(sha256, original, name, stat)
        return {name: entry} if entry else {}

    def _entry(self, sha256: str, original: Path, name: str, stat: os.stat_result) -> dict | None:
        """Trust a copy made from the same file (size and time unchanged); else read and copy."""
        old = self.previous.get("files", {}).get(name)
        target = self.dest / name
        fresh = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        if self.full_check:
            return self._checked(original, target, fresh)
        if old == fresh and _size(target) == stat.st_size:
            self.outcome.kept += 1
            return old
        if not self._sound(original, sha256):
            return self._copy_entry(target, sha256)  # the copy made before it changed, if it is intact
        self._copy(original, target)
        return fresh

    def _checked(self, original: Path, target: Path, fresh: dict) -> dict | None:
        """`full_check`: read the original and the backup's copy; copy again where the copy is damaged."""
        sound = self._sound(original, fresh["sha256"])
        linked = target.is_file() and os.path.samefile(target, original)
        if linked and sound or not linked and self._copy_entry(target, fresh["sha256"]):
            self.outcome.kept += 1
            return fresh if sound else self._copy_entry(target, fresh["sha256"], read=False)
        if not sound:
            return None
        self._copy(original, target)
        return fresh

    def _sound(self, original: Path, sha256: str) -> bool:
        """Whether the original's bytes still hash to its name (one that does not is reported, never copied)."""
        self.outcome.read += 1
        if _digest(original) == sha256:
            return True
        self.outcome.damaged.append(str(original))
        return False

    def _copy_entry(self, target: Path, sha256: str, read: bool = True) -> dict | None:
        """The entry of a copy already in the backup that hashes to its name (no time: the original it came
        from has changed since, so the next backup looks at it again); None where there is none."""
        if not target.is_file():
            return None
        if read:
            self.outcome.read += 1
            if _digest(target) != sha256:
                return None
        return {"sha256": sha256, "size": _size(target), "mtime_ns": None}

    def _copy(self, original: Path, target: Path) -> None:
        private_dir(target.parent)
        target.unlink(missing_ok=True)
        _link_or_copy(original, target)
        self.outcome.copied += 1

    def write_sidecars(self, session: Session) -> None:
        """Write the sidecars of the photos whose row or tags changed since the previous backup (all of them with
        `full_check`); a photo's version is its row's update time and its tags, read in two queries."""
        tag = (PhotoTag.name + "/" + PhotoTag.source + "/" + func.coalesce(cast(PhotoTag.confidence, String), "")
               + "/" + cast(PhotoTag.hidden, String))
        tags = dict(session.execute(select(PhotoTag.photo_id, func.group_concat(tag, "|"))
                                    .group_by(PhotoTag.photo_id)).all())
        known = {} if self.full_check else self.previous.get("sidecars", {})
        changed = []
        for photo_id, user_id, sha256, updated_at in session.execute(
                select(Photo.id, Photo.user_id, Photo.sha256, Photo.updated_at)):
            stem = f"metadata/{user_id}/{sha256}"
            self.sidecars[stem] = hashlib.sha256(f"{updated_at}|{tags.get(photo_id)}".encode()).hexdigest()
            if known.get(stem) != self.sidecars[stem]:
                changed.append(photo_id)
        for start in range(0, len(changed), 500):
            for photo in _photos(session, changed[start:start + 500]):
                folder = private_dir(self.dest / "metadata" / str(photo.user_id))
                original = f"originals/{photo.user_id}/{photo.sha256[:2]}/{photo.sha256}"
                write_private(folder / f"{photo.sha256}.json", json_sidecar(photo, original))
                write_private(folder / f"{photo.sha256}.xmp", xmp_sidecar(photo))


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


def _photos(session: Session, ids: list[int]) -> Iterator[Photo]:
    yield from session.scalars(select(Photo).where(Photo.id.in_(ids)).options(selectinload(Photo.tags)))


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


def _previous_manifest(dest: Path) -> dict:
    """The manifest of the backup in DEST (or of its update that was cut off); {} for a new or empty folder."""
    for name in (MANIFEST, PREVIOUS):
        if (dest / name).is_file():
            manifest = json.loads((dest / name).read_text())
            if manifest.get("format") == "shoebox-backup":
                return manifest
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty and not a Shoebox backup: back up into a new folder, or into an "
                          f"earlier backup to bring it up to date")
    return {}


def _remove_stale(dest: Path, previous: dict, files: dict, sidecars: dict) -> int:
    """Remove the originals and sidecars of photos deleted since the previous backup; return how many originals."""
    gone = [name for name in previous.get("files", {}) if name.startswith("originals/") and name not in files]
    stems = [stem for stem in previous.get("sidecars", {}) if stem not in sidecars]
    for name in [*gone, *(stem + suffix for stem in stems for suffix in (".json", ".xmp"))]:
        path = dest / name
        path.unlink(missing_ok=True)
        for parent in (path.parent, path.parent.parent):
            try:
                parent.rmdir()
            except OSError:
                break
    return len(gone)


def _entry(path: Path) -> dict:
    return {"sha256": _digest(path), "size": _size(path)}


def _matches(path: Path, entry: dict) -> bool:
    """Whether the file is there with the size and checksum its manifest entry gives."""
    return _size(path) == entry["size"] and _digest(path) == entry["sha256"]


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    temp = path.with_name(path.name + ".tmp")
    write_private(temp, text)
    os.replace(temp, path)
