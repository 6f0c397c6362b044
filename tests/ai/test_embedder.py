"""Embedders: unit-length float32 vectors, versioned; the real packaged MiniLM and a tiny CLIP."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shoebox.ai.embedder import ImageTextEmbedder, TextEmbedder, is_image_text_model

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def minilm() -> TextEmbedder:
    return TextEmbedder(MINILM, batch_size=2)


def test_packaged_minilm_puts_similar_sentences_close(minilm: TextEmbedder) -> None:
    dog, puppy, invoice = minilm.embed_texts(["a dog playing in the snow", "puppy in snow", "invoice from the bank"])

    assert dog @ puppy > dog @ invoice + 0.3


def test_text_vectors_are_unit_length_float32_and_batching_does_not_change_them(minilm: TextEmbedder) -> None:
    texts = ["a red car", "two cats on a sofa, cat, sofa", "sunset over the sea"]

    batched = minilm.embed_texts(texts)
    single = np.concatenate([minilm.embed_texts([text]) for text in texts])

    assert batched.dtype == np.float32 and batched.shape == (3, minilm.dim) == (3, 384)
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert np.allclose(batched, single, atol=1e-5)


def test_version_names_the_model_and_is_stable(minilm: TextEmbedder) -> None:
    assert minilm.version.startswith(f"{MINILM}:mean:")
    assert TextEmbedder(MINILM).version == minilm.version


@pytest.fixture(scope="module")
def clip(clip_dir: Path) -> ImageTextEmbedder:
    return ImageTextEmbedder(str(clip_dir), batch_size=2)


def test_clip_embeds_images_and_texts_into_one_unit_length_space(
    clip: ImageTextEmbedder, photos: list[Image.Image]
) -> None:
    images = clip.embed_images(photos)
    texts = clip.embed_texts(["a cat", "a dog on the beach", "snow"])

    assert images.shape == (5, clip.dim) and texts.shape == (3, clip.dim)
    assert images.dtype == texts.dtype == np.float32
    assert np.allclose(np.linalg.norm(np.vstack([images, texts]), axis=1), 1.0, atol=1e-5)
    assert clip.embeds_images and clip.version.startswith("tiny-clip:clip:")


def test_clip_batches_equal_one_at_a_time(clip: ImageTextEmbedder, photos: list[Image.Image]) -> None:
    single = np.concatenate([clip.embed_images([photo]) for photo in photos])

    assert np.allclose(clip.embed_images(photos), single, atol=1e-4)


def test_empty_input_gives_an_empty_matrix(clip: ImageTextEmbedder) -> None:
    assert clip.embed_texts([]).shape == (0, clip.dim)


def test_clip_and_siglip_names_or_configs_select_the_image_text_embedder(clip_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "siglip"}')

    assert is_image_text_model("openai/clip-vit-base-patch32")
    assert is_image_text_model(str(tmp_path))
    assert not is_image_text_model(MINILM)
