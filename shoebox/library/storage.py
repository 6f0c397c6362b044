"""Originals and thumbnails on disk, addressed by SHA-256 and owner; written atomically, never modified."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
THUMB_SIZES = ("small", "large")


class TooLarge(ValueError):
    """The upload is bigger than the configured limit."""


class Storage:
    """Files under one data directory: originals/<user>/<ab>/<sha256>, thumbs/<user>/<ab>/<sha256>-<size>.webp."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def original_path(self, user_id: int, sha256: str) -> Path:
        return self.root / "originals" / str(user_id) / sha256[:2] / sha256

    def thumbnail_path(self, user_id: int, sha256: str, size: str) -> Path:
        if size not in THUMB_SIZES:
            raise ValueError(f"unknown thumbnail size {size!r}")
        return self.root / "thumbs" / str(user_id) / sha256[:2] / f"{sha256}-{size}.webp"

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
                + self.face_crops(user_id, sha256))

    def spool(self, stream: BinaryIO, max_bytes: int) -> tuple[Path, str, int]:
        """Copy an upload to a temp file while hashing it; return (path, sha256, size). The caller removes it."""
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="upload-")
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
                os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path, digest.hexdigest(), size

    def keep_original(self, spooled: Path, user_id: int, sha256: str) -> Path:
        """Move the spooled upload to its content address (a rename: same file system, atomic)."""
        target = self.original_path(user_id, sha256)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(spooled, target)
        return target

    def write_thumbnail(self, data: bytes, user_id: int, sha256: str, size: str) -> Path:
        """Write a thumbnail through a temp file and a rename, so a reader never sees half a file."""
        return self.write_atomically(data, self.thumbnail_path(user_id, sha256, size))

    @staticmethod
    def write_atomically(data: bytes, target: Path) -> Path:
        """Write a file through a temp file and a rename."""
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
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

    def delete_user(self, user_id: int) -> None:
        for area in ("originals", "thumbs"):
            shutil.rmtree(self.root / area / str(user_id), ignore_errors=True)
