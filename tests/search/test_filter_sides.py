"""Every filter with an index of its own (camera, format, album, date range, favourites, and the tag) gives meaning
search a side to score (`Filters.superset`), alone or intersected with the others: through the saved index the
results are brute force's exact ones, only the filter's photos, never another user's or one in Trash.

Two apps share one data directory, as in test_saved_vector_index: `brute` never builds the index, `indexed` does
from its first search (VECTOR_INDEX_MIN_PHOTOS=1). Carol's 1500 rows, near "a dog in the snow", have every
filter's values too (camera, format, dates, favourite), so a side that forgot the owner would bring them in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import update

from shoebox.ai.registry import clear_cache
from shoebox.models import Photo
from shoebox.search import embedded
from tests.conftest import Account
from tests.search.test_deleted_photos import DOGS
from tests.search.test_saved_vector_index import BIKES, _app, _captioned, _crowd, search, vector_store_plan

FROM, TO = "2020-01-15", "2020-03-01"
QUERY = "q=a dog in the snow"


def _dog_values(n: int) -> dict:
    """Dog n's camera (the last one: a make without a model), format, date taken and favourite."""
    canon = n % 2 == 0 or n == len(DOGS) - 1
    return dict(camera_make="Canon" if canon else "Nikon",
                camera_model=None if n == len(DOGS) - 1 else "Canon EOS R5" if canon else "Nikon Z6",
                format="HEIC" if n % 3 == 0 else "JPEG", favourite=n % 4 == 0,
                taken_at=datetime(2020, 1, 1) + timedelta(days=10 * n))


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """alice's twelve dogs (cameras, formats, dates, favourites set; one in Trash; some in an album) and three
    bicycles, carol's 1500 rows with the same values, served by a brute-force app and an indexed one."""
    clear_cache()
    data_dir = tmp_path_factory.mktemp("filter-sides")
    brute = _app(data_dir, 0)
    alice, carol = Account(brute, "alice@example.com"), Account(brute, "carol@example.com")
    dogs = _captioned(alice, DOGS, "dog", 0)
    bikes = _captioned(alice, BIKES, "bike", 100)
    carol_id = carol.tokens["user"]["id"]
    _crowd(brute, carol_id, "a dog in the snow")
    values = {photo_id: _dog_values(n) for n, photo_id in enumerate(dogs)}
    with brute.extensions["db"].transaction() as session:
        for photo_id, row in values.items():
            session.execute(update(Photo).where(Photo.id == photo_id).values(**row))
        session.execute(update(Photo).where(Photo.user_id == carol_id).values(**_dog_values(0)))
    album = alice.post("/api/albums", json={"name": "Walks", "ids": [*dogs[::3], bikes[0]]}).json["id"]
    trashed = dogs[2]
    assert alice.delete(f"/api/photos/{trashed}").status_code == 204
    indexed = _app(data_dir, 1)
    search(indexed, alice, QUERY)  # builds the saved index (on SQLite)
    yield brute, indexed, alice, carol, dict(values=values, dogs=dogs, bikes=bikes, album=album, trashed=trashed)
    for app in (brute, indexed):
        app.extensions["db"].dispose()


def _expected(facts: dict, query: str) -> set[int]:
    """The photos of alice's library (not in Trash) that the filters in `query` let through."""
    params = dict(part.split("=", 1) for part in query.split("&"))
    wanted = set(facts["dogs"]) | set(facts["bikes"])
    checks = {
        "camera": lambda v, p: "canon" in f"{v['camera_make']} {v['camera_model']}".lower(),
        "format": lambda v, p: v["format"] == "HEIC",
        "from": lambda v, p: v["taken_at"] >= datetime.fromisoformat(p["from"]),
        "to": lambda v, p: v["taken_at"] < datetime.fromisoformat(p["to"]) + timedelta(days=1),
        "favourite": lambda v, p: v["favourite"],
    }
    for name, check in checks.items():
        if name in params:
            wanted = {i for i in wanted if i in facts["values"] and check(facts["values"][i], params)}
    if "album" in params:
        wanted &= {*facts["dogs"][::3], facts["bikes"][0]}
    return wanted - {facts["trashed"]}


FILTERS = ["camera=canon", "format=heic", "album={album}", f"from={FROM}&to={TO}", "favourite=true",
           "camera=canon&format=heic", f"camera=canon&from={FROM}&to={TO}", "album={album}&camera=canon",
           "tag=dog&camera=canon&favourite=true", f"album={{album}}&format=heic&from={FROM}",
           f"favourite=true&from={FROM}", f"tag=dog&from={FROM}&to={TO}"]


@pytest.mark.parametrize("filters", FILTERS)
def test_a_filtered_search_through_its_side_answers_as_brute_force_does(library, monkeypatch, filters):
    """Exact, even with a graph that proposes nothing: every photo of the side is scored."""
    brute, indexed, alice, _carol, facts = library
    filters = filters.format(album=facts["album"])
    monkeypatch.setattr(embedded.AnnFile, "search", lambda self, query, count: (np.empty(0, np.int64),
                                                                                 np.empty(0, np.float32)))
    found = search(indexed, alice, f"{QUERY}&{filters}")
    assert found == search(brute, alice, f"{QUERY}&{filters}")
    assert found and {photo_id for photo_id, _ in found} <= _expected(facts, filters)


@pytest.mark.parametrize("filters", ["camera=canon", "format=heic", f"from={FROM}&to={TO}", "favourite=true"])
def test_a_filtered_search_never_returns_a_photo_in_trash(library, filters):
    _brute, indexed, alice, _carol, facts = library
    found = {photo_id for photo_id, _ in search(indexed, alice, f"{QUERY}&{filters}")}
    assert facts["trashed"] not in found


def test_another_users_album_finds_nothing(library):
    """carol names alice's album: its photos are in the album's side, and none of them is hers to see."""
    _brute, indexed, _alice, carol, facts = library
    assert search(indexed, carol, f"{QUERY}&album={facts['album']}") == []
    assert search(indexed, carol, f"{QUERY}&album={facts['album']}&camera=canon") == []


@pytest.mark.embedded_only(reason="carol's rows are inserted as SQL rows, without PostgreSQL's pgvector column")
def test_a_filtered_search_of_carol_finds_only_her_photos(library):
    """carol's own camera filter: alice's Canon dogs are in no side of hers (the camera's side is the owner's)."""
    _brute, indexed, _alice, carol, facts = library
    found = {photo_id for photo_id, _ in search(indexed, carol, f"{QUERY}&camera=canon&format=heic")}
    assert found and not found & set(facts["dogs"])


WALK = re.compile(r"^(SCAN photos|SEARCH photos USING (COVERING )?INDEX \w+ \(user_id=\?\))")


@pytest.mark.embedded_only(reason="reads SQLite's query plans")
@pytest.mark.parametrize("filters", ["camera=canon", "album={album}", "format=heic&camera=canon"])
def test_a_filtered_meaning_search_never_walks_the_owners_photos(library, monkeypatch, filters):
    """The camera's, format's and album's photos come from their own indexes and the best are checked by primary
    key: no statement of the vector store walks the owner's photos (a camera filter listed them through the
    owner's whole index: 0.3 s at a million photos)."""
    _brute, indexed, alice, _carol, facts = library
    steps = vector_store_plan(monkeypatch, indexed, alice, f"{QUERY}&{filters.format(album=facts['album'])}")
    assert steps and not [step for step in steps if WALK.match(step)], steps
