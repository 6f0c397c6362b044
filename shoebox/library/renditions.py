"""Web-playable renditions of clips browsers cannot play: made by the worker (the `make_rendition` job), kept beside
the thumbnails (derived: a backup leaves them out, `flask shoebox check --repair` makes a missing one again), with
their state on the photo row (queued, running, done, failed) and their progress for the Jobs page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, update
from sqlalchemy.orm import Session

from shoebox.db import Database
from shoebox.library.storage import Storage, remove_quietly
from shoebox.media.errors import MediaError
from shoebox.media.formats import VIDEO_FORMATS
from shoebox.media.transcode import transcode, without_metadata
from shoebox.models import Photo
from shoebox.processes import owner_tag
from shoebox.scope import Scope

log = logging.getLogger(__name__)

#: Rendition states: waiting for the worker, being made, made, could not be made.
STATES = ("queued", "running", "done", "failed")
#: The progress written to the database at most this often (seconds), not on every frame.
PROGRESS_SECONDS = 1.0
#: The Jobs page lists at most this many renditions not done yet.
MAX_LISTED = 50
#: The MIME type browsers are told an original they play is: MOV and M4V are the same ISO-BMFF family as MP4.
_PLAYBACK_TYPES = {"MOV": "video/mp4", "M4V": "video/mp4"}


def source_hash(photo: Photo) -> str:
    """The hash of the clip a row's rendition is made from: a video's own original, or a Live Photo still's MOV (a
    still's rendition columns speak of its clip). The rendition is kept under that hash, so a MOV's rendition made
    while it was a video of its own stays its rendition once its still takes it in."""
    return photo.motion_sha256 if photo.media_type != "video" and photo.motion_sha256 else photo.sha256


def made(storage: Storage, photo: Photo) -> Path | None:
    """The row's rendition file (a video's, or its Live Photo clip's) where it is made; else None."""
    path = storage.rendition_path(photo.user_id, source_hash(photo))
    return path if photo.rendition_status == "done" and path.is_file() else None


def playback(storage: Storage, photo: Photo) -> tuple[Path, str] | None:
    """The file a browser plays for a clip, with its type: the original where browsers play it, else its
    rendition once made; None while there is none (queued, running or failed)."""
    if photo.format not in VIDEO_FORMATS:
        return None
    if photo.rendition_status is None:
        return storage.existing_original(photo), _PLAYBACK_TYPES.get(photo.format, photo.mime_type)
    path = storage.rendition_path(photo.user_id, photo.sha256)
    return (path, "video/mp4") if photo.rendition_status == "done" and path.is_file() else None


def without_location(storage: Storage, photo: Photo) -> tuple[Path, str] | None:
    """What a share link that hides the location plays: the rendition (made without any metadata), or a copy of
    the original with its metadata removed (made on first play, kept beside the thumbnails); None while neither
    can be played."""
    found = playback(storage, photo)
    if found is None or photo.rendition_status is not None:
        return found
    webm = photo.format == "WEBM"
    return clean_copy(storage, photo.user_id, photo.sha256, found[0], webm), "video/webm" if webm else "video/mp4"


def clean_copy(storage: Storage, user_id: int, sha256: str, source: Path, webm: bool = False) -> Path:
    """The copy of the clip `source` (stored under `sha256`) without its metadata, made on first use and kept beside
    the thumbnails, so it is streamed from disk like any file; DamagedFile where the clip cannot be copied."""
    path = storage.clean_copy_path(user_id, sha256, webm)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".tmp-{owner_tag()}-{path.name}")
        try:
            without_metadata(source, scratch)
            scratch.replace(path)
        finally:
            remove_quietly(scratch)
    return path


def make_rendition(database: Database, storage: Storage, photo_id: int) -> str | None:
    """The `make_rendition` job: transcode the clip to H.264/AAC MP4 with progress on its row; returns the state it
    ended in (None: no such clip, or nothing to do). A clip that cannot be converted is marked failed with why."""
    with database.transaction() as session:
        photo = session.get(Photo, photo_id)
        if photo is None or photo.rendition_status is None:
            return None
        user_id, sha256 = photo.user_id, source_hash(photo)
        target = storage.rendition_path(user_id, sha256)
        if photo.rendition_status == "done" and target.is_file():
            return "done"
        _set(session, photo_id, rendition_status="running", rendition_progress=0.0, rendition_reason=None)
    scratch = target.with_name(f".tmp-{owner_tag()}-{sha256}-web.mp4")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        transcode(storage.original_path(user_id, sha256), scratch, _reporter(database, photo_id))
        scratch.replace(target)
    except (MediaError, OSError) as exc:
        remove_quietly(scratch)
        log.warning("no rendition of photo %d: %s", photo_id, exc)
        with database.transaction() as session:
            _set(session, photo_id, rendition_status="failed", rendition_reason=str(exc)[:1000])
        return "failed"
    with database.transaction() as session:
        _set(session, photo_id, rendition_status="done", rendition_progress=1.0)
    return "done"


def _reporter(database: Database, photo_id: int) -> Callable[[float], None]:
    """progress(fraction), written to the photo's row at most every PROGRESS_SECONDS."""
    last = [0.0]

    def report(fraction: float) -> None:
        if time.monotonic() - last[0] >= PROGRESS_SECONDS:
            last[0] = time.monotonic()
            with database.transaction() as session:
                _set(session, photo_id, rendition_progress=round(fraction, 3))

    return report


def _set(session: Session, photo_id: int, **values) -> None:
    # An UPDATE of these columns alone: the analysis may be writing the same row's other columns meanwhile.
    session.execute(update(Photo).where(Photo.id == photo_id).values(**values).execution_options(
        synchronize_session=False))


def overview(session: Session, scope: Scope) -> dict:
    """The Jobs page's renditions: how many are in each state, and the ones not done with their progress."""
    counts = dict(session.execute(scope.columns(Photo.rendition_status, func.count())
                                  .where(Photo.rendition_status.is_not(None))
                                  .group_by(Photo.rendition_status)).all())
    rows = session.execute(scope.columns(Photo.id, Photo.filename, Photo.rendition_status, Photo.rendition_progress,
                                         Photo.rendition_reason)
                           .where(Photo.rendition_status.in_(("queued", "running", "failed")))
                           .order_by(Photo.id.desc()).limit(MAX_LISTED))
    return {"counts": {state: counts.get(state, 0) for state in STATES},
            "items": [{"photo_id": i, "filename": name, "status": state, "progress": progress or 0.0,
                       "reason": reason} for i, name, state, progress, reason in rows]}


def requeue(session: Session, ids: list[int]) -> None:
    """Mark these clips' renditions queued again (the caller enqueues the jobs)."""
    if ids:
        session.execute(update(Photo).where(Photo.id.in_(ids)).values(
            rendition_status="queued", rendition_progress=0.0, rendition_reason=None))
