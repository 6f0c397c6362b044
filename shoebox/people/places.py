"""Places as a viewer sees them: the countries and cities of their photos with counts, and a photo's place."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import Session

from shoebox.ai.places import osm_url
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


def place_of(photo: Photo) -> dict | None:
    """A photo's place as the API shows it, with a map link; None when it has none."""
    if not (photo.city or photo.country):
        return None
    link = osm_url(photo.gps_latitude, photo.gps_longitude) if photo.gps_latitude is not None else None
    return {"city": photo.city, "region": photo.region, "country": photo.country,
            "country_code": photo.country_code, "osm_url": link}
