"""ORM tables. Every photo-owned row hangs off a user, and is deleted with them."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from shoebox.db import Base

#: Ids are never handed out twice, not even after the newest row is deleted (SQLite otherwise reuses the
#: largest id): a reused user id would match an old token's `sub`, a reused photo id an old cached image.
#: PostgreSQL sequences never go back anyway. Every table with an integer id carries this.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}
#: A photo's place from finest to widest; the place filter and suggestions match any of them.
PLACE_LEVELS = ("district", "city", "region", "country")


def fold(text: str) -> str:
    """Text as the place filter compares it: no case, no accents, words split by single spaces
    ("Île-de-France" -> "ile de france")."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[\W_]+", bare)).strip()


def place_key(*levels: str | None) -> str | None:
    """The levels of a place folded between bars ("|salpetriere|paris|ile de france|france|"), so that
    `LIKE '%|' || prefix || '%'` finds any level by its start; None for no place."""
    folded = [fold(level) for level in levels if level]
    return "|" + "|".join(folded) + "|" if folded else None


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_token_key() -> str:
    return secrets.token_hex(16)


def fitted(model: type[Base], **values: Any) -> dict[str, Any]:
    """`values` for `model`'s columns, each string cut to its column's length: text from a file (EXIF, a file
    name, a model's labels) can be any length, and PostgreSQL refuses what does not fit where SQLite keeps it."""
    columns = model.__table__.c
    return {name: value[:length] if isinstance(value, str) and (length := _length(columns, name)) else value
            for name, value in values.items()}


def _length(columns: Any, name: str) -> int | None:
    return getattr(columns[name].type, "length", None) if name in columns else None


class User(Base):
    __tablename__ = "users"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Bumped when the password changes: refresh tokens minted before it stop working.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    #: Random, per account, in every token it gets: a token only opens the account it was made for, even
    #: where another account later has the same id (a database restored or copied by hand).
    token_key: Mapped[str] = mapped_column(String(32), default=new_token_key)
    #: The instance's administrator: the first account (or the oldest one, on an install from before admins).
    #: Creates accounts and invite links; there is always one while any account exists.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    photos: Mapped[list[Photo]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                               passive_deletes=True)


