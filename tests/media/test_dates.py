"""When a photo was taken: the first of its metadata with a real date, then the file's own time, never simply
the upload day where something better is known; and the photo says where its date came from."""

from __future__ import annotations

import io
import os
from datetime import datetime

import pytest

from tests.conftest import make_image, make_jpeg
from tests.media.metadata_files import (
    exif,
    heif_with_movie_header,
    jpeg_with_iptc,
    jpeg_with_xmp,
    png_with_xmp,
    xmp_packet,
)


def taken(account, name: str, content: bytes) -> tuple[str, str | None, str]:
    detail = account.get(f"/api/photos/{account.upload_one(name, content)['id']}").json
    return detail["taken_at"], detail["taken_at_offset"], detail["taken_at_source"]


@pytest.mark.parametrize("blank", ["    :  :     :  :  ", "0000:00:00 00:00:00", "", "2021:13:45 25:61:00"])
def test_a_blank_date_original_falls_back_to_the_create_date(alice, blank):
    content = make_jpeg(exif=exif(DateTimeOriginal=blank, DateTimeDigitized="2019:04:05 06:07:08",
                                  OffsetTimeDigitized="-05:00", DateTime="2024:01:01 00:00:00"))
    assert taken(alice, "a.jpg", content) == ("2019-04-05T06:07:08", "-05:00", "exif")


def test_xmp_date_is_used_where_exif_has_none(alice):
    content = jpeg_with_xmp(xmp_packet(exif_DateTimeOriginal="2011-02-03T04:05:06+01:00",
                                       xmp_CreateDate="2012-01-01T00:00:00"))
    assert taken(alice, "xmp.jpg", content) == ("2011-02-03T04:05:06", "+01:00", "xmp")


def test_xmp_date_of_a_png_is_read(alice):
    content = png_with_xmp(xmp_packet(xmp_CreateDate="2016-08-09T10:11:12Z"))
    assert taken(alice, "xmp.png", content) == ("2016-08-09T10:11:12", "+00:00", "xmp")


def test_photoshop_date_created_may_be_a_day_only(alice):
    content = jpeg_with_xmp(xmp_packet(photoshop_DateCreated="2009-10-11"))
    assert taken(alice, "scan.jpg", content) == ("2009-10-11T00:00:00", None, "xmp")


def test_xmp_date_wins_over_the_exif_modify_date(alice):
    content = jpeg_with_xmp(xmp_packet(xmp_CreateDate="2010-05-06T07:08:09"),
                            exif_data=exif(DateTime="2023:01:01 12:00:00"))
    assert taken(alice, "edited.jpg", content) == ("2010-05-06T07:08:09", None, "xmp")


def test_iptc_date_and_time_created_are_used_where_exif_and_xmp_have_none(alice):
    content = jpeg_with_iptc({55: b"20200304", 60: b"101112+0100"})
    assert taken(alice, "iptc.jpg", content) == ("2020-03-04T10:11:12", "+01:00", "iptc")


def test_iptc_date_without_a_time_is_that_day(alice):
    assert taken(alice, "iptc.jpg", jpeg_with_iptc({55: b"19991231"})) == ("1999-12-31T00:00:00", None, "iptc")


def test_quicktime_creation_time_of_a_heif_file_is_used_in_utc(alice):
    content = heif_with_movie_header(datetime(2022, 9, 10, 11, 12, 13))
    assert taken(alice, "burst.heic", content) == ("2022-09-10T11:12:13", "+00:00", "qt")


def test_a_64_bit_quicktime_creation_time_is_read(alice):
    content = heif_with_movie_header(datetime(2031, 1, 2, 3, 4, 5), version=1)
    assert taken(alice, "burst.heic", content) == ("2031-01-02T03:04:05", "+00:00", "qt")


@pytest.mark.parametrize("seconds", [2**64 - 1, 0])
def test_an_impossible_or_unset_quicktime_creation_time_is_no_date(alice, seconds):
    content = heif_with_movie_header(seconds, version=1)
    assert taken(alice, "burst.heic", content)[2] == "upload"


