"""What a photo file says about itself: format, size, dimensions, date taken, camera and GPS (EXIF, XMP, IPTC
and the QuickTime header, read by exiv2 through media.tags)."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import exiv2
from PIL import Image

from shoebox.media.dates import DATE_KEYS, taken
from shoebox.media.tags import EXIV2_LOCK, Tag, read_tags

log = logging.getLogger(__name__)

_MAKE = ("Exif.Image.Make", "Xmp.tiff.Make")
_MODEL = ("Exif.Image.Model", "Xmp.tiff.Model")
_LENS = ("Exif.Photo.LensModel", "Xmp.aux.Lens", "Xmp.exifEX.LensModel")
_EXPOSURE = ("Exif.Photo.ExposureTime", "Exif.Photo.FNumber", "Exif.Photo.ISOSpeedRatings", "Exif.Photo.FocalLength")
_GPS = ("Exif.GPSInfo.GPSLatitude", "Exif.GPSInfo.GPSLatitudeRef", "Exif.GPSInfo.GPSLongitude",
        "Exif.GPSInfo.GPSLongitudeRef", "Exif.GPSInfo.GPSAltitude", "Exif.GPSInfo.GPSAltitudeRef")
_ORIENTATION = "Exif.Image.Orientation"
#: Every key Shoebox reads from a file.
KEYS = (*_MAKE, *_MODEL, *_LENS, *_EXPOSURE, *_GPS, _ORIENTATION, *DATE_KEYS)


@dataclass
class PhotoMetadata:
    format: str
    mime_type: str
    width: int
    height: int
    taken_at: datetime | None = None
    taken_at_offset: str | None = None
    #: Which metadata the date came from (media.dates.METADATA_SOURCES); None with no date.
    taken_at_source: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    exposure_time: str | None = None
    f_number: float | None = None
    iso: int | None = None
    focal_length: float | None = None
    orientation: int | None = None
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    gps_altitude: float | None = None
    #: "video" for a clip (media.video), with its length, codec, frames a second, and "queued" as its rendition
    #: status where browsers cannot play it as it is.
    media_type: str = "image"
    duration_ms: int | None = None
    video_codec: str | None = None
    frame_rate: float | None = None
    rendition_status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_metadata(image: Image.Image, format_name: str, mime_type: str) -> PhotoMetadata:
    """Metadata of an opened (not necessarily decoded) image of the given format (its entry in
    media.formats), read from the file it was opened from; bad fields are skipped, never fatal."""
    meta = PhotoMetadata(format=format_name, mime_type=mime_type, width=image.width, height=image.height)
    path = getattr(image, "filename", None)
    if path:
        try:
            apply_tags(read_file_tags(path), meta)
        except Exception:  # a value no rule here foresaw: the photo is kept without the rest, never refused
            log.warning("metadata of %s read in part only", path, exc_info=True)
    return meta


def read_file_tags(path: str | Path) -> dict[str, Tag]:
    """The metadata Shoebox reads, from the file at `path` (for a reader that has no Pillow image of it)."""
    return read_tags(path, KEYS)


def apply_tags(tags: dict[str, Tag], meta: PhotoMetadata) -> None:
    """Fill `meta` from a file's tags (media.tags.read_tags of KEYS)."""
    meta.camera_make = _first_text(tags, _MAKE)
    meta.camera_model = _first_text(tags, _MODEL)
    meta.lens = _first_text(tags, _LENS)
    exposure, f_number, iso, focal_length = (_number(tags, key) for key in _EXPOSURE)
    meta.exposure_time = _exposure(exposure)
    meta.f_number = _round(f_number)
    meta.iso = int(iso) if iso is not None and 0 < iso < 2**31 else None  # a 32-bit LONG may not fit INTEGER
    meta.focal_length = _round(focal_length)
    orientation = _number(tags, _ORIENTATION)
    meta.orientation = int(orientation) if orientation is not None and 1 <= orientation <= 8 else None
    when = taken(tags)
    if when:
        meta.taken_at, meta.taken_at_offset, meta.taken_at_source = when.at, when.offset, when.source
    _read_gps(tags, meta)


def _read_gps(tags: dict[str, Tag], meta: PhotoMetadata) -> None:
    lat = _degrees(tags.get(_GPS[0]), _first_text(tags, _GPS[1:2]), "S")
    lon = _degrees(tags.get(_GPS[2]), _first_text(tags, _GPS[3:4]), "W")
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        meta.gps_latitude, meta.gps_longitude = round(lat, 7), round(lon, 7)
    altitude = _number(tags, _GPS[4])
    if altitude is not None:
        below_sea = _number(tags, _GPS[5]) == 1
        meta.gps_altitude = round(-altitude if below_sea else altitude, 2)


