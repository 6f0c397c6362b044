"""Ingest: an upload or a file of a folder import becomes one of its owner's photos (or the photo that already has
its bytes): spooled, hashed, checked and thumbnailed (thread-safe, no database: `prepare`), then its files kept and
its row committed (`store`), a Live Photo's halves joined. `Ingesting` is the ingest half of `Library`
(library.service), which sets what it uses: storage, max_bytes, max_pixels, max_video_bytes, live, enqueue,
render_later and render_video."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shoebox.db import reading
from shoebox.errors import (
    InvalidInput,
    PayloadTooLarge,
    ShoeboxError,
    StorageFull,
    StorageReadOnly,
    UnsupportedMedia,
    storage_fault,
)
from shoebox.library.live import LivePhotos, StillParts, read_still
from shoebox.library.storage import Storage, TooLarge, remove_quietly
from shoebox.media.dates import as_local
from shoebox.media.errors import DamagedFile, MediaError, NotMedia, TooManyPixels, UnsupportedFormat
from shoebox.media.files import inspect
from shoebox.media.metadata import PhotoMetadata
from shoebox.models import Photo, fitted, utcnow

#: Each way media/ refuses a file, as the error the API answers with (and its code; None: the error's own).
_MEDIA_ERRORS: dict[type[MediaError], tuple[type[ShoeboxError], str | None]] = {
    NotMedia: (UnsupportedMedia, "not_an_image"),
    UnsupportedFormat: (UnsupportedMedia, None),
    TooManyPixels: (PayloadTooLarge, "image_too_large"),
    DamagedFile: (InvalidInput, "corrupt_image"),
}


def refusal(exc: MediaError, filename: str) -> ShoeboxError:
    """The API's error for a file media/ cannot take, naming the file."""
    kind = next(k for k in type(exc).__mro__ if k in _MEDIA_ERRORS or k is MediaError)
    error, code = _MEDIA_ERRORS.get(kind, (InvalidInput, "corrupt_image"))
    return error(f"{filename}: {exc}", code=code)


@dataclass
class Ingested:
    photo: Photo
    duplicate: bool


@dataclass
class Prepared:
    """An upload spooled to disk and inspected, ready to be stored (the CPU-heavy half of an ingest)."""

    filename: str
    spool: Path
    sha256: str
    size: int
    meta: PhotoMetadata | None = None  # None: a known duplicate, not inspected
    thumbs: dict[str, bytes] | None = None
    phash: int | None = None
    flushed: Future | None = None  # the spool on disk: waited for before the original is kept
    still: StillParts = StillParts()  # a Motion Photo's embedded clip, a Live Photo's content identifier

    def discard(self) -> None:
        remove_quietly(self.spool)


