"""The metadata blocks of a photo file (EXIF with maker notes, XMP, IPTC) as exiv2 reads them, in every format
exiv2 knows (JPEG, PNG, WebP, TIFF, HEIF/AVIF, the RAW formats), plus the QuickTime movie header of an ISO
media file (HEIF sequences), which exiv2 does not read.

Why exiv2 (python-exiv2) and not Pillow or pyexiv2: measured in bench/metadata.py, it reads every field the
other two read, faster (0.2-0.4 ms a file against 0.3-0.7 for pyexiv2 and 0.6-0.7 for Pillow on an image
already open), it keeps a text field that is not UTF-8 (pyexiv2 drops the whole EXIF or IPTC block for one
Latin-1 byte), and it reads RAW files and maker notes, which Pillow does not.
"""

from __future__ import annotations

import logging
import struct
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import exiv2

log = logging.getLogger(__name__)

# Files from the wild are full of oddities exiv2 warns about (and works around): only its errors are worth a log.
exiv2.LogMsg.setLevel(exiv2.LogMsg.Level.error)
#: exiv2's XMP parser is not thread-safe, and python-exiv2 lets go of the GIL while it reads: one read at a time
#: (a read takes well under a millisecond; uploads and imports prepare files on several threads).
_LOCK = threading.Lock()
#: The same lock, for code that rewrites metadata with exiv2 (media.metadata.without_location).
EXIV2_LOCK = _LOCK
_RATIONAL = frozenset({exiv2.TypeId.unsignedRational, exiv2.TypeId.signedRational})
_NUMERIC = _RATIONAL | {exiv2.TypeId.unsignedByte, exiv2.TypeId.unsignedShort, exiv2.TypeId.unsignedLong,
                        exiv2.TypeId.signedByte, exiv2.TypeId.signedShort, exiv2.TypeId.signedLong,
                        exiv2.TypeId.tiffFloat, exiv2.TypeId.tiffDouble}
_MAX_NUMBERS = 16
#: The pseudo-key of the QuickTime movie header's creation time (UTC, ISO 8601), where a file has one.
QUICKTIME_CREATED = "QuickTime.CreateDate"
_QUICKTIME_EPOCH = datetime(1904, 1, 1)
_MAX_BOXES = 64
_MAX_MOOV = 1 << 20


@dataclass(frozen=True)
class Tag:
    """One metadata value: its text (cut at the first NUL, padding stripped) and, for numbers, its numbers."""

    text: str
    numbers: tuple[float, ...] = ()


def read_tags(path: str | Path, keys: Iterable[str]) -> dict[str, Tag]:
    """The `keys` ("Exif.Photo.DateTimeOriginal", "Xmp.xmp.CreateDate", "Iptc.Application2.DateCreated",
    QUICKTIME_CREATED) that the file at `path` has. A file exiv2 cannot read has none: never fatal."""
    wanted = frozenset(keys)
    found: dict[str, Tag] = {}
    try:
        with _LOCK:
            image = exiv2.ImageFactory.open(str(path))
            image.readMetadata()
            for data in (image.exifData(), image.xmpData(), image.iptcData()):
                # One pass over what the file has (a key lookup costs more than reading a maker note's key).
                found.update((key, _tag(datum)) for datum in data if (key := datum.key()) in wanted
                             and key not in found)
    except Exception as exc:  # exiv2.Exiv2Error, or a value it cannot convert: the photo stays, without them
        log.debug("metadata of %s not read: %s", path, exc)
    if QUICKTIME_CREATED in wanted:
        created = quicktime_created(path)
        if created is not None:
            found[QUICKTIME_CREATED] = Tag(created.isoformat() + "+00:00")
    return found


def _tag(datum) -> Tag:
    numbers: tuple[float, ...] = ()
    kind, count = datum.typeId(), min(datum.count(), _MAX_NUMBERS)
    if kind in _RATIONAL:  # exactly: toFloat goes through a 32-bit float (29.76 seconds of arc -> 29.7600002)
        numbers = tuple(_ratio(*datum.toRational(i)) for i in range(count))
    elif kind in _NUMERIC:
        numbers = tuple(datum.toFloat(i) for i in range(count))
    return Tag(clean_text(datum.toString()), numbers)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


def clean_text(value: str | bytes) -> str:
    """Text as a camera or program meant it: up to the first NUL ("MAVICA\\0 3ghx7y" is "MAVICA"), padding
    stripped, and bytes that are not UTF-8 read as Latin-1 (exiv2 hands them over as surrogate escapes)."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")
    raw = raw.split(b"\x00", 1)[0]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return "".join(ch for ch in text if ch.isprintable()).strip()


def quicktime_created(path: str | Path) -> datetime | None:
    """The creation time (UTC) in the movie header (`moov`/`mvhd`) of an ISO media file such as a HEIF
    sequence; None for any other file, or where it is unset (0), impossible or cannot be read."""
    try:
        with open(path, "rb") as stream:
            if stream.read(8)[4:8] != b"ftyp":
                return None
            moov = _top_level_box(stream, b"moov")
            seconds = _mvhd_created(stream.read(min(moov, _MAX_MOOV))) if moov else None
        return _QUICKTIME_EPOCH + timedelta(seconds=seconds) if seconds else None
    except (OSError, struct.error, IndexError, OverflowError):  # a damaged box, or a time past the year 9999
        return None


def _top_level_box(stream: BinaryIO, wanted: bytes) -> int | None:
    """Seek to the payload of the first top-level box of type `wanted`; its payload size, or None."""
    stream.seek(0)
    for _ in range(_MAX_BOXES):
        header = stream.read(8)
        if len(header) < 8:
            return None
        size, kind = struct.unpack(">I4s", header)
        head = 8
        if size == 1:  # a 64-bit size follows the type
            size, head = struct.unpack(">Q", stream.read(8))[0], 16
        if kind == wanted:
            return None if size == 0 else max(0, size - head)
        if size < head:  # 0: the box runs to the end of the file; less than its header: damaged
            return None
        stream.seek(size - head, 1)
    return None


def _mvhd_created(moov: bytes) -> int | None:
    """Seconds since 1904 in the `mvhd` box among a `moov` payload's children."""
    offset = 0
    while offset + 8 <= len(moov):
        size, kind = struct.unpack_from(">I4s", moov, offset)
        if kind == b"mvhd":
            version = moov[offset + 8]
            return struct.unpack_from(">Q" if version == 1 else ">I", moov, offset + 12)[0]
        if size < 8:
            return None
        offset += size
    return None