class Photo(Base):
    __tablename__ = "photos"
    __table_args__ = (
        UniqueConstraint("user_id", "sha256", name="uq_photo_user_sha256"),
        Index("ix_photos_user_taken", "user_id", "taken_at", "id", "trashed_at"),  # Trash left out, covered
        # The Jobs page's latest failures without reading every photo of the library.
        Index("ix_photos_user_status", "user_id", "status", "id"),
        # The Favourites view, newest first, without reading the rest of a big library.
        Index("ix_photos_user_favourite", "user_id", "favourite", "taken_at", "id"),
        # The Trash (newest trashed first) and the purge: only trashed rows are in it, so no planner picks it for
        # the library's `trashed_at IS NULL` listings.
        Index("ix_photos_user_trashed", "user_id", "trashed_at", "id", sqlite_where=text("trashed_at IS NOT NULL"),
              postgresql_where=text("trashed_at IS NOT NULL")),
        #: Where a user's photos were taken: the map and the bbox filter read a range of it, never the table.
        Index("ix_photos_user_gps", "user_id", "gps_latitude", "gps_longitude", "id", "trashed_at"),
        #: The camera and format filters: a range of the owner's photos with those values, newest first, covered.
        Index("ix_photos_user_camera", "user_id", "camera_model", "taken_at", "id", "trashed_at"),
        Index("ix_photos_user_make", "user_id", "camera_make", "taken_at", "id", "trashed_at"),
        Index("ix_photos_user_format", "user_id", "format", "taken_at", "id", "trashed_at"),
        #: A Live Photo's halves find each other; an upload of a still's clip again is a duplicate.
        Index("ix_photos_user_content_id", "user_id", "content_id"),
        Index("ix_photos_user_motion", "user_id", "motion_sha256"),
        #: The photos with OCR text, which PostgreSQL's search for words glued inside it reads (migration 0027).
        Index("ix_photos_user_ocr", "user_id", "id", sqlite_where=text("ocr_text IS NOT NULL"),
              postgresql_where=text("ocr_text IS NOT NULL")),
        #: The Jobs page's renditions: only clips that needed one are in it.
        Index("ix_photos_user_rendition", "user_id", "rendition_status", "id",
              sqlite_where=text("rendition_status IS NOT NULL"), postgresql_where=text("rendition_status IS NOT NULL")),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))
    mime_type: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: Local wall-clock time the photo was taken (naive), with the UTC offset when EXIF gave one.
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    taken_at_offset: Mapped[str | None] = mapped_column(String(6))
    #: Where taken_at came from (shoebox.media.dates.SOURCES): the file's metadata ("exif", "xmp", "iptc", "qt",
    #: "modify"), the file's modification time ("file"), the upload time ("upload"), or the user ("user", which
    #: a later read of the metadata never replaces).
    taken_at_source: Mapped[str] = mapped_column(String(8))
    camera_make: Mapped[str | None] = mapped_column(String(64))
    camera_model: Mapped[str | None] = mapped_column(String(64))
    lens: Mapped[str | None] = mapped_column(String(128))
    exposure_time: Mapped[str | None] = mapped_column(String(16))
    f_number: Mapped[float | None] = mapped_column(Float)
    iso: Mapped[int | None] = mapped_column(Integer)
    focal_length: Mapped[float | None] = mapped_column(Float)
    orientation: Mapped[int | None] = mapped_column(Integer)
    gps_latitude: Mapped[float | None] = mapped_column(Float)
    gps_longitude: Mapped[float | None] = mapped_column(Float)
    gps_altitude: Mapped[float | None] = mapped_column(Float)
    #: Where the GPS location came from: "exif", or "user" (also for a location the user removed), which a later
    #: read of the metadata never replaces; None for a photo that never had one.
    location_source: Mapped[str | None] = mapped_column(String(8))
    #: 64-bit difference hash of the picture, for finding near-duplicates (signed to fit SQL BIGINT).
    phash: Mapped[int | None] = mapped_column(BigInteger)
    #: Where it was taken, from GPS by the offline geocoder: the city a person would name ("Paris"), the district
    #: of it nearest the point ("Salpêtrière"; None where the city is the nearest place), region and country.
    city: Mapped[str | None] = mapped_column(String(128))
    district: Mapped[str | None] = mapped_column(String(128))
    region: Mapped[str | None] = mapped_column(String(128))
    country: Mapped[str | None] = mapped_column(String(128))
    country_code: Mapped[str | None] = mapped_column(String(2))
    #: Every level of the place folded (`place_key`), kept by the ORM: the place filter matches any level's start.
    place_key: Mapped[str | None] = mapped_column(String(600))
    #: The text read in the picture by OCR, lines joined by newlines.
    ocr_text: Mapped[str | None] = mapped_column(Text)
    #: The tag classifier's most probable raw labels, [[label, probability], ...], best first: what search reads
    #: below the tags (ConSE); None before the tags part ran.
    labels: Mapped[list | None] = mapped_column(JSON)
    caption: Mapped[str | None] = mapped_column(Text)
    #: "ai" or "user": a user's caption is never replaced by an AI run.
    caption_source: Mapped[str | None] = mapped_column(String(4))
    note: Mapped[str | None] = mapped_column(Text)
    #: The user's heart: the Favourites view and the `favourite=true` search filter.
    favourite: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: When the user moved it to Trash (None: not in Trash). A trashed photo is out of every view but the Trash
    #: (shoebox/scope.py), keeps everything (files, tags, faces, albums) for a restore, and is deleted for good
    #: TRASH_DAYS later by the worker.
    trashed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Analysis status: queued, running, done, failed, waiting (for a model); reason says why.
    status: Mapped[str] = mapped_column(String(16), default="queued")
    status_reason: Mapped[str | None] = mapped_column(Text)
    #: While running: the worker analysing it (`<host>-<pid>`, its WorkerBeat), so a crashed worker's photos are
    #: queued again.
    claimed_by: Mapped[str | None] = mapped_column(String(128), index=True)
    #: "image" or "video" (a clip: MP4, MOV, M4V, 3GP, WebM, AVI; its thumbnails come from a poster frame).
    media_type: Mapped[str] = mapped_column(String(8), default="image", server_default="image")
    #: A video's length, its first video stream's codec (FFmpeg's name: "h264", "hevc", "vp9") and frames a second.
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    video_codec: Mapped[str | None] = mapped_column(String(16))
    frame_rate: Mapped[float | None] = mapped_column(Float)
    #: The web-playable copy (H.264/AAC MP4) of a clip browsers cannot play: None where the original plays (and for
    #: images), else queued, running, done or failed (rendition_reason says why); progress 0..1 while it runs.
    rendition_status: Mapped[str | None] = mapped_column(String(8))
    rendition_progress: Mapped[float | None] = mapped_column(Float)
    rendition_reason: Mapped[str | None] = mapped_column(Text)
    #: A Live Photo's or Motion Photo's clip: the SHA-256 of its file among the owner's originals (an Apple MOV as it
    #: came, which is no library item of its own; an Android Motion Photo's MP4 cut out of the still), which kind
    #: ("live", "motion"), and the MOV's own file name for its download. None: a still that does not move.
    motion_sha256: Mapped[str | None] = mapped_column(String(64))
    motion_kind: Mapped[str | None] = mapped_column(String(8))
    motion_filename: Mapped[str | None] = mapped_column(String(255))
    #: Apple's Live Photo content identifier (a still's maker note, a MOV's QuickTime metadata): pairs the two halves
    #: whichever arrives first.
    content_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="photos")
    tags: Mapped[list[PhotoTag]] = relationship(
        back_populates="photo", cascade="all, delete-orphan", passive_deletes=True, order_by="PhotoTag.id"
    )
    faces: Mapped[list[Face]] = relationship(
        back_populates="photo", cascade="all, delete-orphan", passive_deletes=True, order_by="Face.id"
    )
    #: The parts of its analysis that did not run (waiting for a model, or switched off); see PartState.
    part_states: Mapped[list[PartState]] = relationship(
        back_populates="photo", cascade="all, delete-orphan", passive_deletes=True, order_by="PartState.part"
    )


    @validates(*PLACE_LEVELS)
    def _keep_place_key(self, name: str, value: str | None) -> str | None:
        """Any change of a place level refreshes the folded key the place filter reads."""
        levels = {level: getattr(self, level) for level in PLACE_LEVELS} | {name: value}
        self.place_key = place_key(*levels.values())
        return value


