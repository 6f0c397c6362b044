"""Photos with known dates for the album tests."""

from __future__ import annotations

import pytest

from tests.conftest import Account, make_jpeg


def dated_photos(user: Account, *dates: str) -> list[int]:
    """One photo per date (ISO, local time), uploaded and dated; their ids in the order given."""
    ids = []
    for n, taken in enumerate(dates):
        photo = user.upload_one(f"p{n}.jpg", make_jpeg(color=(n * 20 % 256, 90, (n * 7) % 256)))
        assert user.patch(f"/api/photos/{photo['id']}", json={"taken_at": taken}).status_code == 200
        ids.append(photo["id"])
    return ids


@pytest.fixture
def three(alice) -> list[int]:
    """alice's photos from 2020, 2021 and 2022 (oldest first)."""
    return dated_photos(alice, "2020-05-01T10:00:00", "2021-05-01T10:00:00", "2022-05-01T10:00:00")


def new_album(user: Account, name: str = "Holidays", ids: list[int] | None = None) -> dict:
    reply = user.post("/api/albums", json={"name": name, **({"ids": ids} if ids is not None else {})})
    assert reply.status_code == 201, reply.json
    return reply.json
