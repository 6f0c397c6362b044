"""Camera RAW files through uploads: a DNG is a real RAW (LibRaw demosaics its sensor data), sized and dated from
the RAW, thumbnailed from the camera's preview when that is large enough and from the sensor data otherwise, kept
and downloadable as it came; a RAW LibRaw cannot read is refused naming its format."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shoebox.media.files import open_small
from tests.conftest import make_jpeg
from tests.media.format_samples import PREVIEW_COLOUR, make_dng
from tests.media.pages import shown_on_photo_page


def thumbnail(account, photo: dict, size: str = "large") -> Image.Image:
    url = photo["thumbnail_url"] if size == "small" else account.get(f"/api/photos/{photo['id']}").json["large_url"]
    reply = account.get(url)
    assert reply.status_code == 200 and reply.mimetype == "image/webp"
    return Image.open(io.BytesIO(reply.data)).convert("RGB")


def near(colour, expected, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def test_a_dng_is_taken_at_its_sensor_size_not_as_its_small_tiff_preview(alice):
    # Pillow sees a DNG's first directory, here an 8x8 preview: it used to be stored as an 8x8 TIFF.
    photo = alice.upload_one("IMG_0001.dng", make_dng((1200, 800)))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert (detail["format"], detail["mime_type"]) == ("DNG", "image/x-adobe-dng")
    assert (detail["width"], detail["height"]) == (1200, 800)


def test_a_raw_without_a_large_preview_is_thumbnailed_from_its_sensor_data(alice):
    photo = alice.upload_one("IMG_0002.dng", make_dng((1200, 800)))
    large = thumbnail(alice, photo)
    assert large.size == (1200, 800)
    # The sensor's scene: red grows to the right, green downwards; nothing of the preview's colour.
    left, right, bottom = large.getpixel((20, 20)), large.getpixel((1180, 20)), large.getpixel((20, 780))
    assert right[0] > left[0] + 60 and bottom[1] > left[1] + 60
    assert not near(large.getpixel((600, 400)), PREVIEW_COLOUR, 40)


def test_a_raw_with_a_large_embedded_preview_is_thumbnailed_from_the_preview(alice):
    photo = alice.upload_one("DSC_0003.dng", make_dng((3000, 2000), preview=(1800, 1200)))
    large, small = thumbnail(alice, photo), thumbnail(alice, photo, "small")
    assert (large.size, small.size) == ((1440, 960), (256, 171))
    assert near(large.getpixel((720, 480)), PREVIEW_COLOUR) and near(small.getpixel((128, 85)), PREVIEW_COLOUR)


def test_a_raw_preview_of_other_proportions_is_not_taken_for_the_photo(alice):
    photo = alice.upload_one("DSC_0004.dng", make_dng((3000, 2000), preview=(1600, 1600)))
    assert not near(thumbnail(alice, photo).getpixel((720, 480)), PREVIEW_COLOUR, 40)


def test_a_portrait_raw_is_shown_upright(alice):
    photo = alice.upload_one("IMG_0005.dng", make_dng((1200, 800), orientation=6))
    large = thumbnail(alice, photo)
    assert large.size == (800, 1200)
    # Turned a quarter clockwise: the sensor's left edge (least red) is now the top.
    assert large.getpixel((400, 1180))[0] > large.getpixel((400, 20))[0] + 60


def test_a_raw_from_a_camera_set_to_adobe_rgb_keeps_its_colours(alice):
    # Its EXIF names Adobe RGB, so its pixels are converted from Adobe RGB to sRGB with every such photo's: the
    # demosaic renders into Adobe RGB (as the camera's preview is), not into sRGB converted a second time.
    plain = alice.upload_one("IMG_0012.dng", make_dng((1200, 800)))
    adobe = alice.upload_one("IMG_0013.dng", make_dng((1200, 800), colour_space=2))
    difference = np.abs(np.asarray(thumbnail(alice, plain), dtype=np.int16)
                        - np.asarray(thumbnail(alice, adobe), dtype=np.int16))
    assert difference.mean() < 3


def test_camera_and_date_are_read_from_the_raw(alice):
    dng = make_dng((1200, 800), make="Nikon Corporation", model="Z 6", date="2021:06:05 14:30:00")
    detail = alice.get(f"/api/photos/{alice.upload_one('DSC_0006.dng', dng)['id']}").json
    assert (detail["camera_make"], detail["camera_model"]) == ("Nikon Corporation", "Z 6")
    assert (detail["taken_at"], detail["taken_at_source"]) == ("2021-06-05T14:30:00", "exif")


def test_the_raw_original_is_kept_and_downloaded_as_it_came(alice):
    dng = make_dng((1200, 800))
    photo = alice.upload_one("IMG_0007.dng", dng)
    original = alice.get(alice.get(f"/api/photos/{photo['id']}").json["original_url"])
    assert original.status_code == 200 and original.data == dng
    assert original.mimetype == "image/x-adobe-dng" and "IMG_0007.dng" in original.headers["Content-Disposition"]


def test_the_photo_page_of_a_raw_shows_its_large_rendition(client, alice):
    photo = alice.upload_one("IMG_0008.dng", make_dng((1200, 800)))
    detail = alice.get(f"/api/photos/{photo['id']}").json
    assert shown_on_photo_page(client, alice, photo["id"]) == detail["large_url"]
    assert detail["animated"] is False


def test_a_raw_cut_short_is_refused_as_damaged(alice):
    dng = make_dng((1200, 800))
    reply = alice.upload(("IMG_0009.dng", dng[: len(dng) // 2]))
    assert reply.status_code == 400
    assert reply.json["errors"][0]["error"]["code"] == "corrupt_image"


@pytest.mark.parametrize("name, header, family", [
    ("DSCF0010.RAF", b"FUJIFILMCCD-RAW 0201FF383501", "RAF"),
    ("IMG_0010.CR3", b"\x00\x00\x00\x18ftypcrx ", "CR3"),
    ("SDIM0010.X3F", b"FOVb", "X3F"),
])
def test_a_raw_libraw_cannot_read_is_refused_naming_its_format(alice, name, header, family):
    reply = alice.upload((name, header + bytes(4096)))
    assert reply.status_code == 415
    error = reply.json["errors"][0]["error"]
    assert error["code"] == "unsupported_type" and f"{family} RAW files" in error["message"]


def test_a_16_bit_greyscale_tiff_from_a_camera_maker_stays_a_tiff(alice):
    # LibRaw would take such a file for a sensor dump: only files that look like RAWs are offered to it.
    exif = Image.Exif()
    exif[271], exif[272] = "Canon", "CanoScan"
    buffer = io.BytesIO()
    Image.fromarray(np.tile(np.arange(0, 65536, 256, dtype=np.uint16), (48, 1))).save(buffer, "TIFF", tiffinfo=exif)
    detail = alice.get(f"/api/photos/{alice.upload_one('scan.tif', buffer.getvalue())['id']}").json
    assert (detail["format"], detail["width"], detail["height"]) == ("TIFF", 256, 48)


def test_a_batch_of_raws_and_jpegs_stores_each(alice):
    reply = alice.upload(("a.jpg", make_jpeg()), ("b.dng", make_dng((1200, 800))),
                         ("c.jpg", make_jpeg(color=(1, 2, 3))))
    assert reply.status_code == 201
    assert [photo["filename"] for photo in reply.json["photos"]] == ["a.jpg", "b.dng", "c.jpg"]


def test_a_lost_raw_thumbnail_is_rendered_again_from_the_stored_original(app, alice):
    # A stored original has no file name to go by: the RAW is known by its content.
    photo = alice.upload_one("DSC_0011.dng", make_dng((1200, 800), orientation=6))
    sha = alice.get(f"/api/photos/{photo['id']}").json["sha256"]
    for path in Path(app.config["SETTINGS"].DATA_DIR, "thumbs").rglob(f"{sha}-large.webp"):
        path.unlink()
    assert thumbnail(alice, photo).size == (800, 1200)


def test_models_get_a_raw_small_upright_and_rgb(tmp_path: Path):
    path = tmp_path / "original"  # stored originals have no name to go by
    path.write_bytes(make_dng((3000, 2000), orientation=6))
    image = open_small(path, 384)
    assert (image.mode, image.size) == ("RGB", (256, 384))
