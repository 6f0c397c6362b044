"""The photo library's rules: ingest (into one user's photos), list, edit and delete (within a viewer's scope)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import or_, select, true
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload
from zipstream import ZipStream

from shoebox.cursors import decode_keyset, encode_keyset
from shoebox.db import reading
from shoebox.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    ShoeboxError,
    StorageFull,
    StorageReadOnly,
    UnsupportedMedia,
    storage_fault,
)
from shoebox.library import bulk, corrections, renditions
from shoebox.library.live import LivePhotos, StillParts, read_still
from shoebox.library.previews import ensure_thumbnail
from shoebox.library.storage import Storage, TooLarge, remove_quietly, thumbnail_intact
from shoebox.library.tags import MAX_TAG_LENGTH, MAX_TAGS, normalise_tags, set_user_tags, visible_tags  # noqa: F401
from shoebox.library.trash import Trash
from shoebox.media.dates import as_local
from shoebox.media.errors import DamagedFile, MediaError, NotMedia, TooManyPixels, UnsupportedFormat
from shoebox.media.files import inspect, is_animated, read_file_metadata
from shoebox.media.formats import BROWSER_FORMATS, FORMATS
from shoebox.media.metadata import PhotoMetadata
from shoebox.media.thumbnails import render_full_from
from shoebox.models import Photo, fitted, utcnow
from shoebox.scope import NEWEST_FIRST, Scope, older_than

MAX_TEXT = 10_000
#: A bulk edit re-embeds the words of up to this many photos in the request (about 10 ms each); more are queued.
EMBED_AT_ONCE = 25
EDITABLE = frozenset({"caption", "tags", "note", "favourite"}) | corrections.DATE_FIELDS
#: Formats whose files may be animations browsers play: only these are opened to ask.
_ANIMATING = frozenset(fmt.name for fmt in FORMATS if fmt.animates)
#: Each way media/ refuses a file, as the error the API answers with (and its code; None: the error's own).
_MEDIA_ERRORS: dict[type[MediaError], tuple[type[ShoeboxError], str | None]] = {
    NotMedia: (UnsupportedMedia, "not_an_image"),
    UnsupportedFormat: (UnsupportedMedia, None),
    TooManyPixels: (PayloadTooLarge, "image_too_large"),
    DamagedFile: (InvalidInput, "corrupt_image"),
}


def _refusal(exc: MediaError, filename: str) -> ShoeboxError:
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


class Library:
    """Ingest and edit photos: files through `storage`, rows through the session, analysis through `enqueue`.
    Reads and edits take the viewer's `Scope`; ingest takes the owner's id."""

    def __init__(self, storage: Storage, max_bytes: int, max_pixels: int,
                 enqueue: Callable[..., None] | None = None,
                 forget: Callable[[int, list[int] | None], None] | None = None,
                 embed_words: Callable[[Session, Photo], bool] | None = None, trash_days: int = 30,
                 render_later: Callable[[int, str], None] | None = None, max_video_bytes: int | None = None,
                 render_video: Callable[[int], None] | None = None) -> None:
        self.storage = storage
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        #: enqueue(photo_ids, parts=("all",)): queue photos for (part of) their analysis.
        self.enqueue = enqueue or (lambda ids, parts=("all",): None)
        #: forget(owner_id, photo_ids): drop deleted photos (None: all of a deleted account's) from what is kept
        #: outside the database (the in-memory vector index), so no search counts them.
        self.forget = forget or (lambda owner_id, photo_ids: None)
        #: embed_words(session, photo): re-embed an edited photo's words now; False (queue it) when it cannot.
        self.embed_words = embed_words or (lambda session, photo: False)
        #: Where deleted photos wait TRASH_DAYS before they are deleted for good.
        self.trash = Trash(storage, trash_days, self.forget)
        #: render_later(owner_id, sha256): queue the rendering of a new photo's preview (else: on first view).
        self.render_later = render_later or (lambda owner_id, sha256: None)
        #: Videos may be larger than photos (MAX_VIDEO_MB); render_video(photo_id) queues a clip's playable copy.
        self.max_video_bytes = max(max_bytes, max_video_bytes or max_bytes)
        self.render_video = render_video or (lambda photo_id: None)
        #: Live Photos and Motion Photos: a still and its clip as one item.
        self.live = LivePhotos(storage)

    # -- ingest -----------------------------------------------------------------------------------
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
            raise _refusal(exc, filename) from exc
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

    # -- read -------------------------------------------------------------------------------------
    @staticmethod
    def get(session: Session, scope: Scope, photo_id: int) -> Photo:
        """A photo the viewer may see; any other id is as unknown as a missing one."""
        return scope.get(session, photo_id)

    @staticmethod
    def page(session: Session, scope: Scope, cursor: str | None, limit: int, favourites: bool = False
             ) -> tuple[list[Photo], str | None]:
        """Newest-first by date taken (then id), `limit` at a time (only the favourites, with `favourites`); the
        cursor is opaque to clients."""
        after = [Photo.favourite == true()] if favourites else []
        if cursor:
            taken_at, photo_id = decode_keyset(cursor)
            after.append(older_than(taken_at, photo_id))
        # Their tags in one more query, not one per photo: every listed photo shows them.
        page = scope.photos(*after).order_by(*NEWEST_FIRST).limit(limit + 1).options(selectinload(Photo.tags))
        rows = list(session.scalars(page))
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, encode_keyset(rows[-1].taken_at, rows[-1].id) if more else None

    def thumbnail_file(self, photo: Photo, size: str) -> Path:
        """The thumbnail's path, rendered from the original if it is not there yet (a preview the worker has not
        rendered), or is missing or damaged."""
        try:
            path = ensure_thumbnail(self.storage, photo.user_id, photo.sha256, size)
        except MediaError as exc:
            raise _refusal(exc, photo.filename) from exc
        if path is None:
            raise NotFound(f"the original of photo {photo.id} is missing on disk", code="file_missing")
        return path

    def full_file(self, photo: Photo) -> tuple[Path, str]:
        """The photo at full size as browsers can show it, with its type: the original where they read its format,
        else a WebP rendered from it on first view and kept beside the thumbnails."""
        original = self.storage.existing_original(photo)
        if photo.format in BROWSER_FORMATS:
            return original, photo.mime_type
        path = self.storage.full_path(photo.user_id, photo.sha256)
        if not thumbnail_intact(path):
            try:
                data = render_full_from(original)
            except MediaError as exc:
                raise _refusal(exc, photo.filename) from exc
            self.storage.write_atomically(data, path)
        return path, "image/webp"

    def playback_file(self, photo: Photo, hide_location: bool = False) -> tuple[Path, str]:
        """The file a browser plays for a clip, with its type (library.renditions.playback; with `hide_location`,
        a copy without the file's metadata); NotFound for a photo, or a clip whose web-playable rendition is not
        made (yet)."""
        try:
            found = (renditions.without_location if hide_location else renditions.playback)(self.storage, photo)
        except MediaError as exc:
            raise _refusal(exc, photo.filename) from exc
        if found is None:
            state = photo.rendition_status if photo.media_type == "video" else None
            raise NotFound(f"photo {photo.id} is not a video" if state is None else
                           f"{photo.filename} is being converted for playback in the browser ({state})"
                           if state != "failed" else f"{photo.filename} could not be converted for playback",
                           code="not_a_video" if state is None else "not_playable_yet")
        return found

    def is_animated(self, photo: Photo) -> bool:
        """Whether the photo's original is an animation (a GIF, APNG, WebP or AVIF of several frames): the photo
        page shows it as it is, since a thumbnail is its first frame. False where the original cannot be read."""
        if photo.format not in _ANIMATING:
            return False
        try:
            return is_animated(self.storage.original_path(photo.user_id, photo.sha256))
        except (MediaError, OSError):
            return False

    # -- edit -------------------------------------------------------------------------------------
    def edit(self, session: Session, scope: Scope, photo_id: int, changes: dict) -> Photo:
        """Apply the user's caption, tags, note, date and location; what the user sets is marked theirs and wins
        over AI and over what the file says."""
        unknown = set(changes) - EDITABLE
        if unknown:
            raise InvalidInput(f"cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(sorted(EDITABLE))}")
        change = corrections.correction({k: v for k, v in changes.items() if k in corrections.DATE_FIELDS})
        photo = scope.get(session, photo_id)
        if "caption" in changes:
            photo.caption = _optional_text(changes["caption"], "caption")
            photo.caption_source = "user"
        if "note" in changes:
            photo.note = _optional_text(changes["note"], "note")
        if "favourite" in changes:
            if not isinstance(changes["favourite"], bool):
                raise InvalidInput("favourite must be true or false")
            photo.favourite = changes["favourite"]
        if "tags" in changes:
            set_user_tags(photo, normalise_tags(changes["tags"]))
        corrections.apply(photo, change)
        words = bool(set(changes) & {"caption", "note", "tags"})
        embedded = words and self.embed_words(session, photo)  # found by meaning at once, not after the queue
        session.commit()
        parts = (("embedding",) if words and not embedded else ()) + (("places",) if change.moves else ())
        if parts:  # the words changed: so does their meaning; a new location is a new place
            self.enqueue([photo.id], parts=parts)
        return photo

    def edit_many(self, session: Session, scope: Scope, changes: dict) -> list[Photo]:
        """Make a selection's favourite, tags, date or location edit to many of the user's photos at once: all of
        them, or none where any id is not one of theirs. Words re-embedded at once for a few photos (as a single
        edit), queued for more: thousands of embeddings would hold the request for minutes."""
        photos, retagged, edit = bulk.edit_many(session, scope, changes)
        embedded = len(retagged) <= EMBED_AT_ONCE and all([self.embed_words(session, photo) for photo in retagged])
        session.commit()
        if retagged and not embedded:
            self.enqueue([photo.id for photo in retagged], parts=("embedding",))
        if edit.dates.moves:
            self.enqueue([photo.id for photo in photos], parts=("places",))
        return photos

    def archive(self, session: Session, scope: Scope, ids: list[int]) -> ZipStream:
        """The originals of these photos (all visible, or NotFound) as one ZIP streamed as it is read."""
        return bulk.archive(session, scope, self.storage, ids)

    def reread_metadata(self, session: Session, photo_ids: Iterable[int]) -> tuple[int, int]:
        """Read these photos' originals again for their metadata, never replacing a date or location the user set;
        a photo whose location changed is queued for its place. (photos read, originals missing or unreadable)"""
        counts = [0, 0]
        for photo in filter(None, (session.get(Photo, photo_id) for photo_id in photo_ids)):
            try:
                meta = read_file_metadata(self.storage.original_path(photo.user_id, photo.sha256))
            except (MediaError, OSError):
                counts[1] += 1
                continue
            moved = corrections.refresh_from_file(photo, meta)
            session.commit()
            counts[0] += 1
            if moved:
                self.enqueue([photo.id], parts=("places",))
        return counts[0], counts[1]

    def delete(self, session: Session, scope: Scope, photo_id: int) -> None:
        """Move the photo to Trash: kept with everything for TRASH_DAYS, then deleted for good (`self.trash`)."""
        self.trash.move(session, scope, [photo_id])


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


def _optional_text(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string or null")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{field} is longer than {MAX_TEXT} characters")
    return value.strip() or None


def _clean_filename(name: str | None) -> str:
    base = Path((name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return fitted(Photo, filename=cleaned or "unnamed")["filename"]