class Ingesting:
    """Store uploads and imported files as their owner's photos; the ingest half of `Library`."""

    storage: Storage
    max_bytes: int
    max_pixels: int
    max_video_bytes: int
    live: LivePhotos
    enqueue: Callable[..., None]
    render_later: Callable[[int, str], None]
    render_video: Callable[[int], None]
    def ingest(self, session: Session, user_id: int, stream: BinaryIO, filename: str,
               file_mtime: datetime | None = None) -> Ingested:
        """Store one upload: the same bytes again return the existing photo; any failure leaves nothing behind."""
        prepared = self.prepare(stream, filename, known=lambda sha: self._known(session, user_id, sha))
        try:
            return self.store(session, user_id, prepared, file_mtime)
        finally:
            prepared.discard()

    def prepare(self, stream: BinaryIO, filename: str, known: Callable[[str], bool] = lambda sha: False) -> Prepared:
        """Spool, hash and (unless `known(sha256)`) check, read and thumbnail an upload. Thread-safe; no database."""
        filename = _clean_filename(filename)
        try:
            spool, sha256, size = self.storage.spool(stream, self.max_video_bytes, durable=False)
        except TooLarge as exc:
            raise PayloadTooLarge(f"{filename}: {exc}") from exc
        except OSError as exc:
            _raise_if_storage_full(filename, exc)
            raise
        prepared = Prepared(filename, spool, sha256, size, flushed=self.storage.flush_later(spool))
        if known(sha256):
            return prepared
        try:
            if size == 0:
                raise InvalidInput(f"{filename}: the file is empty", code="empty_file")
            prepared.meta, (prepared.thumbs, prepared.phash) = self._inspect(spool, filename)
            if prepared.meta.media_type != "video" and size > self.max_bytes:  # the spool took up to a video's
                raise PayloadTooLarge(f"{filename}: file is larger than the {self.max_bytes >> 20} MB limit")
            prepared.still = read_still(spool, prepared.meta.format)
        except BaseException:
            prepared.discard()
            raise
        return prepared

    def prepare_files(self, paths: list[Path], known: set[str], workers: int
                      ) -> Iterator[tuple[Path, Prepared | str]]:
        """Prepare files on `workers` threads (Pillow releases the GIL), yielding in order a bounded window
        ahead: each path with its Prepared, or the reason it failed."""

        def prepare(path: Path) -> Prepared | str:
            try:
                with path.open("rb") as stream:
                    return self.prepare(stream, path.name, known=known.__contains__)
            except ShoeboxError as exc:
                return exc.message
            except OSError as exc:
                return f"{path.name}: cannot read the file ({exc.strerror})"

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            window: deque[tuple[Path, Future]] = deque()
            for path in paths:
                window.append((path, pool.submit(prepare, path)))
                if len(window) > 2 * workers:
                    yield window[0][0], window.popleft()[1].result()
            while window:
                yield window[0][0], window.popleft()[1].result()

    def store(self, session: Session, user_id: int, prepared: Prepared, file_mtime: datetime | None = None) -> Ingested:
        """Keep a prepared upload as this user's photo, or return the photo that already has these bytes."""
        existing = self._find(session, user_id, prepared.sha256)
        if existing:
            return Ingested(existing, duplicate=True)
        if prepared.meta is None:  # was a duplicate when prepared, but has been deleted since
            prepared.meta, (prepared.thumbs, prepared.phash) = self._inspect(prepared.spool, prepared.filename)
            prepared.still = read_still(prepared.spool, prepared.meta.format)
        photo = self._new_photo(user_id, prepared, file_mtime)
        try:
            photo.content_id = prepared.still.content_id  # a Live Photo's MOV whose still is here is its clip
            still = self.live.join_still(session, photo, lambda: self._keep_original(prepared, user_id))
            if still is None:
                return self._commit(session, photo, prepared)
            if still.rendition_status == "queued":  # an HEVC clip: the worker makes its H.264 rendition
                self.render_video(still.id)
            return Ingested(still, duplicate=False)
        except OSError as exc:
            _raise_if_storage_full(prepared.filename, exc)
            raise
        except OperationalError as exc:
            _raise_if_database_full(exc)
            raise

    def _known(self, session: Session, user_id: int, sha256: str) -> bool:
        """Whether the user has these bytes already, asked in a read transaction ended at once: the upload is then
        decoded and thumbnailed holding no write lock (other uploads and the job worker would wait on it); `store`
        asks again inside its write. Ends the session's transaction (it holds only reads: ingest commits each file)."""
        session.commit()
        with reading():
            found = self._find(session, user_id, sha256) is not None
            session.commit()
        return found

    # The duplicate check is no read for a viewer: the owner's bytes are stored once whatever the photo's
    # visibility (a trashed copy is still the copy), so it asks the owner's rows directly.
    # A still's clip (a Live Photo's MOV) uploaded again is that still again.
    def _find(self, session: Session, user_id: int, sha256: str) -> Photo | None:
        return session.scalar(select(Photo).where(Photo.user_id == user_id, or_(
            Photo.sha256 == sha256, Photo.motion_sha256 == sha256)).order_by(Photo.id).limit(1))

    @staticmethod
    def known_hashes(session: Session, user_id: int) -> set[str]:
        """The SHA-256 of every photo the user has (a bulk import skips those without reading them)."""
        rows = session.execute(select(Photo.sha256, Photo.motion_sha256).where(Photo.user_id == user_id))
        return {sha for row in rows for sha in row if sha}

    def _inspect(self, path: Path, filename: str) -> tuple[PhotoMetadata, tuple[dict[str, bytes], int]]:
        """Check the file really is a supported, sane image; read its metadata; render its thumbnails."""
        try:
            found = inspect(path, self.max_pixels)
        except MediaError as exc:
            raise refusal(exc, filename) from exc
        return found.metadata, (found.thumbnails, found.phash)

    @staticmethod
    def _new_photo(user_id: int, prepared: Prepared, file_mtime: datetime | None) -> Photo:
        fields = prepared.meta.as_dict()
        when = fields.pop("taken_at"), fields.pop("taken_at_offset"), fields.pop("taken_at_source")
        if when[0] is None:  # no date in the metadata: the file's own, else now (UTC)
            when = (*as_local(file_mtime), "file") if file_mtime else (utcnow().replace(microsecond=0), None, "upload")
        taken_at, offset, source = when
        return Photo(**fitted(Photo, user_id=user_id, sha256=prepared.sha256, file_size=prepared.size,
                              filename=prepared.filename, phash=prepared.phash, taken_at=taken_at,
                              taken_at_offset=offset, taken_at_source=source, status="queued",
                              location_source="exif" if fields["gps_latitude"] is not None else None, **fields))

    def _keep_original(self, prepared: Prepared, user_id: int) -> list[Path]:
        """Keep an upload's original only (a Live Photo's MOV, its still's clip); the files written."""
        if prepared.flushed is not None:
            prepared.flushed.result()
        prepared.spool = self.storage.claim(prepared.spool, user_id, prepared.sha256)
        original = self.storage.original_path(user_id, prepared.sha256)
        return [] if original.exists() else [self.storage.keep_original(prepared.spool, user_id, prepared.sha256)]

    def _commit(self, session: Session, photo: Photo, prepared: Prepared) -> Ingested:
        """Claim the spool, write thumbnails, link the original, then commit the row; a failure undoes the files
        (unless a twin upload won the race), and a crash leaves a claim that `recover` undoes at startup."""
        user_id, sha256 = photo.user_id, photo.sha256
        if prepared.flushed is not None:
            prepared.flushed.result()  # the original is safe on disk before anything says it is kept
        prepared.spool = self.storage.claim(prepared.spool, user_id, sha256)
        original = self.storage.original_path(user_id, sha256)
        written: list[Path] = []
        try:
            for size, data in prepared.thumbs.items():
                written.append(self.storage.write_thumbnail(data, user_id, sha256, size))
            if not original.exists():
                written.append(self.storage.keep_original(prepared.spool, user_id, sha256))
            written += self.live.keep_embedded(photo, prepared.still)
            session.add(photo)
            session.commit()
        except IntegrityError:
            session.rollback()  # the same bytes were stored by a concurrent upload: its files are ours too
            return Ingested(self._find(session, user_id, sha256), duplicate=True)
        except BaseException:
            session.rollback()
            for path in written:
                remove_quietly(path)
            raise
        self.live.take_waiting_clip(session, photo)
        if "large" not in prepared.thumbs:  # the preview is rendered after the upload has answered
            self.render_later(user_id, sha256)
        self.enqueue([photo.id])
        if photo.rendition_status == "queued":
            self.render_video(photo.id)
        return Ingested(photo, duplicate=False)


def _raise_if_storage_full(filename: str, exc: OSError) -> None:
    """A full disk (507) or a read-only data directory (500: a fault of the server's set-up), said clearly."""
    fault = storage_fault(exc)
    if fault is StorageFull:
        raise StorageFull(f"{filename}: cannot store the file, the server's disk is full ({exc.strerror})") from exc
    if fault is StorageReadOnly:
        raise StorageReadOnly(f"{filename}: cannot store the file, the server's data directory is not writable "
                              f"({exc.strerror})") from exc


def _raise_if_database_full(exc: OperationalError) -> None:
    """The database's own words for a full disk or a read-only database, as the same clear errors."""
    fault = storage_fault(exc)
    if fault is StorageFull:
        raise StorageFull("cannot store the photo: the server's disk is full") from exc
    if fault is StorageReadOnly:
        raise StorageReadOnly("cannot store the photo: the server's database is not writable") from exc


def _clean_filename(name: str | None) -> str:
    base = Path((name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return fitted(Photo, filename=cleaned or "unnamed")["filename"]
