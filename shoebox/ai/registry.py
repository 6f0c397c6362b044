"""Pick the model backends from Settings; one set per process, loaded lazily and kept warm."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from shoebox.ai.base import Model, ModelUnavailable
from shoebox.ai.captioner import Captioner
from shoebox.ai.embedder import ImageTextEmbedder, TextEmbedder, is_image_text_model
from shoebox.ai.faces import FaceAnalyzer
from shoebox.ai.ocr import TextReader
from shoebox.ai.places import PlaceResolver
from shoebox.ai.tagger import Tagger
from shoebox.config import Settings

_cache: dict[tuple, Models] = {}
_cache_lock = threading.Lock()


@dataclass
class Models:
    """The configured backends; a part switched off with "none" is None."""

    captioner: Captioner | None
    tagger: Tagger | None
    embedder: TextEmbedder | ImageTextEmbedder | None
    faces: FaceAnalyzer | None = None
    ocr: TextReader | None = None
    places: PlaceResolver | None = None

    def all(self) -> list[Model]:
        """The backends that are switched on."""
        chosen = (self.captioner, self.tagger, self.embedder, self.faces, self.ocr, self.places)
        return [m for m in chosen if m is not None]

    def unavailable(self) -> dict[str, str]:
        """Try to load every backend now; map each one that cannot load to its one-line reason."""
        reasons: dict[str, str] = {}
        for model in self.all():
            try:
                model.loaded()
            except ModelUnavailable as exc:
                reasons[model.kind] = str(exc)
        return reasons


def build_models(settings: Settings) -> Models:
    """Fresh, unloaded backends as the settings ask (nothing is loaded until first use)."""
    batch = settings.ANALYSIS_BATCH_SIZE
    captioner = Captioner(settings.CAPTION_MODEL, batch_size=batch) if settings.model_enabled("CAPTION_MODEL") else None
    tagger = None
    if settings.model_enabled("TAG_MODEL"):
        tagger = Tagger(settings.TAG_MODEL, settings.TAG_THRESHOLD, settings.TAG_TOP_K, batch_size=batch)
    embedder = _embedder(settings.EMBED_MODEL) if settings.model_enabled("EMBED_MODEL") else None
    models = Models(captioner, tagger, embedder,
                    faces=FaceAnalyzer() if settings.FACES_ENABLED else None,
                    ocr=TextReader() if settings.OCR_ENABLED else None,
                    places=PlaceResolver() if settings.PLACES_ENABLED else None)
    for model in models.all():
        model.threads = settings.model_threads()
    return models


def _embedder(name: str) -> TextEmbedder | ImageTextEmbedder:
    return ImageTextEmbedder(name) if is_image_text_model(name) else TextEmbedder(name)


def _key(settings: Settings) -> tuple:
    return (
        settings.CAPTION_MODEL,
        settings.TAG_MODEL,
        settings.EMBED_MODEL,
        settings.TAG_THRESHOLD,
        settings.TAG_TOP_K,
        settings.ANALYSIS_BATCH_SIZE,
        settings.FACES_ENABLED,
        settings.OCR_ENABLED,
        settings.PLACES_ENABLED,
        settings.model_threads(),
    )


def get_models(settings: Settings) -> Models:
    """The process-wide backends for these settings: built once, so each worker loads each model once."""
    key = _key(settings)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = build_models(settings)
        return _cache[key]


def clear_cache() -> None:
    """Forget the process-wide backends (tests, or after the model settings changed)."""
    with _cache_lock:
        _cache.clear()
