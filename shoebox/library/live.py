"""Live Photos and Motion Photos in the library: a still and its clip are one item.

The still keeps the row; its clip is a file among the owner's originals (content-addressed like them) that the row
names in `motion_sha256`. An Android Motion Photo's clip is cut out of the still when it is stored. An Apple Live
Photo arrives as two files sharing a content identifier, in either order: a still finds the MOV stored before it (a
plain video until then) and takes it in, the MOV's row going (its file stays, as the still's clip); a MOV whose
still is already stored becomes that still's clip at once, never a library item. Where neither half carries an
identifier (a copy whose metadata was stripped), the halves pair by file name stem ("IMG_1234.HEIC" and
"IMG_1234.MOV") and capture times within PAIR_SECONDS.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shoebox.errors import NotFound
from shoebox.library.storage import Storage, remove_quietly
from shoebox.media.live import clip_content_id, motion_photo_clip, still_content_id
from shoebox.models import Album, AlbumPhoto, Photo, PhotoTag, SharePhoto
from shoebox.scope import Scope

#: Formats whose stills may carry a clip (an appended MP4) or be half of a Live Photo.
STILL_FORMATS = frozenset({"JPEG", "HEIF"})
#: How far apart a still's and a MOV's capture times may be to pair by name when neither has an identifier.
PAIR_SECONDS = 2
#: The format of a Live Photo's clip (media.formats).
CLIP_FORMAT = "MOV"
LIVE, MOTION = "live", "motion"
#: The clip's type as served: an Apple MOV is ISO media that browsers read as MP4.
MIME_TYPES = {LIVE: "video/quicktime", MOTION: "video/mp4"}


@dataclass(frozen=True)
class StillParts:
    """What a still says of its clip: the MP4 embedded in it (Motion Photo), and Apple's content identifier."""

    clip: bytes | None = None
    content_id: str | None = None


def read_still(path: Path, format_name: str) -> StillParts:
    """The clip and content identifier of a still file, or the content identifier of a MOV (thread-safe; no
    database)."""
    if format_name == CLIP_FORMAT:
        return StillParts(content_id=clip_content_id(path))
    if format_name not in STILL_FORMATS:
        return StillParts()
    return StillParts(motion_photo_clip(path), still_content_id(path))


class LivePhotos:
    """Pairs stills with their clips, through the owner's originals in `storage`."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def clip_path(self, photo: Photo) -> Path | None:
        """The file of a still's clip, or None for a still that does not move."""
        return self.storage.original_path(photo.user_id, photo.motion_sha256) if photo.motion_sha256 else None

    def clip_file(self, photo: Photo) -> Path:
        """The file of a still's clip; a 404 for a still without one (or whose clip is gone from the disk)."""
        if not photo.motion_sha256:
            raise NotFound(f"photo {photo.id} has no clip: it is no Live Photo or Motion Photo", code="no_clip")
        path = self.storage.original_path(photo.user_id, photo.motion_sha256)
        if not path.is_file():
            raise NotFound(f"the clip of photo {photo.id} is missing on disk", code="file_missing")
        return path

    def keep_embedded(self, photo: Photo, parts: StillParts) -> list[Path]:
        """Give a new still the clip embedded in it (its file written now; the row is committed by the caller) and
        its content identifier; the files written, for the caller to remove should the row not be committed."""
        photo.content_id = parts.content_id
        if parts.clip is None:
            return []
        sha256 = hashlib.sha256(parts.clip).hexdigest()
        photo.motion_sha256, photo.motion_kind = sha256, MOTION
        path = self.storage.original_path(photo.user_id, sha256)
        if path.exists():
            return []
        return [self.storage.write_atomically(parts.clip, path)]

    def take_waiting_clip(self, session: Session, still: Photo) -> bool:
        """After a still is stored: take in its Live Photo MOV stored before it (a video row until now), whose row
        goes while its file stays as the still's clip, with what the user gave it (albums, share links, their
        tags, favourite) and its rendition (kept under the MOV's hash). Whether there was one."""
        if still.motion_sha256 or still.format not in STILL_FORMATS:
            return False
        video = other_half(session, still, media_type="video")
        if video is None:
            session.commit()  # ends the read: in a writing request it began with the write lock, which jobs wait for
            return False
        self.attach(still, video.sha256, video.filename, video.rendition_status)
        if video.rendition_status == "done" and not self.storage.rendition_path(video.user_id, video.sha256).is_file():
            still.rendition_status = "queued"
        still.rendition_progress = 1.0 if still.rendition_status == "done" else 0.0
        hand_over(session, video, still)
        session.delete(video)
        session.commit()
        kept = {self.storage.rendition_path(video.user_id, video.sha256)}
        for path in self.storage.paths_of(video.user_id, video.sha256)[1:]:  # its poster, not the MOV or rendition
            if path not in kept:
                remove_quietly(path)
        return True

    def join_still(self, session: Session, clip: Photo, keep: Callable[[], list[Path]]) -> Photo | None:
        """A new MOV (`clip`: a row not stored, with its owner, name, capture time and content identifier) whose
        still is stored already: `keep()` keeps its original and the still takes it as its clip; no row of its own.
        The still, or None where the MOV has none (it is then a video until its still comes)."""
        if clip.format != CLIP_FORMAT:
            return None
        still = other_half(session, clip, media_type="image")
        if still is None:
            return None
        written = keep()
        try:
            self.attach(still, clip.sha256, clip.filename, clip.rendition_status)
            session.commit()
        except BaseException:
            session.rollback()
            for path in written:
                remove_quietly(path)
            raise
        return still

    @staticmethod
    def attach(still: Photo, sha256: str, filename: str, rendition: str | None) -> None:
        """Make the original with this hash (a MOV) the still's Live Photo clip; `rendition`: the MOV's rendition
        state (None: browsers play it; "queued": one is to be made, by the caller's `make_rendition` job)."""
        still.motion_sha256, still.motion_kind, still.motion_filename = sha256, LIVE, filename
        still.rendition_status = "done" if rendition == "done" else "queued" if rendition else None
        still.rendition_progress, still.rendition_reason = 0.0, None

    def playable_clip(self, photo: Photo) -> tuple[Path, bool]:
        """The file a browser plays for a still's clip: its web-playable rendition where the clip needs one and it
        is made, else the clip itself; and whether it is the rendition."""
        clip = self.clip_file(photo)
        path = self.storage.rendition_path(photo.user_id, photo.motion_sha256)
        return (path, True) if photo.rendition_status == "done" and path.is_file() else (clip, False)


