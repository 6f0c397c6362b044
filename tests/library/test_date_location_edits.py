"""The user corrects when and where photos were taken, one at a time or many at once; what they set is theirs:
the place follows a new location, and reading the files' metadata again never undoes it."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import ExifTags, Image
from sqlalchemy import text

from shoebox.library.corrections import MAX_BULK
from shoebox.models import Photo
from tests.backends import make_app
from tests.conftest import make_image, make_jpeg
from tests.media.metadata_files import exif
from tests.people.conftest import gps_jpeg

PARIS, TOKYO = (48.8566, 2.3522), (35.6895, 139.6917)


@pytest.fixture
def app(tmp_path):
    """The suite's app with places on (the offline geocoder), so a place can follow a location."""
    pytest.importorskip("reverse_geocode")
    app = make_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "WORKER_IN_PROCESS": False,
                    "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
                    "PLACES_ENABLED": True})
    yield app
    app.extensions["db"].dispose()


def detail(account, photo_id: int) -> dict:
    return account.get(f"/api/photos/{photo_id}").json


def camera_photo(account, name: str = "camera.jpg", color=(1, 2, 3)) -> int:
    content = make_jpeg(color=color, exif=exif(DateTimeOriginal="2020:01:02 03:04:05", OffsetTimeOriginal="+01:00"))
    return account.upload_one(name, content)["id"]


def test_the_user_sets_the_date_of_a_photo_with_its_utc_offset(alice):
    photo_id = camera_photo(alice)
    reply = alice.patch(f"/api/photos/{photo_id}", json={"taken_at": "2019-07-14T18:30:00+02:00"})
    assert reply.status_code == 200, reply.json
    assert (reply.json["taken_at"], reply.json["taken_at_offset"], reply.json["taken_at_source"]) == (
        "2019-07-14T18:30:00", "+02:00", "user")
    assert detail(alice, photo_id)["taken_at_source"] == "user"


def test_a_date_set_without_an_offset_has_none(alice):
    photo_id = camera_photo(alice)
    reply = alice.patch(f"/api/photos/{photo_id}", json={"taken_at": "1987-06-05T04:03"})
    assert (reply.json["taken_at"], reply.json["taken_at_offset"]) == ("1987-06-05T04:03:00", None)


def test_a_new_date_moves_the_photo_in_the_timeline(alice):
    older, newer = camera_photo(alice, "a.jpg", (1, 1, 1)), camera_photo(alice, "b.jpg", (2, 2, 2))
    alice.patch(f"/api/photos/{older}", json={"taken_at": "1999-01-01T00:00:00"})
    alice.patch(f"/api/photos/{newer}", json={"taken_at": "2001-01-01T00:00:00"})
    assert [p["id"] for p in alice.get("/api/photos").json["items"]] == [newer, older]


@pytest.mark.parametrize("value", ["yesterday", 1563121800, "2019-02-30T10:00:00", "2019-07-14T18:30:00+15:00",
                                   None, ""])
def test_a_date_that_is_not_one_is_refused_and_nothing_changes(alice, value):
    photo_id = camera_photo(alice)
    reply = alice.patch(f"/api/photos/{photo_id}", json={"taken_at": value, "caption": "kept?"})
    assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_date"
    after = detail(alice, photo_id)
    assert (after["taken_at"], after["taken_at_source"], after["caption"]) == ("2020-01-02T03:04:05", "exif", None)


def test_a_new_location_replaces_the_place_with_the_new_one(alice):
    photo_id = alice.upload_one("trip.jpg", gps_jpeg(*PARIS))["id"]
    assert detail(alice, photo_id)["place"]["city"] == "Paris"
    reply = alice.patch(f"/api/photos/{photo_id}", json={"location": {"latitude": TOKYO[0], "longitude": TOKYO[1]}})
    assert reply.status_code == 200, reply.json
    after = detail(alice, photo_id)
    assert after["gps"] == {"latitude": TOKYO[0], "longitude": TOKYO[1], "altitude": None}
    assert after["location_source"] == "user" and after["place"]["region"] == "Tokyo"


def test_removing_the_location_removes_the_place(alice):
    photo_id = alice.upload_one("trip.jpg", gps_jpeg(*PARIS))["id"]
    reply = alice.patch(f"/api/photos/{photo_id}", json={"location": None})
    assert (reply.json["gps"], reply.json["place"], reply.json["location_source"]) == (None, None, "user")
    assert alice.get("/api/places").json["countries"] == []


