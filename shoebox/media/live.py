"""Stills that move: Android Motion Photos (a JPEG or HEIC with an MP4 appended) and the two halves of an Apple
Live Photo (a HEIC/JPEG and a MOV sharing one content identifier).

Motion Photo: the XMP says where the clip starts, counted from the end of the file, in one of two dialects:
Google's first (`GCamera:MicroVideo` = 1 with `GCamera:MicroVideoOffset`) or the current one (`GCamera:MotionPhoto`
= 1 with a `Container:Directory` whose `Item:Semantic="MotionPhoto"` item has its `Item:Length`). Samsung phones
write a `MotionPhoto_Data` marker in front of the clip in their trailer, with or without such XMP. Every candidate
is checked: its bytes must begin with an ISO media `ftyp` box and open in PyAV with a video stream.

Live Photo: Apple writes the identifier as tag 0x0011 (ContentIdentifier) of its maker note in the still (a
`Apple iOS\\0` header, then an IFD whose offsets count from the note's start: exiftool's MakerNoteApple), and as
`com.apple.quicktime.content.identifier` in the MOV's metadata (`mdta` keys, which FFmpeg reads into the container
metadata).
"""

from __future__ import annotations

import io
import logging
import struct
from pathlib import Path

import av
import exiv2

from shoebox.media.tags import EXIV2_LOCK

log = logging.getLogger(__name__)

#: The XMP namespaces of Google's Motion Photo format, registered under the prefixes the keys below use (a file may
#: use others: exiv2 names a known namespace by its registered prefix).
NAMESPACES = {
    "GCamera": "http://ns.google.com/photos/1.0/camera/",
    "Container": "http://ns.google.com/photos/1.0/container/",
    "Item": "http://ns.google.com/photos/1.0/container/item/",
}
with EXIV2_LOCK:
    for _prefix, _uri in NAMESPACES.items():
        exiv2.XmpProperties.registerNs(_uri, _prefix)

SAMSUNG_MARKER = b"MotionPhoto_Data"
APPLE_NOTE = b"Apple iOS\x00"
_CONTENT_ID_TAG = 0x0011
_ASCII = 2
_MAX_ENTRIES = 512
QUICKTIME_CONTENT_ID = "com.apple.quicktime.content.identifier"
#: Content identifiers are UUIDs; anything far longer is not one.
_MAX_ID = 64
#: A still with an appended clip is read whole; anything larger is no phone's Motion Photo.
MAX_MOTION_PHOTO_BYTES = 200 << 20


