"""Metadata read from the file on upload and shown in the photo's detail."""

from __future__ import annotations

import pytest
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational as Fraction

from tests.conftest import make_image, make_jpeg

IFD, TAG, GPS = ExifTags.IFD, ExifTags.Base, ExifTags.GPS


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[TAG.Make] = "Canon"
    exif[TAG.Model] = "Canon EOS R6"
    details = exif.get_ifd(IFD.Exif)
    details[TAG.DateTimeOriginal] = "2023:07:14 18:32:05"
    details[TAG.OffsetTimeOriginal] = "+02:00"
    details[TAG.ExposureTime] = Fraction(1, 250)
    details[TAG.FNumber] = Fraction(28, 10)
    details[TAG.ISOSpeedRatings] = 400
    details[TAG.FocalLength] = Fraction(50, 1)
    details[TAG.LensModel] = "RF50mm F1.8 STM"
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = (48.0, 51.0, 29.76)
    gps[GPS.GPSLongitudeRef] = "W"
    gps[GPS.GPSLongitude] = (2.0, 17.0, 40.2)
    gps[GPS.GPSAltitudeRef] = b"\x00"
    gps[GPS.GPSAltitude] = Fraction(355, 10)
    return exif


def test_camera_exposure_date_and_gps_come_from_exif(alice):
    photo = alice.upload_one("holiday.jpg", make_jpeg(exif=camera_exif()))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert detail["taken_at"] == "2023-07-14T18:32:05"
    assert (detail["taken_at_offset"], detail["taken_at_source"]) == ("+02:00", "exif")
    assert (detail["camera_make"], detail["camera_model"], detail["lens"]) == ("Canon", "Canon EOS R6",
                                                                               "RF50mm F1.8 STM")
    assert (detail["exposure_time"], detail["f_number"], detail["iso"], detail["focal_length"]) == (
        "1/250", 2.8, 400, 50.0)
    assert detail["gps"]["latitude"] == 48.8582667 and detail["gps"]["longitude"] == -2.2945
    assert detail["gps"]["altitude"] == 35.5


def test_photo_without_exif_date_uses_upload_time_and_says_so(alice):
    detail = alice.get(f"/api/photos/{alice.upload_one('plain.png', make_image('PNG'))['id']}").json
    assert detail["taken_at_source"] == "upload" and detail["camera_make"] is None and detail["gps"] is None


def test_detail_lists_file_facts(alice):
    content = make_jpeg(size=(800, 600))
    detail = alice.get(f"/api/photos/{alice.upload_one('x.jpg', content)['id']}").json
    assert detail["file_size"] == len(content) and (detail["width"], detail["height"]) == (800, 600)
    assert detail["filename"] == "x.jpg" and detail["status"] == "done"  # all models off in tests


def test_garbage_exif_values_are_skipped_not_fatal(alice):
    exif = Image.Exif()
    details = exif.get_ifd(IFD.Exif)
    details[TAG.DateTimeOriginal] = "0000:00:00 00:00:00"
    details[TAG.FNumber] = Fraction(0, 1)
    exif[TAG.Make] = "\x00\x00"
    detail = alice.get(f"/api/photos/{alice.upload_one('odd.jpg', make_jpeg(exif=exif))['id']}").json
    assert detail["taken_at_source"] == "upload" and detail["camera_make"] is None


def test_text_longer_than_its_column_is_cut_to_fit_and_the_batch_is_stored(alice):
    """PostgreSQL refuses a string longer than its column (a 500 for the whole batch); SQLite kept it whole."""
    exif = Image.Exif()
    exif[TAG.Make], exif[TAG.Model] = "M" * 200, "N" * 200
    exif.get_ifd(IFD.Exif)[TAG.LensModel] = "L" * 200
    long_name = "f" * 296 + ".jpg"
    reply = alice.upload((long_name, make_jpeg(exif=exif)), ("plain.jpg", make_jpeg(color=(1, 2, 3))))
    assert reply.status_code == 201, reply.json
    assert sorted(p["filename"] for p in reply.json["photos"]) == ["f" * 255, "plain.jpg"]
    long_one = next(p for p in reply.json["photos"] if p["filename"] != "plain.jpg")
    detail = alice.get(f"/api/photos/{long_one['id']}").json
    assert (detail["camera_make"], detail["camera_model"], detail["lens"]) == ("M" * 64, "N" * 64, "L" * 128)


@pytest.mark.parametrize("offset, kept", [
    ("+99:99", None), ("+14:30", None), ("-12:30", None), ("+05:60", None),
    ("+14:00", "+14:00"), ("-12:00", "-12:00"), ("+05:45", "+05:45"), ("-03:30", "-03:30"),
])
def test_only_utc_offsets_that_exist_are_kept(alice, offset, kept):
    exif = Image.Exif()
    details = exif.get_ifd(IFD.Exif)
    details[TAG.DateTimeOriginal] = "2023:07:14 18:32:05"
    details[TAG.OffsetTimeOriginal] = offset
    detail = alice.get(f"/api/photos/{alice.upload_one('x.jpg', make_jpeg(exif=exif))['id']}").json
    assert detail["taken_at"] == "2023-07-14T18:32:05" and detail["taken_at_offset"] == kept


def test_camera_make_and_model_end_at_their_first_nul(alice):
    """Old cameras pad the field with a NUL and leftover bytes ("MAVICA\\0 3ghx7y"): the name is what comes first."""
    exif = Image.Exif()
    exif[TAG.Make], exif[TAG.Model] = "SONY\x00\x00\x00", "MAVICA\x003ghx7y"
    exif.get_ifd(IFD.Exif)[TAG.LensModel] = "  Zoom 6x \x00\xff junk"
    detail = alice.get(f"/api/photos/{alice.upload_one('mavica.jpg', make_jpeg(exif=exif))['id']}").json
    assert (detail["camera_make"], detail["camera_model"], detail["lens"]) == ("SONY", "MAVICA", "Zoom 6x")


def test_camera_text_that_is_not_utf8_is_read_as_latin1(alice):
    piexif = pytest.importorskip("piexif")  # writes the bytes given (Pillow would write "?" for "é")
    raw = piexif.dump({"0th": {piexif.ImageIFD.Make: b"Leica", piexif.ImageIFD.Model: b"Digilux Caf\xe9"}})
    content = make_jpeg()
    content = content[:2] + b"\xff\xe1" + (len(raw) + 2).to_bytes(2, "big") + raw + content[2:]
    detail = alice.get(f"/api/photos/{alice.upload_one('cafe.jpg', content)['id']}").json
    assert (detail["camera_make"], detail["camera_model"]) == ("Leica", "Digilux Café")


def test_camera_make_and_model_come_from_xmp_where_exif_has_none(alice):
    from tests.media.metadata_files import png_with_xmp, xmp_packet

    content = png_with_xmp(xmp_packet(tiff_Make="Nikon", tiff_Model="Coolscan V"))
    detail = alice.get(f"/api/photos/{alice.upload_one('scan.png', content)['id']}").json
    assert (detail["camera_make"], detail["camera_model"]) == ("Nikon", "Coolscan V")


def test_an_iso_too_large_for_its_column_is_skipped_and_the_photo_stored(alice):
    """A LONG of 4294967295 is no ISO speed, and PostgreSQL's INTEGER refuses it (a 500 for the batch)."""
    exif = Image.Exif()
    exif.get_ifd(IFD.Exif)[TAG.ISOSpeedRatings] = 4294967295
    detail = alice.get(f"/api/photos/{alice.upload_one('odd.jpg', make_jpeg(exif=exif))['id']}").json
    assert detail["iso"] is None
