"""Places as a viewer sees them: the countries, cities and districts of their photos, with counts; and where on
the map their photos were taken."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Integer, case, cast, func
from sqlalchemy.orm import Session

from shoebox.models import Photo
from shoebox.places.areas import WORLD, Bbox
from shoebox.scope import Scope


def places(session: Session, scope: Scope) -> list[dict]:
    """Countries (most photos first), each with its cities (most photos first), each with its districts (most
    photos first; a photo taken nearest the city's own centre has none) and counts."""
    rows = session.execute(
        scope.columns(Photo.country, Photo.country_code, Photo.region, Photo.city, Photo.district, func.count())
        .where(Photo.country.is_not(None))
        .group_by(Photo.country, Photo.country_code, Photo.region, Photo.city, Photo.district)).all()
    countries: dict[str, dict] = {}
    for country, code, region, city, district, count in rows:
        entry = countries.setdefault(country, {"country": country, "country_code": code, "count": 0, "cities": {}})
        entry["count"] += count
        town = entry["cities"].setdefault((region, city), {"city": city, "region": region, "count": 0,
                                                           "districts": []})
        town["count"] += count
        if district:
            town["districts"].append({"district": district, "count": count})
    for entry in countries.values():
        entry["cities"] = sorted(entry["cities"].values(), key=lambda c: (-c["count"], c["city"] or ""))
        for town in entry["cities"]:
            town["districts"].sort(key=lambda d: (-d["count"], d["district"]))
    return sorted(countries.values(), key=lambda c: (-c["count"], c["country"]))


# -- the map ------------------------------------------------------------------------------------------------
#: Photos the map gets one by one (a marker each, clustered in the browser) unless it asks for fewer; above it,
#: a grid of counts. The browser's clustering stays smooth up to some tens of thousands of markers.
MAP_POINTS = 10_000
MAX_MAP_POINTS = 50_000
#: Cells across the asked area, each way, when it holds too many photos to send one by one.
GRID = 48


class MapPoint(NamedTuple):
    """A photo on the map: what a marker and its popup's thumbnail need, and nothing more."""

    id: int
    lat: float
    lon: float
    sha256: str


@dataclass(frozen=True)
class MapCell:
    """A cell of the grid the map gets instead of single photos: how many, where (their mean, and the box around
    them), and one of them (the newest added) to show."""

    lat: float
    lon: float
    count: int
    bbox: Bbox
    photo_id: int
    sha256: str


@dataclass(frozen=True)
class MapView:
    total: int
    points: list[MapPoint]
    cells: list[MapCell]


def map_view(session: Session, scope: Scope, bbox: Bbox | None, limit: int) -> MapView:
    """The viewer's photos with GPS inside `bbox` (the whole map when None): each one when there are at most
    `limit`, else counted in a GRID x GRID grid over the area (what the map shows zoomed out over a big library)."""
    area = bbox or WORLD
    located = scope.narrow(area.contains())
    total = session.scalar(located.columns(func.count())) or 0
    if total <= limit:
        rows = session.execute(located.columns(Photo.id, Photo.gps_latitude, Photo.gps_longitude, Photo.sha256)
                               .order_by(Photo.id))
        return MapView(total, [MapPoint(*row) for row in rows], [])
    return MapView(total, [], _cells(session, located, area))


def _cells(session: Session, located: Scope, area: Bbox) -> list[MapCell]:
    """The grid's non-empty cells, most photos first: one GROUP BY over the area's photos (the covering index
    ix_photos_user_gps holds every column it reads), then the versions of one photo per cell."""
    # Across the antimeridian, longitudes west of the area's start are counted 360 degrees further east.
    lon = case((Photo.gps_longitude < area.west, Photo.gps_longitude + 360), else_=Photo.gps_longitude) \
        if area.crosses_antimeridian else Photo.gps_longitude
    # CAST truncates on SQLite and rounds on PostgreSQL: either way one cell per (row, column), which is all a
    # grid needs (the cell's box is its photos' own extent, not the grid line).
    row = cast((Photo.gps_latitude - area.south) / max(area.height / GRID, 1e-9), Integer)
    column = cast((lon - area.west) / max(area.width / GRID, 1e-9), Integer)
    groups = session.execute(located.columns(
        func.count(), func.avg(Photo.gps_latitude), func.avg(lon), func.min(Photo.gps_latitude), func.min(lon),
        func.max(Photo.gps_latitude), func.max(lon), func.max(Photo.id)).group_by(row, column)).all()
    shown = dict(session.execute(located.columns(Photo.id, Photo.sha256)
                                 .where(Photo.id.in_([group[-1] for group in groups]))).all())
    cells = [MapCell(lat, _wrap(mean_lon), count, Bbox(_wrap(west), south, _wrap(east), north), newest, shown[newest])
             for count, lat, mean_lon, south, west, north, east, newest in groups if newest in shown]
    return sorted(cells, key=lambda cell: (-cell.count, cell.photo_id))


def _wrap(lon: float) -> float:
    """A longitude counted past 180 (across the antimeridian) back into -180..180."""
    return lon - 360 if lon > 180 else lon
