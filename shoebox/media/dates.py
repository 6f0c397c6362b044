"""When a photo was taken, from the first of its metadata that has a real date, and which that was.

The order (as exiftool-minded photo managers use it): EXIF DateTimeOriginal, EXIF CreateDate
(DateTimeDigitized), XMP (exif:DateTimeOriginal, xmp:CreateDate, photoshop:DateCreated), IPTC date and time
created, the QuickTime movie header (HEIF sequences), and last the EXIF/XMP modify date, which editing software
rewrites. A blank placeholder ("    :  :     :  :  ", "0000:00:00 00:00:00") is no date. The caller falls back
to the file's own modified time, then to the upload time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from shoebox.media.tags import QUICKTIME_CREATED, Tag

_EXIF_DATE = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
#: ISO 8601 as XMP writes it: a year, year-month, date, or date and time (seconds and fraction optional).
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                       r"(Z|[+-]\d{2}:?\d{2})?)?)?)?$")
_ISO_TIME = re.compile(r"^(\d{2}):?(\d{2}):?(\d{2})(Z|[+-]\d{2}:?\d{2})?$")
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")

#: (source, date key, key of its UTC offset): the first with a real date wins.
_EXIF_FIRST = (
    ("exif", "Exif.Photo.DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal"),
    ("exif", "Exif.Image.DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal"),
    ("exif", "Exif.Photo.DateTimeDigitized", "Exif.Photo.OffsetTimeDigitized"),
)
_XMP = ("Xmp.exif.DateTimeOriginal", "Xmp.xmp.CreateDate", "Xmp.photoshop.DateCreated")
_IPTC_DATE, _IPTC_TIME = "Iptc.Application2.DateCreated", "Iptc.Application2.TimeCreated"
_MODIFIED_EXIF, _MODIFIED_XMP = "Exif.Image.DateTime", "Xmp.xmp.ModifyDate"
_ANY_OFFSET = "Exif.Photo.OffsetTime"

#: Every key the date is read from, for media.tags.read_tags.
DATE_KEYS = (*(key for _, key, _ in _EXIF_FIRST), *(offset for _, _, offset in _EXIF_FIRST), *_XMP, _IPTC_DATE,
             _IPTC_TIME, QUICKTIME_CREATED, _MODIFIED_EXIF, _MODIFIED_XMP, _ANY_OFFSET)
#: Where a photo's date came from: its metadata (these), the file's modified time ("file"), the upload time
#: ("upload"), or the user ("user"). "modify" is the EXIF/XMP modify date: when software last saved the file.
METADATA_SOURCES = ("exif", "xmp", "iptc", "qt", "modify")
SOURCES = (*METADATA_SOURCES, "file", "upload", "user")


@dataclass(frozen=True)
class Taken:
    """A local wall-clock time, its UTC offset ("+02:00") where known, and where it came from."""

    at: datetime
    offset: str | None
    source: str


def taken(tags: dict[str, Tag]) -> Taken | None:
    """The date the photo was taken, from the first of its metadata that has one; None if none has."""
    for source, key, offset_key in _EXIF_FIRST:
        found = exif_date(tags.get(key))
        if found:
            return Taken(found, utc_offset(_text(tags, offset_key) or _text(tags, _ANY_OFFSET)), source)
    for key in _XMP:
        found = _iso(_text(tags, key))
        if found:
            return Taken(*found, "xmp")
    found = _iptc(_text(tags, _IPTC_DATE), _text(tags, _IPTC_TIME))
    if found:
        return Taken(*found, "iptc")
    found = _iso(_text(tags, QUICKTIME_CREATED))
    if found:
        return Taken(*found, "qt")
    modified = exif_date(tags.get(_MODIFIED_EXIF))
    if modified:
        return Taken(modified, utc_offset(_text(tags, _ANY_OFFSET)), "modify")
    found = _iso(_text(tags, _MODIFIED_XMP))
    return Taken(*found, "modify") if found else None


def exif_date(tag: Tag | None) -> datetime | None:
    """"2023:07:14 18:32:05" as a datetime; None for a blank or impossible one ("0000:00:00 00:00:00")."""
    match = _EXIF_DATE.match(tag.text if tag else "")
    return _datetime(*map(int, match.groups())) if match else None


def utc_offset(text: str | None) -> str | None:
    """A UTC offset "+HH:MM" that exists on Earth: -12:00 to +14:00, minutes 00 to 59 ("+99:99" is dropped);
    "Z" is "+00:00"."""
    if text == "Z":
        return "+00:00"
    match = _OFFSET.match(text or "")
    if not match:
        return None
    sign, hours, minutes = match.groups()
    total = (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1)
    return f"{sign}{hours}:{minutes}" if int(minutes) < 60 and -12 * 60 <= total <= 14 * 60 else None


def parse_local(text: str) -> tuple[datetime, str | None] | None:
    """An ISO 8601 date or date and time as a user or XMP writes it ("2021-05-30T14:22", "2021-05-30T14:22:01+02:00",
    "2021-05"), as a local time and its offset; None if it is not one."""
    return _iso(text.strip())


def as_local(moment: datetime) -> tuple[datetime, str | None]:
    """A datetime as Shoebox keeps it: the naive local wall-clock time and, if `moment` knows it, its offset."""
    delta = moment.utcoffset()
    if delta is None:
        return moment.replace(microsecond=0), None
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return moment.replace(tzinfo=None, microsecond=0), f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _text(tags: dict[str, Tag], key: str) -> str | None:
    tag = tags.get(key)
    return tag.text if tag else None


def _iso(text: str | None) -> tuple[datetime, str | None] | None:
    match = _ISO_DATE.match(text or "")
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    found = _datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0))
    if found is None or (offset and utc_offset(offset) is None):
        return None
    return found, utc_offset(offset) if offset else None


def _iptc(day: str | None, clock: str | None) -> tuple[datetime, str | None] | None:
    """IPTC's date ("2020-03-04", or "20200304" as stored) and optional time ("10:11:12+01:00")."""
    found = _iso(f"{day[:4]}-{day[4:6]}-{day[6:]}" if day and day.isdigit() and len(day) == 8 else day)
    if found is None:
        return None
    match = _ISO_TIME.match(clock or "")
    if not match:
        return found[0], None
    hour, minute, second, offset = match.groups()
    try:
        moment = datetime.combine(date(found[0].year, found[0].month, found[0].day),
                                  time(int(hour), int(minute), int(second)))
    except ValueError:
        return found[0], None
    return moment, utc_offset(offset) if offset else None


def _datetime(*parts: int) -> datetime | None:
    try:
        return datetime(*parts)
    except ValueError:  # "0000:00:00 00:00:00" and other impossible dates
        return None
