"""The PostgreSQL path (tsvector + pgvector) answers exactly like the embedded one (FTS5 + in-memory index).

One library is loaded into an embedded app and a PostgreSQL app in the same run; every query, with and
without filters, must give the same photos in the same order with the same scores and reasons.
"""

from __future__ import annotations

import pytest

from shoebox.ai.registry import clear_cache
from tests.backends import make_app
from tests.conftest import Account
from tests.search.test_search_api import LIBRARY, photo_bytes

pytestmark = [pytest.mark.postgres_only(reason="compares both backends itself, so it runs once, in the PostgreSQL run"),
              pytest.mark.slow]
QUERIES = [
    "dog playing in the snow", "party with a birthday cake", "evening at the seaside", "electri", "sun",
    "Canon", "car.jpg", '"red sports car"', "grandma cake", "nothing like this anywhere", "beach sunset",
    "the sea", "iphone family", "ÉLECTRICITY bill",
]
FILTERS = ["", "&tag=sea", "&camera=iphone", "&format=png", "&from=2024-03-05&to=2024-03-12", "&sort=date"]


def load(app) -> tuple[Account, dict[int, str]]:
    alice, bob = Account(app, "alice@example.com"), Account(app, "bob@example.com")
    names = {}
    for index, (name, caption, tags, camera, day, fmt) in enumerate(LIBRARY):
        photo = alice.upload_one(name, photo_bytes(index, camera, day, fmt))
        alice.patch(f"/api/photos/{photo['id']}", json={"caption": caption, "tags": tags})
        names[photo["id"]] = name
    bob.patch(f"/api/photos/{bob.upload_one('bobs-sea.jpg')['id']}", json={"caption": "the sea at night"})
    return alice, names


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    clear_cache()
    settings = {"WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
                "EMBED_MODEL": "sentence-transformers/all-MiniLM-L6-v2"}
    apps = [make_app({"DATA_DIR": str(tmp_path_factory.mktemp(backend)), **settings}, backend=backend)
            for backend in ("embedded", "postgres")]
    yield [load(app) for app in apps]
    for app in apps:
        app.extensions["db"].dispose()


def answer(account: Account, names: dict[int, str], url: str) -> list[tuple[str, float, list[str]]]:
    reply = account.get(url)
    assert reply.status_code == 200, reply.json
    return [(names[i["id"]], round(i["score"], 3), i["matched"]) for i in reply.json["items"]]


@pytest.mark.parametrize("filters", FILTERS)
def test_search_answers_match_on_both_backends(both, filters):
    (alice_sqlite, sqlite_names), (alice_pg, pg_names) = both
    for q in QUERIES:
        url = f"/api/search?q={q}{filters}"
        assert answer(alice_sqlite, sqlite_names, url) == answer(alice_pg, pg_names, url), url


def test_more_like_this_matches_on_both_backends(both):
    (alice_sqlite, sqlite_names), (alice_pg, pg_names) = both
    for sqlite_id, pg_id in zip(sorted(sqlite_names), sorted(pg_names), strict=True):
        mine = alice_sqlite.get(f"/api/photos/{sqlite_id}/similar").json["items"]
        theirs = alice_pg.get(f"/api/photos/{pg_id}/similar").json["items"]
        assert [(sqlite_names[i["id"]], round(i["similarity"], 3)) for i in mine] == \
               [(pg_names[i["id"]], round(i["similarity"], 3)) for i in theirs]
