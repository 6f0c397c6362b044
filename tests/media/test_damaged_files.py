"""Issue 15, item 2: a damaged file is refused with a reason, never stored with a half-black thumbnail.

Refusing (rather than keeping the file marked "damaged") because reading what survives of a cut-short file needs
Pillow's `LOAD_TRUNCATED_IMAGES`, a process-wide switch that would let every decode running beside it accept
truncation too; the user still has the file, and the reason names what is wrong with it."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from shoebox.media.errors import DamagedFile
from shoebox.media.files import inspect, open_small
from tests.conftest import make_jpeg
from tests.media.samples import encoded, gradient, png, png_chunk


def _picture(height=120, width=160) -> np.ndarray:
    return np.asarray(gradient((width, height))).copy()


def _thumbnail(alice, photo_id: int) -> np.ndarray:
    reply = alice.get(f"/api/photos/{photo_id}/thumbnail?size=large")
    return np.asarray(Image.open(io.BytesIO(reply.data)).convert("RGB"))


def test_a_png_whose_data_stream_ends_before_its_last_row_is_refused_and_the_batch_goes_on(alice):
    short = png(_picture(), colour_type=2, keep=0.5)  # a complete zlib stream holding half the rows
    reply = alice.upload(("a.jpg", make_jpeg()), ("scan.png", short), ("b.png", png(_picture(), 2)))
    assert reply.status_code == 201
    assert [p["filename"] for p in reply.json["photos"]] == ["a.jpg", "b.png"]
    (error,) = reply.json["errors"]
    assert error["filename"] == "scan.png" and error["error"]["code"] == "corrupt_image"
    assert "ends before its last row" in error["error"]["message"]


def test_an_interlaced_png_short_of_its_last_pass_is_refused(tmp_path: Path):
    path = tmp_path / "interlaced.png"
    path.write_bytes(png(_picture(121, 161), colour_type=2, interlaced=True, keep=0.8))
    with pytest.raises(DamagedFile):
        inspect(path, 10_000_000)


@pytest.mark.parametrize("interlaced", [False, True])
def test_a_whole_png_that_ends_in_black_rows_is_taken(alice, interlaced):
    pixels = _picture(121, 161)
    pixels[-40:] = 0  # a dark foreground: its last row is black, as the decoder's empty memory would be
    photo = alice.upload_one("night.png", png(pixels, colour_type=2, interlaced=interlaced))
    assert (photo["width"], photo["height"]) == (161, 121)


def test_a_png_whose_data_stream_is_garbled_is_refused(alice):
    data = png(_picture(), colour_type=2)
    start = data.index(b"IDAT") + 4
    stream = bytearray(data[start:data.index(b"IEND") - 8])
    stream[len(stream) // 2:len(stream) // 2 + 100] = bytes(100)
    garbled = data[:start - 8] + png_chunk(b"IDAT", bytes(stream)) + png_chunk(b"IEND", b"")
    reply = alice.upload(("garbled.png", garbled))
    assert reply.status_code == 400 and reply.json["errors"][0]["error"]["code"] == "corrupt_image"


def test_a_png_cut_inside_its_end_chunk_keeps_every_row(alice):
    whole = png(_picture(), colour_type=2)
    photo = alice.upload_one("cut-end.png", whole[:-6])
    rows = _thumbnail(alice, photo["id"]).reshape(120, -1)
    assert rows.max(axis=1).min() > 0  # no black row: every row of the picture came


@pytest.mark.parametrize("cut", [2000, 20_000])
def test_a_large_jpeg_cut_short_is_refused_although_decoded_at_draft_scale(alice, cut):
    data = encoded(gradient((3000, 2000)), "JPEG", quality=90)
    reply = alice.upload(("cut.jpg", data[:-cut]))
    assert reply.status_code == 400 and reply.json["errors"][0]["error"]["code"] == "corrupt_image"


def test_a_progressive_jpeg_cut_short_is_refused(alice):
    data = encoded(gradient((1600, 1200)), "JPEG", progressive=True)
    assert alice.upload(("cut.jpg", data[:len(data) * 2 // 3])).status_code == 400


def test_decoding_for_the_models_refuses_a_short_png_too(tmp_path: Path):
    path = tmp_path / "short.png"
    path.write_bytes(png(_picture(), colour_type=2, keep=0.7))
    with pytest.raises(DamagedFile):
        open_small(path, 64)


def test_truncated_images_stay_refused_process_wide(alice):
    alice.upload(("cut.jpg", make_jpeg()[:-500]))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
