"""open_small: one small, upright RGB decode, shared by every model and the face crops."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from shoebox.media.files import open_small


def test_large_jpeg_is_shrunk_to_the_requested_size(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    Image.new("RGB", (2000, 1000), (10, 120, 200)).save(path, quality=80)

    img = open_small(path, 256)

    assert img.size == (256, 128)
    assert img.mode == "RGB"


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    Image.new("RGB", (400, 200), "red").save(path, exif=exif)

    img = open_small(path, 512)

    assert img.size == (200, 400)


def test_png_with_alpha_becomes_rgb_and_small_images_keep_their_size(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    Image.new("RGBA", (120, 80), (0, 255, 0, 128)).save(path)

    img = open_small(str(path), 384)

    assert (img.mode, img.size) == ("RGB", (120, 80))
