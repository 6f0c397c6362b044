"""The user's corrections of when and where photos were taken, and reading a file's metadata again: what the
user set is theirs, and no later read of the file replaces it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from shoebox.errors import InvalidInput
from shoebox.ids import is_id
from shoebox.media.dates import parse_local
from shoebox.media.metadata import PhotoMetadata
from shoebox.models import Photo, fitted

#: The most photos one bulk edit may change.
MAX_BULK = 5000
#: The furthest a bulk edit may shift dates: a camera clock set to the wrong century.
MAX_SHIFT_SECONDS = 200 * 366 * 24 * 3600
DATE_FIELDS = frozenset({"taken_at", "location"})
#: The date and location fields of a bulk edit (shoebox.library.bulk).
BULK_DATE_FIELDS = frozenset({"taken_at", "shift_seconds", "location"})
_UNSET = object()
#: What the decoder, not the metadata, says about a file: a metadata read leaves them be.
_DECODER_FIELDS = frozenset({"format", "mime_type", "width", "height", "rendition_status"})


@dataclass(frozen=True)
class Correction:
    """What to change in each photo: a date (local time and offset) or a shift, and a location (None: none)."""

    taken_at: tuple[datetime, str | None] | None = None
    shift_seconds: int | None = None
    location: tuple[float, float] | None | object = _UNSET

    @property
    def moves(self) -> bool:
        """Whether the location changes (and with it the place)."""
        return self.location is not _UNSET


def correction(changes: dict) -> Correction:
    """The date and location edits in a request body ("taken_at", "shift_seconds", "location"), checked."""
    if "taken_at" in changes and "shift_seconds" in changes:
        raise InvalidInput("send either taken_at or shift_seconds, not both")
    taken_at = parse_taken_at(changes["taken_at"]) if "taken_at" in changes else None
    shift = parse_shift(changes["shift_seconds"]) if "shift_seconds" in changes else None
    location = parse_location(changes["location"]) if "location" in changes else _UNSET
    return Correction(taken_at, shift, location)


def parse_taken_at(value: object) -> tuple[datetime, str | None]:
    """"2019-07-14T18:30" (local time) or with its offset "2019-07-14T18:30:00+02:00", as (local time, offset)."""
    parsed = parse_local(value) if isinstance(value, str) else None
    if parsed is None:
        raise InvalidInput("taken_at must be a date and time like 2019-07-14T18:30:00, with an optional UTC offset "
                           "from -12:00 to +14:00 (+02:00)", code="invalid_date")
    return parsed


def parse_shift(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_SHIFT_SECONDS:
        raise InvalidInput(f"shift_seconds must be a whole number of seconds, at most {MAX_SHIFT_SECONDS} either way",
                           code="invalid_shift")
    return value


def parse_location(value: object) -> tuple[float, float] | None:
    """{"latitude": 48.85, "longitude": 2.35}, or None (the photo has no location)."""
    if value is None:
        return None
    if isinstance(value, dict) and set(value) == {"latitude", "longitude"}:
        lat, lon = value["latitude"], value["longitude"]
        if all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lon)) \
                and -90 <= lat <= 90 and -180 <= lon <= 180:
            return round(float(lat), 7), round(float(lon), 7)
    raise InvalidInput("location must be null or {\"latitude\": -90..90, \"longitude\": -180..180}",
                       code="invalid_location")


def parse_ids(value: object) -> list[int]:
    """The ids of a bulk edit: distinct, in the order given, at most MAX_BULK."""
    if not isinstance(value, list) or not value or not all(isinstance(i, int) and is_id(i) for i in value):
        raise InvalidInput("ids must be a non-empty list of photo ids", code="invalid_ids")
    ids = list(dict.fromkeys(value))
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"at most {MAX_BULK} photos in one edit", code="too_many_ids")
    return ids


def apply(photo: Photo, change: Correction) -> None:
    """Set the photo's date and location as the user's (checked first: a shift must stay within the calendar)."""
    if change.taken_at is not None:
        photo.taken_at, photo.taken_at_offset = change.taken_at
        photo.taken_at_source = "user"
    if change.shift_seconds is not None:
        photo.taken_at = _shifted(photo.taken_at, change.shift_seconds)
        photo.taken_at_source = "user"
    if change.moves:
        set_location(photo, change.location, "user")


def set_location(photo: Photo, location: tuple[float, float] | None, source: str | None) -> None:
    """Move the photo (its altitude and place go with the old location; the analysis finds the new place)."""
    if location != (photo.gps_latitude, photo.gps_longitude) or location is None:
        photo.gps_altitude = None
        photo.district = photo.city = photo.region = photo.country = photo.country_code = None
    photo.gps_latitude, photo.gps_longitude = location if location is not None else (None, None)
    photo.location_source = source


def _shifted(moment: datetime, seconds: int) -> datetime:
    try:
        return moment + timedelta(seconds=seconds)
    except OverflowError as exc:
        raise InvalidInput(f"shifting {moment.isoformat()} by {seconds} s leaves the calendar",
                           code="invalid_shift") from exc


def refresh_from_file(photo: Photo, meta: PhotoMetadata) -> bool:
    """Take what the file says again (after a better reader came along), except the date and location the user
    set; a date the file does not have keeps the one the photo has. Whether the location changed."""
    fields = {k: v for k, v in meta.as_dict().items() if k not in _DECODER_FIELDS}
    when = (fields.pop("taken_at"), fields.pop("taken_at_offset"), fields.pop("taken_at_source"))
    location = (fields.pop("gps_latitude"), fields.pop("gps_longitude"))
    altitude = fields.pop("gps_altitude")
    for name, value in fitted(Photo, **fields).items():
        setattr(photo, name, value)
    if when[0] is not None and photo.taken_at_source != "user":
        photo.taken_at, photo.taken_at_offset, photo.taken_at_source = when
    if photo.location_source == "user":
        return False
    found = location if location[0] is not None else None
    moved = found != ((photo.gps_latitude, photo.gps_longitude) if photo.gps_latitude is not None else None)
    if moved:
        set_location(photo, found, "exif" if found else None)
    photo.gps_altitude = altitude if found else None
    return moved
