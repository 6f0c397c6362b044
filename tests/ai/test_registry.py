"""Registry and sources: settings pick the backends; unloadable models fail fast with a reason."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from shoebox.ai import sources
from shoebox.ai.base import ModelUnavailable
from shoebox.ai.captioner import Captioner
from shoebox.ai.embedder import ImageTextEmbedder, TextEmbedder
from shoebox.ai.registry import build_models, clear_cache, get_models
from shoebox.ai.tagger import Tagger
from shoebox.config import Settings


def settings(**overrides: object) -> Settings:
    return Settings.load(overrides, env_file=None)


def test_none_switches_a_part_off() -> None:
    models = build_models(settings(CAPTION_MODEL="none", TAG_MODEL="off", EMBED_MODEL="none", FACES_ENABLED=False,
                                   OCR_ENABLED=False, PLACES_ENABLED=False))

    assert (models.captioner, models.tagger, models.embedder) == (None, None, None)
    assert (models.faces, models.ocr, models.places) == (None, None, None)
    assert models.all() == []


def test_settings_pick_the_backends_without_loading_them(vit_dir: Path, clip_dir: Path) -> None:
    models = build_models(
        settings(CAPTION_MODEL="/nowhere/blip", TAG_MODEL=str(vit_dir), EMBED_MODEL=str(clip_dir), TAG_TOP_K=3)
    )

    assert isinstance(models.captioner, Captioner) and isinstance(models.tagger, Tagger)
    assert isinstance(models.embedder, ImageTextEmbedder)
    assert models.tagger.top_k == 3
    assert isinstance(build_models(settings()).embedder, TextEmbedder)


def test_get_models_builds_once_per_process_for_the_same_settings() -> None:
    clear_cache()
    first = get_models(settings(CAPTION_MODEL="none"))

    assert get_models(settings(CAPTION_MODEL="none")) is first
    assert get_models(settings(CAPTION_MODEL="none", TAG_TOP_K=2)) is not first
    clear_cache()


def test_unavailable_lists_each_unloadable_model_with_a_one_line_reason(tmp_path: Path, vit_dir: Path) -> None:
    models = build_models(settings(CAPTION_MODEL=str(tmp_path / "gone"), TAG_MODEL=str(vit_dir), EMBED_MODEL="none",
                                   FACES_ENABLED=False, OCR_ENABLED=False, PLACES_ENABLED=False))

    reasons = models.unavailable()

    assert list(reasons) == ["caption"]
    assert "gone" in reasons["caption"] and "\n" not in reasons["caption"]


def test_a_hub_id_that_is_not_cached_fails_fast_when_the_hub_cannot_be_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "_hub_unreachable_reason", lambda: "the Hugging Face hub (example) cannot be reached")
    captioner = Captioner("some-owner/some-model-that-is-not-cached")
    started = time.monotonic()

    with pytest.raises(ModelUnavailable, match="not downloaded yet and the Hugging Face hub"):
        captioner.loaded()

    assert time.monotonic() - started < 2


def test_offline_mode_is_reported_as_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)

    with pytest.raises(ModelUnavailable, match="HF_HUB_OFFLINE"):
        sources.resolve("some-owner/some-model-that-is-not-cached")


def test_a_local_directory_is_used_as_is_and_a_missing_path_is_not_mistaken_for_a_hub_id(vit_dir: Path) -> None:
    assert sources.resolve(str(vit_dir)) == sources.Source(str(vit_dir), True, "directory")
    with pytest.raises(ModelUnavailable, match="no model directory"):
        sources.resolve("./models/blip")


def test_the_default_text_model_resolves_to_its_packaged_copy_without_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sources, "_hub_unreachable_reason", lambda: pytest.fail("must not probe the hub"))

    source = sources.resolve("sentence-transformers/all-MiniLM-L6-v2")

    assert source.origin == "package" and source.local_only
    assert (Path(source.path) / "model.safetensors").is_file()