def _first_text(tags: dict[str, Tag], keys: tuple[str, ...]) -> str | None:
    """The first of `keys` with any text (media.tags already cut it at its first NUL and stripped it)."""
    for key in keys:
        tag = tags.get(key)
        if tag and tag.text:
            return tag.text  # cut to its column's length where it is stored
    return None


def _number(tags: dict[str, Tag], key: str) -> float | None:
    tag = tags.get(key)
    return _finite(tag.numbers[0]) if tag and tag.numbers else None


def _finite(value: float) -> float | None:
    return value if value == value and abs(value) != float("inf") else None


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None and value > 0 else None


def _exposure(seconds: float | None) -> str | None:
    if seconds is None or not 1e-6 <= seconds <= 1e6:  # a microsecond to 11 days: anything else is garbage
        return None
    if seconds >= 1:
        return f"{round(seconds, 4):g}"
    return f"1/{round(1 / seconds)}" if (1 / seconds) >= 1.5 else str(Fraction(seconds).limit_denominator(10000))


def _degrees(tag: Tag | None, ref: str | None, negative: str) -> float | None:
    if tag is None or len(tag.numbers) != 3 or any(_finite(part) is None for part in tag.numbers):
        return None
    degrees, minutes, seconds = tag.numbers
    value = degrees + minutes / 60 + seconds / 3600
    return -value if ref == negative else value


# -- location removed, for a copy handed to someone else ---------------------------------------------------------
#: Keys (EXIF with maker notes, XMP, IPTC) that say where a photo was taken: GPS of any vendor, and place names
#: (photoshop:City, Iptc4xmpCore:Location, Iptc4xmpExt:LocationShown, IPTC City, Sub-location, Country ...).
#: Broad on purpose: removing one harmless field is better than leaving one that gives a home address away.
_LOCATION_KEY = re.compile(r"gps|latitude|longitude|altitude|location|city|country|province|state\b", re.I)
_METADATA = (exiv2.MetadataId.Exif, exiv2.MetadataId.Xmp, exiv2.MetadataId.Iptc)
#: exiv2 can rewrite it, or the format cannot hold it at all.
_WRITABLE = {exiv2.AccessMode.amReadWrite, exiv2.AccessMode.amWrite, exiv2.AccessMode.amNone}
#: Formats whose files `without_location` can clean (exiv2 rewrites their metadata, or they hold none); others
#: (HEIF, AVIF, JPEG XL, GIF, RAW) are read-only to exiv2, so a copy without the location cannot be made.
LOCATION_REMOVABLE = frozenset({"JPEG", "PNG", "WEBP", "TIFF", "BMP"})


def without_location(data: bytes) -> bytes | None:
    """The bytes of a photo file with every GPS and place field of its EXIF, XMP and IPTC removed, pixels untouched;
    None when exiv2 cannot rewrite the format or the result still says where (the caller must not send it)."""
    try:
        with EXIV2_LOCK:
            image = exiv2.ImageFactory.open(data)
            image.readMetadata()
            if any(image.checkMode(kind) not in _WRITABLE for kind in _METADATA):
                return None
            if not _erase_location(image):
                return data
            image.writeMetadata()
            cleaned = bytes(image.io().mmap())
    except Exception as exc:  # exiv2.Exiv2Error, or a value it cannot convert: no safe copy
        log.warning("location not removed from a shared copy: %s", exc)
        return None
    return cleaned if not location_keys(cleaned) else None


def location_keys(data: bytes) -> list[str]:
    """The location keys a file's metadata still has (what `without_location` removes)."""
    with EXIV2_LOCK:
        image = exiv2.ImageFactory.open(data)
        image.readMetadata()
        return [key for block in (image.exifData(), image.xmpData(), image.iptcData())
                for datum in block if _LOCATION_KEY.search(key := datum.key())]


def _erase_location(image) -> int:
    """Remove the location keys from an opened image's metadata; how many there were."""
    removed = 0
    for block, make_key in ((image.exifData(), exiv2.ExifKey), (image.xmpData(), exiv2.XmpKey),
                            (image.iptcData(), exiv2.IptcKey)):
        for key in [datum.key() for datum in block if _LOCATION_KEY.search(datum.key())]:
            found = block.findKey(make_key(key))
            if found != block.end():
                block.erase(found)
                removed += 1
    return removed
