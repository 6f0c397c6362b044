"""Places as a viewer sees them: the countries and cities of their photos, with counts."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import Session

from shoebox.models import Photo
from shoebox.scope import Scope


def places(session: Session, scope: Scope) -> list[dict]:
    """Countries (most photos first), each with its cities (most photos first) and counts."""
    rows = session.execute(
        scope.columns(Photo.country, Photo.country_code, Photo.region, Photo.city, func.count())
        .where(Photo.country.is_not(None))
        .group_by(Photo.country, Photo.country_code, Photo.region, Photo.city)).all()
    countries: dict[str, dict] = {}
    for country, code, region, city, count in rows:
        entry = countries.setdefault(country, {"country": country, "country_code": code, "count": 0, "cities": []})
        entry["count"] += count
        entry["cities"].append({"city": city, "region": region, "count": count})
    for entry in countries.values():
        entry["cities"].sort(key=lambda c: (-c["count"], c["city"] or ""))
    return sorted(countries.values(), key=lambda c: (-c["count"], c["country"]))
