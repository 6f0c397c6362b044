"""Originals and thumbnails on disk, addressed by SHA-256 and owner; written atomically, never modified."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from shoebox.errors import NotFound
from shoebox.private_files import private_dir
from shoebox.processes import HOST, owner_alive, owner_tag

if TYPE_CHECKING:
    from shoebox.models import Photo

log = logging.getLogger(__name__)

CHUNK = 1 << 20
THUMB_SIZES = ("small", "large")
#: A temp file whose owner runs on another host is taken as abandoned only after this many seconds.
FOREIGN_STALE_SECONDS = 24 * 3600
#: A temp file of a live process on this host, untouched this long, was left behind (its clean-up failed, as on
#: a data directory turned read-only mid-upload): an upload spends seconds between its spool and its commit.
LEFTOVER_SECONDS = 30 * 60
@dataclass
class TempFile:
    """A file in DATA_DIR/tmp, or a thumbnail's temp file, parsed from its name."""

    path: Path
    host: str
    pid: int
    user_id: int | None = None  # an ingest's claim (set once the upload is about to be stored)
    sha256: str | None = None

    def abandoned(self, now: float | None = None) -> bool:
        """Its process is gone, or it was left behind: untouched for half an hour (on another host, a day)."""
        if not owner_alive(self.host, self.pid):
            return True
        try:
            age = (now or time.time()) - self.path.stat().st_mtime
        except FileNotFoundError:
            return False
        return age > (LEFTOVER_SECONDS if self.host == HOST else FOREIGN_STALE_SECONDS)


def parse_temp(path: Path) -> TempFile | None:
    """`upload-<host>-<pid>-<rand>`, `ingest-<host>-<pid>-<user>-<sha>-<rand>` or `.tmp-<host>-<pid>-<rand>`."""
    parts = path.name.lstrip(".").split("-")
    try:
        if parts[0] in ("upload", "tmp") and len(parts) >= 4:
            return TempFile(path, parts[1], int(parts[2]))
        if parts[0] == "ingest" and len(parts) >= 6:
            return TempFile(path, parts[1], int(parts[2]), int(parts[3]), parts[4])
    except ValueError:
        return None
    return None


#: Flushes spooled uploads to disk while their pictures are decoded (fsync waits on the disk, not the CPU).
_FLUSHER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="shoebox-fsync")


class TooLarge(ValueError):
    """The upload is bigger than the configured limit."""


