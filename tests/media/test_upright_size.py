"""Issue 15, item 6: width and height are the photo's as shown; an EXIF orientation of 5-8 (a phone held upright)
turns them a quarter. Revision 0006 puts right the rows stored before."""

from __future__ import annotations

import pytest
from PIL import Image
from sqlalchemy import text

from shoebox.db import Database
from tests.conftest import make_image
from tests.migrations import downgrade


def _with_orientation(orientation: int, fmt: str = "JPEG") -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return make_image(fmt, size=(400, 300), exif=exif)


@pytest.mark.parametrize("orientation, shown", [(1, (400, 300)), (2, (400, 300)), (3, (400, 300)),
                                                (4, (400, 300)), (5, (300, 400)), (6, (300, 400)),
                                                (7, (300, 400)), (8, (300, 400))])
def test_the_size_is_the_photos_as_shown(alice, orientation, shown):
    photo = alice.upload_one(f"IMG_{orientation}.jpg", _with_orientation(orientation))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert (photo["width"], photo["height"]) == (detail["width"], detail["height"]) == shown
    assert detail["orientation"] == orientation


def test_a_portrait_phone_photo_is_taller_than_wide_in_the_listing(alice):
    alice.upload_one("IMG_0001.jpg", _with_orientation(6))
    (item,) = alice.get("/api/photos").json["items"]
    assert item["height"] > item["width"]


def test_a_portrait_heic_is_taller_than_wide(alice):
    photo = alice.upload_one("IMG_0002.heic", _with_orientation(6, "HEIF"))
    assert (photo["width"], photo["height"]) == (300, 400)



#: (file name, orientation, width, height) as stored before revision 0006.
STORED = [("portrait.jpg", 6, 3264, 2448), ("mirrored.jpg", 5, 300, 200), ("landscape.jpg", 1, 4000, 3000),
          ("upside-down.jpg", 3, 640, 480), ("no-exif.png", None, 800, 600), ("left.jpg", 8, 1200, 900)]


def _store_rows(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO users (email, password_hash, token_version, created_at, token_key) "
                                "VALUES ('ana@example.com', 'x', 0, '2024-01-01', 'k')"))
        for i, (name, orientation, width, height) in enumerate(STORED):
            connection.execute(text(
                "INSERT INTO photos (user_id, sha256, filename, format, mime_type, file_size, width, height, "
                "orientation, taken_at, taken_at_source, status, created_at, updated_at) SELECT max(id), :sha, "
                ":name, 'JPEG', 'image/jpeg', 1, :width, :height, :orientation, '2024-01-01', 'upload', 'done', "
                "'2024-01-01', '2024-01-01' FROM users"),
                {"sha": f"{i:064d}", "name": name, "width": width, "height": height, "orientation": orientation})


def _sizes(database: Database) -> dict[str, tuple[int, int]]:
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT filename, width, height FROM photos")).all()
    return {name: (width, height) for name, width, height in rows}


def test_the_upgrade_turns_the_size_of_rows_stored_before_with_orientation_5_to_8(database):
    database.upgrade("0005")
    _store_rows(database)
    database.upgrade()
    turned = {name: (h, w) if orientation in (5, 6, 7, 8) else (w, h) for name, orientation, w, h in STORED}
    assert _sizes(database) == turned
    assert turned["portrait.jpg"] == (2448, 3264)


def test_the_downgrade_turns_them_back(database):
    database.upgrade("0005")
    _store_rows(database)
    database.upgrade()
    downgrade(database, "0005")
    assert _sizes(database) == {name: (w, h) for name, _orientation, w, h in STORED}