class PartState(Base):
    """A part of a photo's analysis (shoebox.jobs.parts.PIPELINE) that did not run when the photo was analysed:
    "waiting" for a model this server cannot load, or "off" (switched off in the settings). A part with no row
    ran; while the photo is queued or running its rows say how the previous analysis went."""

    __tablename__ = "photo_part_states"

    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True)
    part: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: The photo's owner: what the kept counts (analysis_counts) are kept by.
    user_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(8))

    photo: Mapped[Photo] = relationship(back_populates="part_states")


class PartProblem(Base):
    """Why a part of the analysis waits, as the last worker that tried it saw it: one row per part, for the
    Jobs page (the reason is the server's, not the photo's)."""

    __tablename__ = "analysis_problems"

    part: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WorkerBeat(Base):
    """A process that claimed photos for analysis (its owner tag, `<host>-<pid>`) and when it last said it is
    alive: refreshed while it holds claims, so any worker on any machine can tell a dead one (shoebox.jobs.claims)."""

    __tablename__ = "worker_beats"

    worker: Mapped[str] = mapped_column(String(128), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(DateTime)


#: Tables the database keeps itself (triggers) from the others: never copied between databases, only rebuilt.
DERIVED = MetaData()

#: How many of each owner's photos are in each analysis status (part "photo") and how many have each part in each
#: PartState state: kept by triggers on photos and photo_part_states (migration 0009), so the Jobs page, polled
#: every few seconds, reads a handful of rows instead of counting the library.
analysis_counts = Table(
    "analysis_counts", DERIVED,
    Column("user_id", Integer, primary_key=True),
    Column("part", String(16), primary_key=True),
    Column("state", String(16), primary_key=True),
    Column("n", Integer, nullable=False),
)

#: How many of each owner's photos in the library (not in Trash) have each value of a filter: facet "tag" (shown
#: tags), "camera" (model), "make" and "format". Kept by triggers on photos and photo_tags (migration 0020), so the
#: filter choices (/api/facets) read a few rows, not every tag of the library; a value whose count fell to 0 stays.
facet_counts = Table(
    "facet_counts", DERIVED,
    Column("user_id", Integer, primary_key=True),
    Column("facet", String(8), primary_key=True),
    Column("value", String(128), primary_key=True),
    Column("n", Integer, nullable=False),
)

#: How many of each owner's photos in the library (not in Trash) were taken in each month ("YYYY-MM" of taken_at).
#: Kept by triggers on photos (migration 0024), so the whole library's timeline reads a few hundred rows, not every
#: photo; a month whose count fell to 0 stays.
timeline_counts = Table(
    "timeline_counts", DERIVED,
    Column("user_id", Integer, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("n", Integer, nullable=False),
)

#: The same per owner and month, by the photo's own filter values (camera make and model, format, favourite; '' for
#: none) and by shown tag: kept by triggers on photos and photo_tags (migration 0026), so a timeline with one tag,
#: camera, format or favourites filter reads a few rows per month, not every matching photo. One row per combination
#: of values: the camera filter matches a model or a make, and a photo matching both counts once.
timeline_value_counts = Table(
    "timeline_value_counts", DERIVED,
    Column("user_id", Integer, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("camera_make", String(64), primary_key=True),
    Column("camera_model", String(64), primary_key=True),
    Column("format", String(16), primary_key=True),
    Column("favourite", Boolean, primary_key=True),
    Column("n", Integer, nullable=False),
)
timeline_tag_counts = Table(
    "timeline_tag_counts", DERIVED,
    Column("user_id", Integer, primary_key=True),
    Column("tag", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("n", Integer, nullable=False),
)

class PhotoTag(Base):
    """A tag on a photo. A user-removed AI tag stays as a `hidden` row so a later AI run cannot add it back."""

    __tablename__ = "photo_tags"
    __table_args__ = (UniqueConstraint("photo_id", "name", name="uq_photo_tag"),
                      #: A tag's photos, their ids read from the index alone (a tag filter's side, migration 0025).
                      Index("ix_photo_tags_name", "name", "hidden", "photo_id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(4))  # "ai" or "user"
    confidence: Mapped[float | None] = mapped_column(Float)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)

    photo: Mapped[Photo] = relationship(back_populates="tags")


#: The embedding kind of a photo's look (the tag classifier's pooled features), for "more like this" and duplicates.
VISUAL = "visual"


class Embedding(Base):
    """An L2-normalised vector for search, tagged with the model that made it so stale ones are redone."""

    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("photo_id", "kind", name="uq_embedding_photo_kind"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    #: "text" or "image" (the search embedding, from the photo's words or pixels), or VISUAL (its look).
    kind: Mapped[str] = mapped_column(String(8))
    model: Mapped[str] = mapped_column(String(255))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float16 little-endian
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Person(Base):
    """Someone whose faces appear in one user's photos; named only by that user."""

    __tablename__ = "people"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(128))
    #: "user" once the user named them: no analysis run or re-cluster changes it.
    name_source: Mapped[str | None] = mapped_column(String(4))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Mean of the faces' descriptors (128 float32, little-endian); None while they have no faces.
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    face_count: Mapped[int] = mapped_column(Integer, default=0)
    #: The face shown for them (no foreign key: faces come and go; a stale id falls back to their best face).
    cover_face_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    faces: Mapped[list[Face]] = relationship(back_populates="person", passive_deletes=True)


class Face(Base):
    """A face found in a photo: its box as fractions of the picture, its descriptor, and whose it is."""

    __tablename__ = "faces"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    #: The photo's owner, kept here so faces are only ever grouped within one user's photos.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    #: left, top, right, bottom as fractions (0..1) of the upright picture's width and height.
    box_left: Mapped[float] = mapped_column(Float)
    box_top: Mapped[float] = mapped_column(Float)
    box_right: Mapped[float] = mapped_column(Float)
    box_bottom: Mapped[float] = mapped_column(Float)
    descriptor: Mapped[bytes] = mapped_column(LargeBinary)  # 128 float32 little-endian
    score: Mapped[float] = mapped_column(Float)
    model: Mapped[str] = mapped_column(String(64))
    #: "user" when the user moved it to its person (or to nobody); "ai" when grouping put it there.
    person_source: Mapped[str] = mapped_column(String(4), default="ai")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    photo: Mapped[Photo] = relationship(back_populates="faces")
    person: Mapped[Person | None] = relationship(back_populates="faces")

    @property
    def box(self) -> list[float]:
        return [self.box_left, self.box_top, self.box_right, self.box_bottom]


class Album(Base):
    """A user's named set of their photos (a photo can be in many albums). What it shows is read through the
    viewer's scope, so a photo that leaves the scope (trash) leaves the album's grid, count and cover with it."""

    __tablename__ = "albums"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    #: The photo the user chose to show for it; None (or one no longer in it, or not visible) shows its newest.
    cover_photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"), index=True)
    #: How its page sorts photos by date taken: "newest" or "oldest" first.
    photo_order: Mapped[str] = mapped_column(String(6), default="newest")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AlbumPhoto(Base):
    """A photo in an album; goes with either (foreign keys cascade), so deleting a photo or an account leaves
    no membership behind."""

    __tablename__ = "album_photos"
    __table_args__ = (UniqueConstraint("album_id", "photo_id", name="uq_album_photo"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    album_id: Mapped[int] = mapped_column(ForeignKey("albums.id", ondelete="CASCADE"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Share(Base):
    """A link that shows an album, or a chosen set of photos, to anyone who has it (no account needed).

    The link's token is never stored: only its SHA-256 (to find the share) and a random salt from which the token
    is derived again with the install's SECRET_KEY (shoebox.shares.keys), so the owner can copy the link again
    while a copy of the database alone opens nothing. Revoking deletes the row."""

    __tablename__ = "shares"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The album it shows (its photos as they are now, in its order); None for a share of chosen photos.
    album_id: Mapped[int | None] = mapped_column(ForeignKey("albums.id", ondelete="CASCADE"), index=True)
    #: What the page is called for a share of chosen photos (an album's share shows the album's name).
    title: Mapped[str | None] = mapped_column(String(200))
    salt: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    allow_download: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Off by default: GPS and place names leave the shared metadata and the downloaded files.
    show_location: Mapped[bool] = mapped_column(Boolean, default=False)
    show_people: Mapped[bool] = mapped_column(Boolean, default=False)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SharePhoto(Base):
    """A photo chosen for a share; goes with either (foreign keys cascade)."""

    __tablename__ = "share_photos"
    __table_args__ = (UniqueConstraint("share_id", "photo_id", name="uq_share_photo"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)


class ResetToken(Base):
    """A password-reset link's token, stored only as its SHA-256."""

    __tablename__ = "reset_tokens"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Invite(Base):
    """A single-use link that lets one person register while REGISTRATION=invite; its token is stored only as
    its SHA-256. Revoking deletes the row; a used one keeps who used it."""

    __tablename__ = "invites"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RevokedToken(Base):
    """A JWT logged out before it expired (refresh and access tokens alike)."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
