"""Reading text with the real RapidOCR models."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

pytestmark = pytest.mark.slow  # the offline text reader

# Read off page.png by eye: a heading "Region-based segmentation" and a paragraph about watershed markers.
PAGE_WORDS = ["segmentation", "markers", "coins", "background", "pixels", "unambiguously", "histogram"]


@pytest.fixture(scope="module")
def page_result(text_reader, photo):
    return text_reader.read(photo("page.png"))  # a greyscale ("L") scan, 384 x 191


def test_known_words_are_read_from_the_page(page_result):
    text = page_result.text.lower()
    for word in PAGE_WORDS:
        assert word in text


def test_lines_come_top_to_bottom_with_confidence_and_a_box_inside_the_image(text_reader, page_result):
    assert len(page_result.lines) >= 5
    assert page_result.lines[0].text.lower().startswith("region")
    tops = [line.box[1] for line in page_result.lines]
    assert tops == sorted(tops)
    for line in page_result.lines:
        left, top, right, bottom = line.box
        assert 0 <= left < right <= 384 and 0 <= top < bottom <= 191
        assert line.confidence >= text_reader.min_confidence
    assert page_result.text == "\n".join(line.text for line in page_result.lines)


def test_a_large_image_is_read_at_working_size_with_boxes_in_its_own_pixels(text_reader, photo):
    big = photo("page.png").resize((384 * 6, 191 * 6), Image.Resampling.BICUBIC)  # 2304 px: scaled to 960
    result = text_reader.read(big)
    assert "segmentation" in result.text.lower()
    left, top, right, bottom = result.lines[0].box  # the heading: x 7-292, y 12-33 on the small page
    assert abs(left - 42) < 30 and abs(right - 1752) < 60 and abs(top - 72) < 30 and abs(bottom - 198) < 30


def test_images_read_at_once_on_two_threads_each_give_their_own_text(text_reader, photo):
    images = [photo("page.png"), photo("coffee.png")] * 3
    alone = [text_reader.read(image).text for image in images]
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda image: text_reader.read(image).text, images)) == alone
    assert "segmentation" in alone[0].lower() and alone[1] == ""


def test_a_blank_image_gives_empty_text(text_reader):
    result = text_reader.read(Image.new("RGB", (800, 600), "white"))
    assert result.text == "" and result.lines == []
    assert not result


@pytest.mark.parametrize("name", ["coffee.png", "chelsea.png"])
def test_a_photo_without_text_gives_empty_text(text_reader, photo, name):
    assert text_reader.read(photo(name)).text == ""


def test_transparent_image_with_text_is_read(text_reader, photo):
    page = photo("page.png").convert("RGBA")
    assert "markers" in text_reader.read(page).text.lower()