# -- Motion Photos ---------------------------------------------------------------------------------------------------
def motion_photo_clip(path: str | Path) -> bytes | None:
    """The MP4 clip embedded in the still at `path` (a Google or Samsung Motion Photo), checked to play; None for a
    still without one (or one whose clip is damaged)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_MOTION_PHOTO_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    starts = [*_xmp_starts(path, len(data)), *_samsung_starts(data)]
    for start in dict.fromkeys(starts):
        clip = _clip_at(data, start)
        if clip is not None:
            return clip
    return None


def _xmp_starts(path: Path, size: int) -> list[int]:
    """Where the XMP says the clip starts (offsets from the start of the file)."""
    xmp = _xmp(path)
    starts = []
    if xmp.get("Xmp.GCamera.MicroVideo") == "1" and (offset := _int(xmp.get("Xmp.GCamera.MicroVideoOffset"))):
        starts.append(size - offset)
    from_end = _directory_from_end(xmp)
    if from_end:
        starts.append(size - from_end)
    return [start for start in starts if 0 < start < size]


def _directory_from_end(xmp: dict[str, str]) -> int | None:
    """How far from the end the `MotionPhoto` item of a Container:Directory starts: its length and padding plus those
    of the items after it (items are stored in the directory's order, the primary image first)."""
    items: dict[int, dict[str, str]] = {}
    for key, value in xmp.items():
        if key.startswith("Xmp.Container.Directory[") and "/Item:" in key:
            index = _int(key[len("Xmp.Container.Directory["):].split("]", 1)[0])
            if index is not None:
                items.setdefault(index, {})[key.rsplit("/Item:", 1)[1]] = value
    ordered = [items[index] for index in sorted(items)]
    for position, item in enumerate(ordered):
        if item.get("Semantic") == "MotionPhoto":
            following = ordered[position:]
            lengths = [(_int(i.get("Length")) or 0) + (_int(i.get("Padding")) or 0) for i in following]
            return sum(lengths) if _int(item.get("Length")) else None
    return None


def _samsung_starts(data: bytes) -> list[int]:
    found = data.rfind(SAMSUNG_MARKER)
    return [found + len(SAMSUNG_MARKER)] if found > 0 else []


def _clip_at(data: bytes, start: int) -> bytes | None:
    """The ISO media file that starts at `start` (its top-level boxes, `ftyp` first), if it plays."""
    length = mp4_length(data, start)
    if length is None:
        return None
    clip = data[start:start + length]
    return clip if is_playable(clip) else None


def mp4_length(data: bytes, start: int) -> int | None:
    """The length of the run of ISO media boxes at `start` whose first is `ftyp`; None where there is none."""
    at, boxes = start, 0
    while at + 8 <= len(data) and boxes < 1000:
        size, kind = struct.unpack_from(">I4s", data, at)
        if size == 1 and at + 16 <= len(data):
            size = struct.unpack_from(">Q", data, at + 8)[0]
        elif size == 0:
            size = len(data) - at
        if (boxes == 0 and kind != b"ftyp") or size < 8 or at + size > len(data) or not _box_type(kind):
            break
        at, boxes = at + size, boxes + 1
    return at - start if boxes else None


def _box_type(kind: bytes) -> bool:
    return all(32 <= byte < 127 for byte in kind)


def is_playable(clip: bytes) -> bool:
    """Whether PyAV opens these bytes as a media file with a video stream."""
    try:
        with av.open(io.BytesIO(clip), "r") as container:
            return bool(container.streams.video)
    except (av.FFmpegError, ValueError, OSError):
        return False


# -- Live Photos -----------------------------------------------------------------------------------------------------
def still_content_id(path: str | Path) -> str | None:
    """The Live Photo content identifier in an Apple still's maker note (HEIC or JPEG); None without one."""
    try:
        with EXIV2_LOCK:
            image = exiv2.ImageFactory.open(str(path))
            image.readMetadata()
            exif = image.exifData()
            found = exif.findKey(exiv2.ExifKey("Exif.Photo.MakerNote"))
            note = bytes(found.value().data()) if found != exif.end() else b""
    except Exception as exc:  # exiv2.Exiv2Error: no metadata to read, never fatal
        log.debug("no maker note read from %s: %s", path, exc)
        return None
    return apple_content_id(note)


def apple_content_id(note: bytes) -> str | None:
    """Tag 0x0011 of an Apple maker note: `Apple iOS\\0`, a version, the byte order ("MM"), then an IFD whose value
    offsets count from the start of the note."""
    if not note.startswith(APPLE_NOTE) or len(note) < 16:
        return None
    order = {b"MM": ">", b"II": "<"}.get(note[12:14])
    if order is None:
        return None
    count = struct.unpack_from(order + "H", note, 14)[0]
    for index in range(min(count, _MAX_ENTRIES)):
        at = 16 + 12 * index
        if at + 12 > len(note):
            break
        tag, kind, length, value = struct.unpack_from(order + "HHI4s", note, at)
        if tag == _CONTENT_ID_TAG and kind == _ASCII:
            offset = struct.unpack(order + "I", value)[0]
            raw = value[:length] if length <= 4 else note[offset:offset + length]
            return _identifier(raw.split(b"\x00", 1)[0].decode("ascii", "replace"))
    return None


def clip_content_id(path: str | Path) -> str | None:
    """The Live Photo content identifier in a MOV's metadata (the container's, else a stream's); None without one."""
    try:
        with av.open(str(path), "r") as container:
            tables = [container.metadata, *(stream.metadata for stream in container.streams)]
    except (av.FFmpegError, ValueError, OSError):
        return None
    for table in tables:
        if table.get(QUICKTIME_CONTENT_ID):
            return _identifier(table[QUICKTIME_CONTENT_ID])
    return None


def _identifier(text: str) -> str | None:
    text = text.strip()
    return text if 0 < len(text) <= _MAX_ID and text.isprintable() else None


# -- helpers ---------------------------------------------------------------------------------------------------------
def _xmp(path: Path) -> dict[str, str]:
    try:
        with EXIV2_LOCK:
            image = exiv2.ImageFactory.open(str(path))
            image.readMetadata()
            return {datum.key(): datum.toString() for datum in image.xmpData()}
    except Exception as exc:  # exiv2.Exiv2Error: no XMP, so no clip it points at
        log.debug("no XMP read from %s: %s", path, exc)
        return {}


def _int(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None
