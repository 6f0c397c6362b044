"""Revision 0010: a library whose photos were placed before it (under the nearest GeoNames place, in big cities a
district) finds them by their city right after the upgrade, with no reindex."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from shoebox.db import Database
from tests.conftest import Account
from tests.migrations import alembic_config
from tests.people.conftest import gps_jpeg, offline_app

PARIS_13E = (48.8322, 2.3561)
#: The place as stored before revision 0010: the nearest GeoNames place as the city.
OLD_PLACE = {"city": "Salpêtrière", "region": "Île-de-France", "country": "France"}


def _as_stored_before_0010(database: Database, photo_id: int) -> None:
    """Take the schema back to before revision 0010 and the photo's place (and its keyword index entry) back to
    what the old resolver stored."""
    config = alembic_config(database)
    command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0010").down_revision)
    words = " ".join(OLD_PLACE.values())
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE photos SET city = :city, region = :region, country = :country "
                                "WHERE id = :id"), {**OLD_PLACE, "id": photo_id})
        if connection.dialect.name == "sqlite":
            connection.execute(text("UPDATE photo_fts SET place = :words WHERE rowid = :id"),
                               {"words": words, "id": photo_id})
        else:
            connection.execute(text("UPDATE photo_search SET document = to_tsvector('simple', :words) "
                                    "WHERE photo_id = :id"), {"words": "salpetriere ile de france france",
                                                              "id": photo_id})


def found(user: Account, query: str) -> list[str]:
    reply = user.get(f"/api/search?{query}")
    assert reply.status_code == 200, reply.json
    return [item["filename"] for item in reply.json["items"]]


def test_an_upgraded_library_finds_a_district_photo_by_its_city_at_once(tmp_path):
    app = offline_app(tmp_path, FACES_ENABLED=False, OCR_ENABLED=False)
    try:
        alice = Account(app, "alice@example.com")
        photo_id = alice.upload_one("paris.jpg", gps_jpeg(*PARIS_13E))["id"]
        database = app.extensions["db"]
        _as_stored_before_0010(database, photo_id)
        database.upgrade()
        place = alice.get(f"/api/photos/{photo_id}").json["place"]
        assert (place["district"], place["city"], place["region"]) == ("Salpêtrière", "Paris", "Île-de-France")
        assert found(alice, "place=paris") == ["paris.jpg"] and found(alice, "place=ile-de-france") == ["paris.jpg"]
        assert found(alice, "q=paris") == ["paris.jpg"] and found(alice, "q=salpetriere") == ["paris.jpg"]
    finally:
        app.extensions["db"].dispose()