def hand_over(session: Session, video: Photo, still: Photo) -> None:
    """Give the still what the user gave the MOV it takes in: its albums (and an album's cover), share links,
    the user's visible tags, favourite, a caption and note the user wrote where the still has none."""
    for table in (AlbumPhoto, SharePhoto):
        owner = table.album_id if table is AlbumPhoto else table.share_id
        held = select(owner).where(table.photo_id == still.id)
        session.execute(update(table).where(table.photo_id == video.id, owner.not_in(held))
                        .values(photo_id=still.id).execution_options(synchronize_session=False))
    session.execute(update(Album).where(Album.cover_photo_id == video.id).values(cover_photo_id=still.id)
                    .execution_options(synchronize_session=False))
    tags = {tag.name: tag for tag in still.tags}
    for name in [tag.name for tag in video.tags if tag.source == "user" and not tag.hidden]:
        if name in tags:
            tags[name].hidden, tags[name].source = False, "user"
        else:
            still.tags.append(PhotoTag(name=name, source="user"))
    still.favourite = still.favourite or video.favourite
    if video.caption_source == "user" and not still.caption:
        still.caption, still.caption_source = video.caption, "user"
    still.note = still.note or video.note


def other_half(session: Session, half: Photo, media_type: str) -> Photo | None:
    """The owner's stored row of `media_type` ("video": a MOV; "image": a still) without a clip that is the other
    half of the Live Photo `half` belongs to: the one with its content identifier, or, where `half` has none, one
    without any whose file name has the same stem and whose capture time is within PAIR_SECONDS."""
    query = Scope.of_user(half.user_id).stored().photos(Photo.media_type == media_type, Photo.motion_sha256.is_(None))
    if half.id is not None:
        query = query.where(Photo.id != half.id)
    if media_type == "image":
        query = query.where(Photo.format.in_(STILL_FORMATS))
    if half.content_id:
        return session.scalar(query.where(Photo.content_id == half.content_id).order_by(Photo.id).limit(1))
    if half.taken_at is None:
        return None
    window = timedelta(seconds=PAIR_SECONDS)
    nearby = query.where(Photo.content_id.is_(None), Photo.taken_at.between(half.taken_at - window,
                                                                           half.taken_at + window))
    return next((photo for photo in session.scalars(nearby.order_by(Photo.id).limit(50))
                 if _stem(photo.filename) == _stem(half.filename)), None)


def _stem(filename: str) -> str:
    return PurePosixPath(filename).stem.casefold()
