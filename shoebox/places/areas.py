"""Areas on the map: a bounding box (`bbox=west,south,east,north`, as GeoJSON writes one) as a condition on where
photos were taken. Read by the search filters (the grid of a map cluster) and by the map's points."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_

from shoebox.errors import InvalidInput
from shoebox.models import Photo

_FORMAT = "bbox must be west,south,east,north in degrees (longitudes -180 to 180, latitudes -90 to 90, south <= north)"


@dataclass(frozen=True)
class Bbox:
    """An area in degrees; west > east is one that crosses the antimeridian (from 170 to -170 is 20 degrees wide)."""

    west: float
    south: float
    east: float
    north: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east

    @property
    def width(self) -> float:
        """Degrees of longitude covered, across the antimeridian where it crosses it."""
        return self.east - self.west + (360 if self.crosses_antimeridian else 0)

    @property
    def height(self) -> float:
        return self.north - self.south

    def contains(self) -> ColumnElement[bool]:
        """A condition on Photo: taken inside this area (edges included); a photo without GPS never is."""
        inside = [Photo.gps_latitude >= self.south, Photo.gps_latitude <= self.north]
        if self.crosses_antimeridian:
            inside.append(or_(Photo.gps_longitude >= self.west, Photo.gps_longitude <= self.east))
        else:
            inside += [Photo.gps_longitude >= self.west, Photo.gps_longitude <= self.east]
        return and_(*inside)

    def as_list(self) -> list[float]:
        return [self.west, self.south, self.east, self.north]


#: The whole map (what the map asks for with no bbox).
WORLD = Bbox(-180.0, -90.0, 180.0, 90.0)


def parse_bbox(value: str | None) -> Bbox | None:
    """`west,south,east,north` in degrees, or None when absent; anything else is a 400."""
    text = (value or "").strip()
    if not text:
        return None
    parts = text.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise InvalidInput(_FORMAT, code="invalid_parameter") from None
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise InvalidInput(_FORMAT, code="invalid_parameter")
    west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidInput(_FORMAT, code="invalid_parameter")
    return Bbox(west, south, east, north)
