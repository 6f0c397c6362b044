"""The photo library's rules: ingest (into one user's photos: library.ingest), list, edit and delete (within a
viewer's scope)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import true
from sqlalchemy.orm import Session, selectinload
from zipstream import ZipStream

from shoebox.cursors import decode_keyset, encode_keyset
from shoebox.errors import InvalidInput, NotFound
from shoebox.library import bulk, corrections, renditions
from shoebox.library.ingest import Ingested, Ingesting, Prepared, refusal  # noqa: F401  (Ingested, Prepared: re-exported)
from shoebox.library.live import LivePhotos
from shoebox.library.previews import ensure_thumbnail
from shoebox.library.storage import Storage, thumbnail_intact
from shoebox.library.tags import MAX_TAG_LENGTH, MAX_TAGS, normalise_tags, set_user_tags, visible_tags  # noqa: F401
from shoebox.library.trash import Trash
from shoebox.media.errors import MediaError
from shoebox.media.files import is_animated, read_file_metadata
from shoebox.media.formats import BROWSER_FORMATS, FORMATS
from shoebox.media.thumbnails import render_full_from
from shoebox.models import Photo
from shoebox.scope import NEWEST_FIRST, Scope, older_than

MAX_TEXT = 10_000
#: A bulk edit re-embeds the words of up to this many photos in the request (about 10 ms each); more are queued.
EMBED_AT_ONCE = 25
EDITABLE = frozenset({"caption", "tags", "note", "favourite"}) | corrections.DATE_FIELDS
#: Formats whose files may be animations browsers play: only these are opened to ask.
_ANIMATING = frozenset(fmt.name for fmt in FORMATS if fmt.animates)


class Library(Ingesting):
    """Ingest and edit photos: files through `storage`, rows through the session, analysis through `enqueue`.
    Reads and edits take the viewer's `Scope`; ingest (library.ingest.Ingesting) takes the owner's id."""

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
            raise refusal(exc, photo.filename) from exc
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
                raise refusal(exc, photo.filename) from exc
            self.storage.write_atomically(data, path)
        return path, "image/webp"

    def playback_file(self, photo: Photo, hide_location: bool = False) -> tuple[Path, str]:
        """The file a browser plays for a clip, with its type (library.renditions.playback; with `hide_location`,
        a copy without the file's metadata); NotFound for a photo, or a clip whose web-playable rendition is not
        made (yet)."""
        try:
            found = (renditions.without_location if hide_location else renditions.playback)(self.storage, photo)
        except MediaError as exc:
            raise refusal(exc, photo.filename) from exc
        if found is None:
            state = photo.rendition_status if photo.media_type == "video" else None
            raise NotFound(f"photo {photo.id} is not a video" if state is None else
                           f"{photo.filename} is being converted for playback in the browser ({state})"
                           if state != "failed" else f"{photo.filename} could not be converted for playback",
                           code="not_a_video" if state is None else "not_playable_yet")
        return found

    def shared_clip(self, photo: Photo, hide_location: bool) -> Path:
        """The file a share link plays for a still's clip (a Live Photo's, a Motion Photo's): `live.playable_clip`'s,
        or where the link hides the location and that is the clip itself (a rendition holds no metadata; a Live
        Photo's MOV says where it was taken), its copy without metadata. A 404 where the clip cannot be copied."""
        path, rendition = self.live.playable_clip(photo)
        if not hide_location or rendition:
            return path
        try:
            return renditions.clean_copy(self.storage, photo.user_id, photo.motion_sha256, path)
        except MediaError as exc:
            raise NotFound("this link does not offer this photo's clip") from exc

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


def _optional_text(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string or null")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{field} is longer than {MAX_TEXT} characters")
    return value.strip() or None
