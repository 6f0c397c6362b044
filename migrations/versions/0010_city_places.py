"""A photo's place names the city a person would name, with the district as a finer level, and keeps a folded
key of every level for the place filter; the places stored before (the nearest GeoNames place, in big cities a
district: "Maison Blanche" for Paris 13e) are resolved again from GPS, so `place=paris` finds them at once

Revision ID: 0010
Revises: 0007
"""

import logging
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
BATCH = 2000
LEVELS = ("district", "city", "region", "country")


def upgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("district", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("place_key", sa.String(length=600), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, gps_latitude, gps_longitude, city, region, country, country_code FROM photos "
        "WHERE city IS NOT NULL OR country IS NOT NULL ORDER BY id")).all()
    if rows:
        _backfill(bind, rows, _resolved([(row.gps_latitude, row.gps_longitude) for row in rows]))


def downgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("place_key")
        batch.drop_column("district")


def _resolved(coords: list) -> list:
    """The places of these points by today's resolver; Nones (keep what is stored) where it cannot load: then
    `flask shoebox reindex --only places` brings them up to date later."""
    from shoebox.ai.base import ModelUnavailable
    from shoebox.ai.places import PlaceResolver

    try:
        return PlaceResolver().resolve_many(coords)
    except ModelUnavailable as exc:
        log.warning("places kept as stored (%s); run `flask shoebox reindex --only places` to name their cities",
                    exc)
        return [None] * len(coords)


def _backfill(bind, rows: list, places: list) -> None:
    """Store each photo's levels and key, and the new names in the keyword index."""
    changes = []
    for row, place in zip(rows, places, strict=True):
        if place is not None:
            levels = {"district": place.district or None, "city": place.city or None,
                      "region": place.region or None, "country": place.country or None,
                      "country_code": place.country_code or None}
        else:
            levels = {"district": None, "city": row.city, "region": row.region, "country": row.country,
                      "country_code": row.country_code}
        changes.append({"id": row.id, **levels, "place_key": _key(levels),
                        "moved": place is not None and (row.city, row.region) != (place.city, place.region)})
    for start in range(0, len(changes), BATCH):
        chunk = changes[start:start + BATCH]
        bind.execute(sa.text("UPDATE photos SET district = :district, city = :city, region = :region, "
                             "country = :country, country_code = :country_code, place_key = :place_key "
                             "WHERE id = :id"), chunk)
        _reindex_places(bind, [change for change in chunk if change["moved"] or change["district"]])


def _reindex_places(bind, changes: list) -> None:
    """The keyword index's place words: the FTS5 column rewritten (SQLite), or the city's and district's words
    added to the document (PostgreSQL: the old place words were the district's, so nothing goes stale)."""
    if not changes:
        return
    texts = [{"id": c["id"], "place": " ".join(c[level] for level in LEVELS if c[level])} for c in changes]
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text("UPDATE photo_fts SET place = :place WHERE rowid = :id"), texts)
    else:
        bind.execute(sa.text("UPDATE photo_search SET document = document || "
                             "setweight(to_tsvector('simple', :words), 'B') WHERE photo_id = :id"),
                     [{"id": t["id"], "words": _fold(t["place"])} for t in texts])


def _fold(text: str) -> str:
    """No case, no accents, words split by single spaces (as the place filter and the keyword index compare)."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[\W_]+", bare)).strip()


def _key(levels: dict) -> str | None:
    folded = [_fold(levels[level]) for level in LEVELS if levels[level]]
    return "|" + "|".join(folded) + "|" if folded else None