@pytest.mark.parametrize("value", [{"latitude": 91, "longitude": 0}, {"latitude": 0, "longitude": -180.5},
                                   {"latitude": "48.8", "longitude": 2.3}, {"latitude": True, "longitude": 2},
                                   {"latitude": 48.8}, [48.8, 2.3], "48.8,2.3"])
def test_a_location_that_is_not_one_is_refused(alice, value):
    photo_id = alice.upload_one("trip.jpg", gps_jpeg(*PARIS))["id"]
    reply = alice.patch(f"/api/photos/{photo_id}", json={"location": value})
    assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_location"
    assert detail(alice, photo_id)["place"]["city"] == "Paris"


def test_bulk_edit_sets_one_date_and_location_on_many_photos(alice):
    ids = [camera_photo(alice, f"{n}.jpg", (n, n, n)) for n in range(3)]
    reply = alice.patch("/api/photos", json={"ids": ids[:2], "taken_at": "2010-10-10T10:10:10-03:00",
                                             "location": {"latitude": PARIS[0], "longitude": PARIS[1]}})
    assert reply.status_code == 200, reply.json
    assert [p["id"] for p in reply.json["items"]] == ids[:2]
    for photo_id in ids[:2]:
        after = detail(alice, photo_id)
        assert (after["taken_at"], after["taken_at_offset"], after["taken_at_source"]) == (
            "2010-10-10T10:10:10", "-03:00", "user")
        assert after["place"]["city"] == "Paris" and after["location_source"] == "user"
    assert detail(alice, ids[2])["taken_at_source"] == "exif"


def test_bulk_shift_moves_each_photos_date_by_the_same_amount(alice):
    first, second = camera_photo(alice, "a.jpg", (1, 1, 1)), camera_photo(alice, "b.jpg", (2, 2, 2))
    alice.patch(f"/api/photos/{second}", json={"taken_at": "2020-01-02T23:30:00+01:00"})
    reply = alice.patch("/api/photos", json={"ids": [first, second], "shift_seconds": 3600})
    assert reply.status_code == 200, reply.json
    assert [(p["id"], p["taken_at"]) for p in reply.json["items"]] == [
        (first, "2020-01-02T04:04:05"), (second, "2020-01-03T00:30:00")]
    assert (detail(alice, first)["taken_at_source"], detail(alice, first)["taken_at_offset"]) == ("user", "+01:00")


def test_bulk_edit_of_another_users_photo_is_not_found_and_changes_nothing(alice, bob):
    mine, theirs = camera_photo(alice, "mine.jpg", (1, 1, 1)), camera_photo(bob, "theirs.jpg", (2, 2, 2))
    reply = alice.patch("/api/photos", json={"ids": [mine, theirs], "taken_at": "1990-01-01T00:00:00",
                                             "location": None})
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"
    assert detail(alice, mine)["taken_at"] == detail(bob, theirs)["taken_at"] == "2020-01-02T03:04:05"
    assert detail(bob, theirs)["taken_at_source"] == "exif"


@pytest.mark.parametrize(("body", "code"), [
    ({"taken_at": "2010-10-10T10:10:10"}, "invalid_ids"),
    ({"ids": [], "taken_at": "2010-10-10T10:10:10"}, "invalid_ids"),
    ({"ids": ["1"], "taken_at": "2010-10-10T10:10:10"}, "invalid_ids"),
    ({"ids": list(range(1, MAX_BULK + 2)), "shift_seconds": 1}, "too_many_ids"),
    ({"ids": [1], "taken_at": "2010-10-10T10:10:10", "shift_seconds": 1}, "invalid_input"),
    ({"ids": [1], "shift_seconds": 1.5}, "invalid_shift"),
    ({"ids": [1], "caption": "no"}, "invalid_input"),
])
def test_a_malformed_bulk_edit_is_refused(alice, body, code):
    reply = alice.patch("/api/photos", json=body)
    assert reply.status_code == 400 and reply.json["error"]["code"] == code


