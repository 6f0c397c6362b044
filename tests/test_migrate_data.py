"""`flask shoebox migrate-data` copies an embedded install into a real PostgreSQL, losing nothing."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from shoebox.jobs.parts import store_embedding
from shoebox.migrate import copied_tables, table_checksum
from shoebox.models import DERIVED, Photo, RevokedToken, utcnow
from tests import backends
from tests.backends import make_app
from tests.conftest import Account, make_jpeg

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.postgres_only(reason="copies an embedded install into PostgreSQL")]
SETTINGS = {"WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
            "EMBED_MODEL": "none"}


@pytest.fixture
def embedded(tmp_path):
    """An embedded (SQLite) install with photos, tags (one hidden), notes, embeddings, an album and a revoked
    token."""
    app = make_app({"DATA_DIR": str(tmp_path / "data"), **SETTINGS}, backend="embedded")
    ana = Account(app, "ana@example.com")
    Account(app, "ben@example.com")
    ids = [ana.upload_one(f"img_{i}.jpg", make_jpeg(color=(i * 40, 10, 200)))["id"] for i in range(5)]
    ana.patch(f"/api/photos/{ids[0]}", json={"caption": "lighthouse at dusk", "tags": ["coast", "évening"],
                                             "note": "from the ferry"})
    ana.patch(f"/api/photos/{ids[1]}", json={"caption": "a red kite over the hill", "tags": ["bird"]})
    ana.post("/api/albums", json={"name": "Coast", "ids": ids[:3]})
    rng = np.random.default_rng(7)
    with app.extensions["db"].transaction() as session:
        for photo_id in ids:
            store_embedding(session, photo_id, "text", "test-model", rng.normal(size=16))
        session.add(RevokedToken(jti="gone", expires_at=utcnow()))
    yield app, ana, ids
    app.extensions["db"].dispose()


def test_migrate_data_copies_every_table_and_verifies_it(embedded, tmp_path):
    app, ana, ids = embedded
    target = backends.services.postgres.url(backends.services.postgres.create_database(migrated=False))
    result = app.test_cli_runner().invoke(args=["shoebox", "migrate-data", "--to", target, "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "every count and checksum matches" in result.output and "MISMATCH" not in result.output
    moved = make_app({"DATA_DIR": app.config["SETTINGS"].DATA_DIR, "DATABASE_URL": target, **SETTINGS})
    with app.extensions["db"].engine.connect() as src, moved.extensions["db"].engine.connect() as dst:
        assert {table.name for table in DERIVED.sorted_tables} <= {table.name for table in copied_tables(dst)}
        for table in copied_tables(dst):  # the kept counts too: copied, not counted again by the triggers
            assert table_checksum(src, table) == table_checksum(dst, table), table.name
    moved.extensions["db"].dispose()


def test_migrated_install_searches_logs_in_and_keeps_numbering(embedded):
    app, ana, ids = embedded
    target = backends.services.postgres.url(backends.services.postgres.create_database(migrated=False))
    assert app.test_cli_runner().invoke(args=["shoebox", "migrate-data", "--to", target]).exit_code == 0
    moved = make_app({"DATA_DIR": app.config["SETTINGS"].DATA_DIR, "DATABASE_URL": target, **SETTINGS})
    client = moved.test_client()
    reply = client.post("/api/auth/login", json={"email": "ana@example.com", "password": "correct horse battery"})
    assert reply.status_code == 200
    headers = {"Authorization": f"Bearer {reply.json['access_token']}"}
    found = client.get("/api/search?q=evening lighthouse", headers=headers).json
    assert [item["id"] for item in found["items"]] == [ids[0]]
    similar = client.get(f"/api/photos/{ids[1]}/similar", headers=headers).json
    assert len(similar["items"]) == 4
    with moved.extensions["db"].transaction() as session:
        before = session.scalar(select(func.max(Photo.id)))
    new = Account.__new__(Account)
    new.client, new.headers = client, headers
    assert new.upload_one("after.jpg", make_jpeg(color=(9, 9, 9)))["id"] == before + 1
    # The kept counts' triggers are on again: a tag given after the move is counted at once.
    assert client.patch(f"/api/photos/{ids[2]}", json={"tags": ["coast"]}, headers=headers).status_code == 200
    tags = {item["name"]: item["count"] for item in client.get("/api/facets", headers=headers).json["tags"]}
    assert tags["coast"] == 2 and tags["bird"] == 1
    moved.extensions["db"].dispose()


def test_migrate_data_refuses_a_database_that_holds_rows(embedded):
    app, _ana, _ids = embedded
    target = backends.services.postgres.url(backends.services.postgres.create_database(migrated=False))
    assert app.test_cli_runner().invoke(args=["shoebox", "migrate-data", "--to", target]).exit_code == 0
    again = app.test_cli_runner().invoke(args=["shoebox", "migrate-data", "--to", target])
    assert again.exit_code != 0 and "already holds rows" in again.output
