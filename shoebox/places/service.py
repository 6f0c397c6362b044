"""Places as a viewer sees them: the countries, cities and districts of their photos, with counts."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import Session

from shoebox.models import Photo
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