def test_the_modify_date_is_the_last_date_in_the_metadata(alice):
    content = make_jpeg(exif=exif(DateTime="2015:06:07 08:09:10", OffsetTime="+09:00"))
    assert taken(alice, "modified.jpg", content) == ("2015-06-07T08:09:10", "+09:00", "modify")


def test_date_original_wins_over_every_other_date(alice):
    content = jpeg_with_xmp(xmp_packet(xmp_CreateDate="2001-01-01T00:00:00"),
                            exif_data=exif(DateTimeOriginal="2005:05:05 05:05:05", DateTimeDigitized="2006:06:06 "
                                           "06:06:06", DateTime="2007:07:07 07:07:07"))
    assert taken(alice, "camera.jpg", content) == ("2005-05-05T05:05:05", None, "exif")


def upload_with_time(account, name: str, content: bytes, **fields: str):
    data = {"files": [(io.BytesIO(content), name)], **fields}
    return account.post("/api/photos", data=data, content_type="multipart/form-data")


def test_a_png_without_dates_takes_the_files_last_modified_time_in_the_browsers_time_zone(alice):
    # 2014-03-15 12:30:00 UTC, sent by a browser in UTC+01:00.
    reply = upload_with_time(alice, "drawing.png", make_image("PNG"), last_modified="1394886600000",
                             last_modified_offset="60")
    assert reply.status_code == 201, reply.json
    detail = alice.get(f"/api/photos/{reply.json['photos'][0]['id']}").json
    assert (detail["taken_at"], detail["taken_at_offset"], detail["taken_at_source"]) == (
        "2014-03-15T13:30:00", "+01:00", "file")


def test_a_last_modified_time_without_an_offset_is_utc(alice):
    reply = upload_with_time(alice, "drawing.png", make_image("PNG"), last_modified="1394886600000")
    detail = alice.get(f"/api/photos/{reply.json['photos'][0]['id']}").json
    assert (detail["taken_at"], detail["taken_at_offset"], detail["taken_at_source"]) == (
        "2014-03-15T12:30:00", "+00:00", "file")


def test_a_date_in_the_metadata_wins_over_the_files_last_modified_time(alice):
    content = make_jpeg(exif=exif(DateTimeOriginal="2005:05:05 05:05:05"))
    reply = upload_with_time(alice, "camera.jpg", content, last_modified="1394886600000")
    assert reply.json["photos"][0]["taken_at"] == "2005-05-05T05:05:05"


def test_an_unknown_last_modified_time_of_zero_means_the_upload_time(alice):
    reply = upload_with_time(alice, "drawing.png", make_image("PNG"), last_modified="0")
    assert alice.get(f"/api/photos/{reply.json['photos'][0]['id']}").json["taken_at_source"] == "upload"


@pytest.mark.parametrize("fields", [
    {"last_modified": "yesterday"}, {"last_modified": "-5"}, {"last_modified": "1" * 30},
    {"last_modified": "1394886600000", "last_modified_offset": "900"},
    {"last_modified": ["1394886600000", "1394886600000"]},
])
def test_a_malformed_last_modified_field_is_refused_clearly(alice, fields):
    reply = upload_with_time(alice, "drawing.png", make_image("PNG"), **fields)
    assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid_last_modified"
    assert alice.get("/api/photos").json["items"] == []


def test_import_takes_a_files_modified_time_as_local_time_with_its_offset(app, alice, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    path = folder / "scan.png"
    path.write_bytes(make_image("PNG"))
    moment = datetime(2003, 7, 8, 9, 10, 11).astimezone()  # the server's local time zone
    os.utime(path, (moment.timestamp(), moment.timestamp()))
    result = app.test_cli_runner().invoke(args=["shoebox", "import", str(folder), "--user", alice.email])
    assert result.exit_code == 0, result.output
    photo = alice.get("/api/photos").json["items"][0]
    detail = alice.get(f"/api/photos/{photo['id']}").json
    offset = moment.strftime("%z")
    assert (detail["taken_at"], detail["taken_at_source"]) == ("2003-07-08T09:10:11", "file")
    assert detail["taken_at_offset"] == f"{offset[:3]}:{offset[3:]}"