def test_a_shift_that_leaves_the_calendar_is_refused_and_changes_nothing(alice):
    photo_id = camera_photo(alice)
    alice.patch(f"/api/photos/{photo_id}", json={"taken_at": "0001-01-01T00:30:00"})
    reply = alice.patch("/api/photos", json={"ids": [photo_id], "shift_seconds": -3600})
    assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_shift"
    assert detail(alice, photo_id)["taken_at"] == "0001-01-01T00:30:00"


def dated_gps_jpeg(lat: float, lon: float) -> bytes:
    """A camera photo with a date and a location in its EXIF."""
    with Image.open(io.BytesIO(gps_jpeg(lat, lon))) as image:
        found = image.getexif()
    found.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2021:03:04 05:06:07"
    return make_jpeg(color=(7, 7, 7), exif=found)


def test_reading_the_metadata_again_keeps_what_the_user_set(app, alice):
    corrected = alice.upload_one("trip.jpg", dated_gps_jpeg(*PARIS))["id"]
    assert detail(alice, corrected)["taken_at"] == "2021-03-04T05:06:07"
    alice.patch(f"/api/photos/{corrected}", json={"taken_at": "2000-02-02T02:02:02",
                                                  "location": {"latitude": TOKYO[0], "longitude": TOKYO[1]}})
    untouched = camera_photo(alice)
    result = app.test_cli_runner().invoke(args=["shoebox", "reread-metadata", "--user", alice.email])
    assert result.exit_code == 0, result.output
    assert "Read the metadata of 2 photos again." in result.output
    after = detail(alice, corrected)
    assert (after["taken_at"], after["taken_at_source"]) == ("2000-02-02T02:02:02", "user")
    assert after["gps"]["latitude"] == TOKYO[0] and after["place"]["region"] == "Tokyo"
    assert detail(alice, untouched)["taken_at"] == "2020-01-02T03:04:05"


def test_reading_the_metadata_again_fixes_what_an_older_reader_got_wrong(app, alice):
    content = make_jpeg(exif=exif(make="SONY", model="MAVICA\x003ghx7y", DateTime="2002:03:04 05:06:07"))
    photo_id = alice.upload_one("mvc-001.jpg", content)["id"]
    with app.extensions["db"].transaction() as session:  # as Shoebox before exiv2 kept them
        photo = session.get(Photo, photo_id)
        photo.camera_model, photo.taken_at, photo.taken_at_source = "MAVICA3ghx7y", datetime(2024, 5, 1), "upload"
    result = app.test_cli_runner().invoke(args=["shoebox", "reread-metadata"])
    assert result.exit_code == 0, result.output
    after = detail(alice, photo_id)
    assert (after["camera_model"], after["taken_at"], after["taken_at_source"]) == (
        "MAVICA", "2002-03-04T05:06:07", "modify")



def test_upgrade_marks_existing_locations_as_from_exif(database):
    database.upgrade("0005")
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO users (email, password_hash, token_version, token_key, created_at) "
                                "VALUES ('a@example.com', 'x', 0, 'k', '2024-01-01')"))
        for sha, lat in (("with", "48.85"), ("without", "NULL")):
            connection.execute(text(
                "INSERT INTO photos (user_id, sha256, filename, format, mime_type, file_size, width, height, "
                "taken_at, taken_at_source, gps_latitude, gps_longitude, status, created_at, updated_at) SELECT "
                f"max(id), '{sha}', 'a.jpg', 'JPEG', 'image/jpeg', 1, 1, 1, '2024-01-01', 'exif', {lat}, {lat}, "
                "'done', '2024-01-01', '2024-01-01' FROM users"))
    database.upgrade()
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT sha256, location_source FROM photos ORDER BY sha256")).all()
    assert [tuple(row) for row in rows] == [("with", "exif"), ("without", None)]


@pytest.mark.embedded_only(reason="backup covers the embedded SQLite install")
def test_a_date_the_user_set_is_written_to_the_xmp_sidecar_of_a_backup(app, alice, tmp_path):
    photo_id = alice.upload_one("scan.png", make_image("PNG"))["id"]
    alice.patch(f"/api/photos/{photo_id}", json={"taken_at": "1968-08-09T10:11:12-04:00"})
    result = app.test_cli_runner().invoke(args=["shoebox", "backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    sidecar = next((tmp_path / "backup").glob(f"metadata/*/{detail(alice, photo_id)['sha256']}.xmp")).read_text()
    assert "1968-08-09T10:11:12-04:00" in sidecar
