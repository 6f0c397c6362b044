"""What a photo file says about itself: format, size, dimensions, date taken, camera and GPS (EXIF)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from PIL import ExifTags, Image

from shoebox.media.decoding import exif_of

_IFD = ExifTags.IFD
_TAG = ExifTags.Base
_GPS = ExifTags.GPS
_EXIF_DATE = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


@dataclass
class PhotoMetadata:
    format: str
    mime_type: str
    width: int
    height: int
    taken_at: datetime | None = None
    taken_at_offset: str | None = None
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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_metadata(image: Image.Image, format_name: str, mime_type: str) -> PhotoMetadata:
    """Metadata of an opened (not necessarily decoded) image of the given format (its entry in
    media.formats); bad EXIF fields are skipped, never fatal."""
    meta = PhotoMetadata(format=format_name, mime_type=mime_type, width=image.width, height=image.height)
    exif = exif_of(image)
    if exif:
        _read_exif(exif, meta)
    return meta


def _read_exif(exif: Image.Exif, meta: PhotoMetadata) -> None:
    details = _safe_ifd(exif, _IFD.Exif)
    meta.camera_make = _text(exif.get(_TAG.Make))
    meta.camera_model = _text(exif.get(_TAG.Model))
    meta.orientation = _int(exif.get(_TAG.Orientation))
    meta.lens = _text(details.get(_TAG.LensModel))
    meta.exposure_time = _exposure(details.get(_TAG.ExposureTime))
    meta.f_number = _float(details.get(_TAG.FNumber))
    meta.iso = _int(details.get(_TAG.ISOSpeedRatings))
    meta.focal_length = _float(details.get(_TAG.FocalLength))
    meta.taken_at = _date(details.get(_TAG.DateTimeOriginal) or exif.get(_TAG.DateTime))
    meta.taken_at_offset = _offset(details.get(_TAG.OffsetTimeOriginal) or details.get(_TAG.OffsetTime))
    _read_gps(_safe_ifd(exif, _IFD.GPSInfo), meta)


def _read_gps(gps: dict, meta: PhotoMetadata) -> None:
    lat = _degrees(gps.get(_GPS.GPSLatitude), gps.get(_GPS.GPSLatitudeRef), "S")
    lon = _degrees(gps.get(_GPS.GPSLongitude), gps.get(_GPS.GPSLongitudeRef), "W")
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        meta.gps_latitude, meta.gps_longitude = round(lat, 7), round(lon, 7)
    altitude = _float(gps.get(_GPS.GPSAltitude))
    if altitude is not None:
        below_sea = gps.get(_GPS.GPSAltitudeRef) in (1, b"\x01")
        meta.gps_altitude = round(-altitude if below_sea else altitude, 2)


def _safe_ifd(exif: Image.Exif, ifd: int) -> dict:
    try:
        return dict(exif.get_ifd(ifd))
    except Exception:
        return {}


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if value is None:
        return None
    cleaned = str(value).replace("\x00", "").strip()
    return cleaned or None  # cut to its column's length where it is stored


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return round(number, 4) if number == number and abs(number) != float("inf") else None


def _int(value: Any) -> int | None:
    if isinstance(value, tuple | list):
        value = value[0] if value else None
    number = _float(value)
    return int(number) if number is not None else None


def _exposure(value: Any) -> str | None:
    seconds = _float(value)
    if seconds is None or seconds <= 0:
        return None
    if seconds >= 1:
        return f"{seconds:g}"
    return f"1/{round(1 / seconds)}" if (1 / seconds) >= 1.5 else str(Fraction(seconds).limit_denominator(10000))


def _date(value: Any) -> datetime | None:
    match = _EXIF_DATE.match(_text(value) or "")
    if not match:
        return None
    try:
        return datetime(*map(int, match.groups()))
    except ValueError:  # "0000:00:00 00:00:00" and other impossible dates
        return None


def _offset(value: Any) -> str | None:
    """A UTC offset "+HH:MM" that exists on Earth: -12:00 to +14:00, minutes 00 to 59 ("+99:99" is dropped)."""
    match = _OFFSET.match(_text(value) or "")
    if not match:
        return None
    sign, hours, minutes = match.groups()
    total = (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1)
    return match.group(0) if int(minutes) < 60 and -12 * 60 <= total <= 14 * 60 else None


def _degrees(dms: Any, ref: Any, negative: str) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    return -value if _text(ref) == negative else value