class Storage:
    """Files under one data directory: originals/<user>/<ab>/<sha256>, thumbs/<user>/<ab>/<sha256>-<size>.webp.
    Owner-only: folders 0700, files 0600 (temp files are born 0600 and keep their mode when renamed or linked)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp = private_dir(self.root / "tmp")

    def original_path(self, user_id: int, sha256: str) -> Path:
        return self.root / "originals" / str(user_id) / sha256[:2] / sha256

    def existing_original(self, photo: Photo) -> Path:
        """The photo's original; a 404 (`file_missing`) when it is gone from the disk."""
        path = self.original_path(photo.user_id, photo.sha256)
        if not path.is_file():
            raise NotFound(f"the original of photo {photo.id} is missing on disk", code="file_missing")
        return path

    def thumbnail_path(self, user_id: int, sha256: str, size: str) -> Path:
        if size not in THUMB_SIZES:
            raise ValueError(f"unknown thumbnail size {size!r}")
        return self.root / "thumbs" / str(user_id) / sha256[:2] / f"{sha256}-{size}.webp"

    def full_path(self, user_id: int, sha256: str) -> Path:
        """The full-size rendition of a photo browsers cannot show as it is, made on first view."""
        return self.root / "thumbs" / str(user_id) / sha256[:2] / f"{sha256}-full.webp"

    def rendition_path(self, user_id: int, sha256: str) -> Path:
        """The web-playable H.264/AAC MP4 of a clip browsers cannot play, made by the worker (library.renditions)."""
        return self.root / "thumbs" / str(user_id) / sha256[:2] / f"{sha256}-web.mp4"

    def clean_copy_path(self, user_id: int, sha256: str, webm: bool = False) -> Path:
        """A clip's copy without its metadata (place, camera, dates), for share links that hide the location."""
        return self.root / "thumbs" / str(user_id) / sha256[:2] / f"{sha256}-clean.{'webm' if webm else 'mp4'}"

    def face_crop_path(self, user_id: int, sha256: str, face_id: int) -> Path:
        """A cached face crop, beside its photo's thumbnails (so it goes with the photo and the user)."""
        return self.root / "thumbs" / str(user_id) / sha256[:2] / f"{sha256}-face{int(face_id)}.webp"

    def face_crops(self, user_id: int, sha256: str) -> list[Path]:
        return sorted((self.root / "thumbs" / str(user_id) / sha256[:2]).glob(f"{sha256}-face*.webp"))

    def delete_face_crops(self, user_id: int, sha256: str) -> None:
        """Forget a photo's cached face crops (its faces were found again, under new ids)."""
        for path in self.face_crops(user_id, sha256):
            path.unlink(missing_ok=True)

    def paths_of(self, user_id: int, sha256: str) -> list[Path]:
        return ([self.original_path(user_id, sha256)] + [self.thumbnail_path(user_id, sha256, s) for s in THUMB_SIZES]
                + [self.full_path(user_id, sha256), self.rendition_path(user_id, sha256)]
                + [self.clean_copy_path(user_id, sha256, webm) for webm in (False, True)]
                + self.face_crops(user_id, sha256))

    def spool(self, stream: BinaryIO, max_bytes: int, durable: bool = True) -> tuple[Path, str, int]:
        """Copy an upload to a temp file while hashing it; return (path, sha256, size). The caller removes it.
        Not `durable`: the caller flushes it (`flush_later`) before keeping it."""
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix=f"upload-{owner_tag()}-")
        path = Path(name)
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"file is larger than the {max_bytes // (1 << 20)} MB limit")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                if durable:
                    os.fsync(out.fileno())
        except BaseException:
            remove_quietly(path)
            raise
        return path, digest.hexdigest(), size

    @staticmethod
    def flush_later(path: Path) -> Future:
        """Flush a spooled upload to disk on a background thread (an upload waits for it only before keeping it,
        so the disk's wait overlaps the decode); a spool removed meanwhile has nothing to flush."""
        return _FLUSHER.submit(_fsync_file, path)

    def claim(self, spooled: Path, user_id: int, sha256: str) -> Path:
        """Rename a spool to say which photo it is about to become: if this process dies before the row is
        committed, `recover` knows which files to remove."""
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix=f"ingest-{owner_tag()}-{user_id}-{sha256}-")
        os.close(fd)
        os.replace(spooled, name)
        return Path(name)

    def keep_original(self, spooled: Path, user_id: int, sha256: str) -> Path:
        """Hard-link the spooled upload at its content address (atomic; the spool stays as the claim until the
        row is committed) and make the new name durable."""
        target = self.original_path(user_id, sha256)
        if not target.exists():
            private_dir(target.parent)
            with contextlib.suppress(FileExistsError):  # a twin upload got there first: same bytes
                os.link(spooled, target)
            _fsync_dir(target.parent)
        return target

    def write_thumbnail(self, data: bytes, user_id: int, sha256: str, size: str) -> Path:
        """Write a thumbnail through a temp file and a rename, so a reader never sees half a file."""
        return self.write_atomically(data, self.thumbnail_path(user_id, sha256, size))

    @staticmethod
    def write_atomically(data: bytes, target: Path) -> Path:
        """Write a file through a temp file and a rename."""
        private_dir(target.parent)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".tmp-{owner_tag()}-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(name, target)
        except BaseException:
            remove_quietly(Path(name))
            raise
        return target

    def delete(self, user_id: int, sha256: str) -> None:
        """Remove a photo's original and thumbnails, and the folders they leave empty."""
        for path in self.paths_of(user_id, sha256):
            path.unlink(missing_ok=True)
            for parent in (path.parent, path.parent.parent):
                try:
                    parent.rmdir()
                except OSError:
                    break

    def temp_files(self) -> Iterator[TempFile]:
        """Every temp file: spools and claims in tmp/, half-written thumbnails beside the thumbnails."""
        candidates = list(self.tmp.glob("*")) + list((self.root / "thumbs").glob("*/*/.tmp-*"))
        for path in candidates:
            parsed = parse_temp(path)
            if parsed is not None:
                yield parsed
            elif path.is_file():  # an older naming scheme: anything left a day ago is abandoned
                yield TempFile(path, "", 0)

    def originals(self) -> Iterator[tuple[int, str, Path]]:
        """(user id, sha256, path) of every original on disk."""
        for path in (self.root / "originals").glob("*/*/*"):
            if path.parent.parent.name.isdigit():
                yield int(path.parent.parent.name), path.name, path

    def thumbnails(self) -> Iterator[tuple[int, str, Path]]:
        """(user id, sha256, path) of every thumbnail on disk."""
        for path in (self.root / "thumbs").glob("*/*/*.webp"):
            if path.parent.parent.name.isdigit():
                yield int(path.parent.parent.name), path.name.rsplit("-", 1)[0], path

    def delete_user(self, user_id: int) -> None:
        for area in ("originals", "thumbs"):
            shutil.rmtree(self.root / area / str(user_id), ignore_errors=True)


def remove_quietly(path: Path) -> None:
    """Remove a file while an error is on its way out: a failure here (the same read-only or broken data
    directory) is logged, never raised in place of the error that says what happened; `check` finds the file."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove %s (%s); `flask shoebox check --repair` removes it later", path, exc.strerror)


def _fsync_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Flush a directory entry (a new name) to disk; a no-op where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def thumbnail_intact(path: Path) -> bool:
    """Cheap check of a WebP file: the RIFF/WEBP header is there and its length matches the file's."""
    try:
        with path.open("rb") as handle:
            header = handle.read(12)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return False
    return (len(header) == 12 and header[:4] == b"RIFF" and header[8:12] == b"WEBP"
            and int.from_bytes(header[4:8], "little") + 8 == size)
