"""PostgreSQL looks for words OCR glued inside longer runs (`TsvectorIndex.substring_search`) among the photos that
have OCR text, read from their own index (migration 0027), not by reading every photo of the library."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event

from tests.search.test_common_words import add_photos

pytestmark = pytest.mark.postgres_only(reason="SQLite finds glued words in its trigram table")


def _statements(app, account, url: str) -> list[tuple[str, dict]]:
    """Every SELECT a search ran, with its parameters."""
    engine, found = app.extensions["db"].engine, []
    record = lambda _c, _cur, sql, params, _ctx, _many: found.append((sql, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert account.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return [(sql, params) for sql, params in found if sql.lstrip().upper().startswith("SELECT")]


def test_glued_words_are_looked_for_only_among_photos_with_ocr_text(app, alice):
    ids = add_photos(app, alice, [{"caption": "a shop front", "ocr_text": "OPENINGHOURS 9-5",
                                   "taken_at": datetime(2020, 1, 1)},
                                  *({"caption": f"a field {n}", "taken_at": datetime(2020, 1, 2)} for n in range(30))])
    url = "/api/search?q=hours"  # by relevance: glued-word hits follow the clean ones
    assert [item["id"] for item in alice.get(url).json["items"]] == [ids[0]]
    glued = [(sql, params) for sql, params in _statements(app, alice, url) if "LIKE" in sql]
    assert glued
    with app.extensions["db"].engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE photos")  # statistics: one photo of 31 has OCR text
        conn.exec_driver_sql("SET enable_seqscan = off")  # a handful of rows: the planner would read them all anyway
        for sql, params in glued:
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql, params))
            assert "ix_photos_user_ocr" in plan, plan
