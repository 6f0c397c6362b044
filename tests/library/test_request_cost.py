"""What one request costs the database: a fixed number of queries whatever the page holds, and one for the token.

Under load every query is CPU the other users wait for (bench/load.py); a query per listed photo grows with the
page, so these count the statements a request runs.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.conftest import make_jpeg


@contextmanager
def statements(app):
    """The SQL statements run inside the block (on this app's engine)."""
    seen: list[str] = []
    engine = app.extensions["db"].engine

    def record(_conn, _cursor, sql, _params, _ctx, _many):
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _tagged_photos(account, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        photo = account.upload_one(f"beach-{n}.jpg", make_jpeg(color=(n * 30 % 256, 90, 160)))
        assert account.patch(f"/api/photos/{photo['id']}", json={"tags": ["beach", f"day{n}"]}).status_code == 200


def _queries_for(app, account, url: str) -> tuple[int, dict]:
    with statements(app) as seen:
        reply = account.get(url)
    assert reply.status_code == 200, reply.json
    return len(seen), reply.json


def test_listing_photos_runs_as_many_queries_for_six_photos_as_for_two(app, alice):
    _tagged_photos(alice, 2)
    few, first = _queries_for(app, alice, "/api/photos?limit=50")
    _tagged_photos(alice, 4, start=2)
    many, second = _queries_for(app, alice, "/api/photos?limit=50")
    assert [len(first["items"]), len(second["items"])] == [2, 6]
    assert all(sorted(item["tags"]) == sorted(["beach", f"day{item['filename'][6]}"]) for item in second["items"])
    assert many == few


def test_search_runs_as_many_queries_for_six_results_as_for_two(app, alice):
    _tagged_photos(alice, 2)
    few, first = _queries_for(app, alice, "/api/search?q=beach")
    _tagged_photos(alice, 4, start=2)
    many, second = _queries_for(app, alice, "/api/search?q=beach")
    assert [len(first["items"]), len(second["items"])] == [2, 6]
    assert all("beach" in item["tags"] for item in second["items"])
    assert many == few


def test_a_signed_in_request_checks_its_token_in_one_query(app, alice):
    photo = alice.upload_one()
    with statements(app) as seen:
        assert alice.get(f"/api/photos/{photo['id']}/thumbnail?size=small").status_code == 200
    token_checks = [sql for sql in seen if "users" in sql or "revoked_tokens" in sql]
    assert len(token_checks) == 1, token_checks
