"""Captioner: BLIP captions through the production loader, on a tiny random BLIP."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from shoebox.ai.base import ModelUnavailable
from shoebox.ai.captioner import Captioner, clean_caption

pytestmark = pytest.mark.slow  # builds and runs a tiny BLIP


@pytest.fixture(scope="module")
def captioner(blip_dir: Path) -> Captioner:
    return Captioner(str(blip_dir), max_new_tokens=8, batch_size=2)


def test_one_nonempty_caption_per_image(captioner: Captioner, photos: list[Image.Image]) -> None:
    captions = captioner.caption(photos)

    assert len(captions) == len(photos)
    assert all(isinstance(text, str) and text for text in captions)


def test_batched_captions_equal_one_at_a_time(captioner: Captioner, photos: list[Image.Image]) -> None:
    assert captioner.caption(photos) == [captioner.caption([photo])[0] for photo in photos]


def test_no_images_gives_no_captions(captioner: Captioner) -> None:
    assert captioner.caption([]) == []


def test_caption_cleaning_drops_blip_artefacts_and_tidies_spacing() -> None:
    assert clean_caption("arafed dog  sitting on   a beach .") == "Dog sitting on a beach"


def test_missing_model_directory_is_unavailable_at_once_with_the_reason(tmp_path: Path) -> None:
    captioner = Captioner(str(tmp_path / "no-such-model"))
    started = time.monotonic()

    with pytest.raises(ModelUnavailable, match="no model directory"):
        captioner.caption([Image.new("RGB", (8, 8))])

    assert time.monotonic() - started < 2
    with pytest.raises(ModelUnavailable, match="caption model"):  # remembered: no second attempt
        captioner.loaded()
