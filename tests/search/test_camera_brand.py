"""A camera filter given as a brand ("leica") lets through the photos whose make or model holds it. Meaning search
through the saved index reads only the parts of the camera's side that can hold a photo the other part lacks (the
makes' or the models', by the (make, model) pairs the library's photos have): its results stay brute force's exact
ones whether the brand is in the make alone, the model alone, both, or in a model whose make says otherwise or is
missing.

Two apps share one data directory, as in test_saved_vector_index: `brute` never builds the index, `indexed` does
from its first search (VECTOR_INDEX_MIN_PHOTOS=1)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import update

from shoebox.ai.registry import clear_cache
from shoebox.models import Photo
from shoebox.search import embedded
from tests.conftest import Account
from tests.search.test_deleted_photos import DOGS
from tests.search.test_saved_vector_index import _app, _captioned, search, vector_store_plan

QUERY = "q=a dog in the snow"
#: (make, model) of each dog in turn.
CAMERAS = [
    ("Leica Camera AG", "LEICA Q2"),  # "leica" in both
    (None, "Leica M11"),  # in the model alone, no make
    ("Panasonic", "Leica D-Lux 7"),  # in the model alone, another make
    ("Leica", "Q3"),  # in the make alone
    ("Nikon", "Nikon Z6"),  # every Nikon has it in both
    ("Canon", None),  # a make without a model
]
#: The dog in Trash: the only "Sony" whose model says "Leica" (the kept pairs count the library alone).
TRASHED = ("Sony", "Leica-mount A7")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """alice's twelve dogs with the cameras above in turn, and one more in Trash, served by a brute-force app and an
    indexed one."""
    clear_cache()
    data_dir = tmp_path_factory.mktemp("camera-brand")
    brute = _app(data_dir, 0)
    alice = Account(brute, "alice@example.com")
    dogs = _captioned(alice, [*DOGS, "a dog in the snow by a camera bag"], "dog", 0)
    cameras = {photo_id: CAMERAS[n % len(CAMERAS)] for n, photo_id in enumerate(dogs[:-1])}
    cameras[dogs[-1]] = TRASHED
    with brute.extensions["db"].transaction() as session:
        for photo_id, (make, model) in cameras.items():
            session.execute(update(Photo).where(Photo.id == photo_id).values(camera_make=make, camera_model=model))
    assert alice.delete(f"/api/photos/{dogs[-1]}").status_code == 204
    indexed = _app(data_dir, 1)
    search(indexed, alice, QUERY)  # builds the saved index (on SQLite)
    yield brute, indexed, alice, cameras, dogs[-1]
    for app in (brute, indexed):
        app.extensions["db"].dispose()


def _matching(cameras: dict, text: str) -> set[int]:
    return {photo_id for photo_id, pair in cameras.items() if any(text in (value or "").lower() for value in pair)}


@pytest.mark.parametrize("camera", ["leica", "lux", "q3", "panasonic", "nikon", "canon", "LEICA Q2", "sony"])
def test_a_camera_filter_finds_what_brute_force_finds_by_make_or_model(library, monkeypatch, camera):
    """Exact, even with a graph that proposes nothing: every photo of the parts read is scored."""
    brute, indexed, alice, cameras, trashed = library
    monkeypatch.setattr(embedded.AnnFile, "search", lambda self, query, count: (np.empty(0, np.int64),
                                                                                 np.empty(0, np.float32)))
    found = search(indexed, alice, f"{QUERY}&camera={camera}")
    assert found == search(brute, alice, f"{QUERY}&camera={camera}")
    assert {photo_id for photo_id, _ in found} == _matching(cameras, camera.lower()) - {trashed}


@pytest.mark.parametrize("camera", ["leica", "lux", "nikon"])
def test_a_camera_filter_with_a_tag_finds_what_brute_force_finds(library, camera):
    """With a tag the camera's side is checked against the scope: the same photos, in the same order."""
    brute, indexed, alice, cameras, trashed = library
    found = search(indexed, alice, f"{QUERY}&camera={camera}&tag=dog")
    assert found == search(brute, alice, f"{QUERY}&camera={camera}&tag=dog")
    assert {photo_id for photo_id, _ in found} == _matching(cameras, camera) - {trashed}


@pytest.mark.embedded_only(reason="reads SQLite's query plans")
@pytest.mark.parametrize(("camera", "read"), [
    ("nikon", {"ix_photos_user_make"}),  # every Nikon model's photo has the make: the makes' part is enough
    ("canon", {"ix_photos_user_make"}),
    ("lux", {"ix_photos_user_camera"}),
    ("leica", {"ix_photos_user_make", "ix_photos_user_camera"}),  # some match by model alone, some by make alone
])
def test_a_camera_filter_reads_only_the_parts_that_add_photos(library, monkeypatch, camera, read):
    """At a million photos each part is 100,000 ids to read (10-17 ms): a brand whose every model's photo carries
    it as make too is read from the makes' index alone."""
    _brute, indexed, alice, _cameras, _trashed = library
    assert _camera_indexes(indexed, alice, monkeypatch, f"{QUERY}&camera={camera}") == read


def _camera_indexes(app, account: Account, monkeypatch, query: str) -> set[str]:
    """The camera indexes (by model, by make) that the vector store's statements read for this search."""
    steps = vector_store_plan(monkeypatch, app, account, query)
    return {index for index in ("ix_photos_user_make", "ix_photos_user_camera") if any(index in s for s in steps)}
