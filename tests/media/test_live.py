"""Reading Motion Photos' embedded clips and Live Photos' content identifiers (shoebox/media/live.py)."""

from __future__ import annotations

import pytest

from shoebox.media.live import apple_content_id, clip_content_id, is_playable, motion_photo_clip, still_content_id
from tests.media.live_samples import CONTENT_ID, apple_maker_note, apple_mov, apple_still, clip, motion_photo, still


@pytest.mark.parametrize("dialect", ["container", "microvideo", "samsung"])
def test_the_clip_of_a_motion_photo_is_extracted_byte_for_byte(tmp_path, dialect):
    data, movie = motion_photo(dialect)
    path = tmp_path / "PXL_20240501_100000000.MP.jpg"
    path.write_bytes(data)

    assert motion_photo_clip(path) == movie


def test_an_ordinary_jpeg_has_no_clip(tmp_path):
    path = tmp_path / "still.jpg"
    path.write_bytes(still())

    assert motion_photo_clip(path) is None


def test_a_motion_photo_whose_clip_is_cut_off_has_no_clip(tmp_path):
    data, movie = motion_photo("container")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[:-len(movie) // 2])

    assert motion_photo_clip(path) is None


def test_xmp_pointing_at_garbage_has_no_clip(tmp_path):
    data, movie = motion_photo("microvideo")
    path = tmp_path / "garbage.jpg"
    path.write_bytes(data[:-len(movie)] + b"\x00" * len(movie))

    assert motion_photo_clip(path) is None


def test_a_clip_made_by_the_bundled_encoder_plays():
    assert is_playable(clip("mp4"))
    assert not is_playable(b"\x00\x00\x00\x08ftyp" + b"junk" * 10)


@pytest.mark.parametrize("fmt", ["JPEG", "HEIF"])
def test_the_content_identifier_is_read_from_an_iphone_stills_maker_note(tmp_path, fmt):
    path = tmp_path / f"IMG_0001.{fmt.lower()}"
    path.write_bytes(apple_still(CONTENT_ID, fmt=fmt))

    assert still_content_id(path) == CONTENT_ID


def test_a_little_endian_maker_note_is_read_too():
    assert apple_content_id(apple_maker_note(CONTENT_ID, "II")) == CONTENT_ID


def test_a_still_without_an_apple_maker_note_has_no_identifier(tmp_path):
    path = tmp_path / "plain.jpg"
    path.write_bytes(still())

    assert still_content_id(path) is None


def test_a_damaged_maker_note_has_no_identifier():
    note = apple_maker_note(CONTENT_ID)
    assert apple_content_id(note[:20]) is None
    assert apple_content_id(b"Nikon\x00" + note[6:]) is None


def test_the_content_identifier_is_read_from_a_live_photos_mov(tmp_path):
    path = tmp_path / "IMG_0001.MOV"
    path.write_bytes(apple_mov(CONTENT_ID))

    assert clip_content_id(path) == CONTENT_ID


def test_a_mov_without_the_identifier_has_none(tmp_path):
    path = tmp_path / "plain.mov"
    path.write_bytes(clip("mov"))

    assert clip_content_id(path) is None
