"""Embeddings for search: L2-normalised float32 vectors, tagged with a version so stale ones get redone.

`TextEmbedder` (default): a sentence-transformers model (MiniLM) through `transformers` with mean
pooling; photos are embedded through their caption and tags, plus what the tag classifier saw (ConSE).
`ImageTextEmbedder`: a CLIP/SigLIP model that embeds the photo itself and the query text into one space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL.Image import Image

from shoebox.ai.base import Model, require_packages, use_torch_threads
from shoebox.ai.sources import Source, resolve, weights_digest


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _local_dir(source: Source) -> Path | None:
    """The directory holding the weights, for hashing: the source itself or its hub-cache snapshot."""
    if source.origin in {"directory", "package"}:
        return Path(source.path)
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(source.path, "config.json")
    return Path(cached).parent if isinstance(cached, str) else None


def version_of(name: str, source: Source, pooling: str) -> str:
    """A model's version: its name, how its vectors are made and a digest of its weights."""
    directory = _local_dir(source)
    digest = weights_digest(directory) if directory else "unknown"
    return f"{Path(name).name if source.origin == 'directory' else name}:{pooling}:{digest}"


@dataclass
class _Loaded:
    tokenizer: Any
    model: Any
    dim: int
    version: str
    processor: Any = None


class _Embedder(Model):
    kind = "embedding"
    #: Whether `embed_images` exists: photos are embedded from pixels rather than caption + tags.
    embeds_images = False

    def __init__(self, name: str, batch_size: int = 32) -> None:
        super().__init__(name)
        self.batch_size = max(1, batch_size)

    @property
    def dim(self) -> int:
        """Vector length (loads the model)."""
        return self.loaded().dim

    @property
    def version(self) -> str:
        """Model name, pooling and a digest of the weights: equal versions mean comparable vectors."""
        return self.loaded().version

    def _batches(self, items: list[Any]) -> list[list[Any]]:
        return [items[start : start + self.batch_size] for start in range(0, len(items), self.batch_size)]


class TextEmbedder(_Embedder):
    """Sentence embeddings (mean pooling over token states) from a BERT-like `transformers` model."""

    max_length = 256

    def __init__(self, name: str, batch_size: int = 32) -> None:
        super().__init__(name, batch_size)
        self._label_vectors: dict[str, np.ndarray] = {}  # classifier label -> its embedding, for ConSE

    def embed_photos(self, texts: list[str], labels: list[Sequence[Sequence[Any]] | None]) -> np.ndarray:
        """A photo's search vector: the embedding of its words plus the ConSE bridge from the tag classifier
        (Norouzi et al. 2014: the probability-weighted mean of its top labels' embeddings), so "kitten" finds a photo
        the classifier saw as "tabby, tabby cat" though no tag says so. `labels[i]` is [(label, probability), ...];
        an empty text adds nothing (a photo known only by its labels)."""
        loaded: _Loaded = self.loaded()
        words = self.embed_texts([text or " " for text in texts])
        self._embed_labels([str(name) for photo_labels in labels for name, _p in photo_labels or []])
        rows = []
        for text, vector, photo_labels in zip(texts, words, labels, strict=True):
            bridge = self._conse(photo_labels or [])
            rows.append((vector if text else np.zeros(loaded.dim, np.float32)) + bridge)
        return l2_normalise(np.stack(rows)) if rows else np.zeros((0, loaded.dim), dtype=np.float32)

    def _conse(self, labels: Sequence[Sequence[Any]]) -> np.ndarray:
        """The unit-length, probability-weighted mean of the labels' embeddings (zeros without labels)."""
        names = [str(name) for name, _p in labels]
        self._embed_labels(names)
        if not names:
            return np.zeros(self.dim, np.float32)
        weights = np.array([float(p) for _name, p in labels], dtype=np.float32)[:, None]
        mean = (weights * np.stack([self._label_vectors[name] for name in names])).sum(axis=0)
        return l2_normalise(mean[None, :])[0]

    def _embed_labels(self, names: list[str]) -> None:
        """Embed the labels not seen yet, in one call (each label is embedded once per process)."""
        missing = [name for name in dict.fromkeys(names) if name not in self._label_vectors]
        if missing:
            self._label_vectors.update(zip(missing, self.embed_texts(missing), strict=True))

    def _load(self) -> _Loaded:
        require_packages("torch", "transformers")
        use_torch_threads(self.threads)
        from transformers import AutoModel, AutoTokenizer

        source = resolve(self.name)
        tokenizer = AutoTokenizer.from_pretrained(source.path, local_files_only=source.local_only)
        model = AutoModel.from_pretrained(source.path, local_files_only=source.local_only).eval()
        return _Loaded(tokenizer, model, int(model.config.hidden_size), version_of(self.name, source, "mean"))

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text, shape (len(texts), dim)."""
        loaded: _Loaded = self.loaded()
        if not texts:
            return np.zeros((0, loaded.dim), dtype=np.float32)
        return np.concatenate([self._embed_batch(loaded, batch) for batch in self._batches(texts)])

    def _embed_batch(self, loaded: _Loaded, texts: list[str]) -> np.ndarray:
        import torch

        inputs = loaded.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
        with torch.inference_mode():
            states = loaded.model(**inputs).last_hidden_state
        mask = inputs["attention_mask"].unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return l2_normalise(pooled.float().numpy())


class ImageTextEmbedder(_Embedder):
    """CLIP/SigLIP: photos and query texts embedded into one space."""

    embeds_images = True

    def _load(self) -> _Loaded:
        require_packages("torch", "transformers")
        use_torch_threads(self.threads)
        from transformers import AutoModel, AutoProcessor

        source = resolve(self.name)
        processor = AutoProcessor.from_pretrained(source.path, local_files_only=source.local_only)
        model = AutoModel.from_pretrained(source.path, local_files_only=source.local_only).eval()
        dim = int(getattr(model.config, "projection_dim", 0) or model.config.text_config.hidden_size)
        version = version_of(self.name, source, model.config.model_type)
        return _Loaded(processor.tokenizer, model, dim, version, processor)

    def embed_images(self, images: list[Image]) -> np.ndarray:
        """One unit-length float32 row per image, shape (len(images), dim)."""
        loaded: _Loaded = self.loaded()
        if not images:
            return np.zeros((0, loaded.dim), dtype=np.float32)
        return np.concatenate([self._embed_image_batch(loaded, batch) for batch in self._batches(images)])

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text, in the same space as the images."""
        loaded: _Loaded = self.loaded()
        if not texts:
            return np.zeros((0, loaded.dim), dtype=np.float32)
        return np.concatenate([self._embed_text_batch(loaded, batch) for batch in self._batches(texts)])

    def _embed_image_batch(self, loaded: _Loaded, images: list[Image]) -> np.ndarray:
        import torch

        inputs = loaded.processor(images=images, return_tensors="pt")
        with torch.inference_mode():
            features = loaded.model.get_image_features(pixel_values=inputs["pixel_values"])
        return l2_normalise(_tensor(features).float().numpy())

    def _embed_text_batch(self, loaded: _Loaded, texts: list[str]) -> np.ndarray:
        import torch

        # SigLIP was trained on max_length padding; CLIP pools at the end-of-text token, so either works.
        padding = "max_length" if "siglip" in loaded.model.config.model_type else True
        inputs = loaded.tokenizer(texts, padding=padding, truncation=True, return_tensors="pt")
        with torch.inference_mode():
            features = loaded.model.get_text_features(**inputs)
        return l2_normalise(_tensor(features).float().numpy())


def _tensor(features: Any) -> Any:
    """transformers 5 returns a model output whose `pooler_output` is the projected embedding."""
    return features if hasattr(features, "float") else features.pooler_output


def is_image_text_model(name: str) -> bool:
    """True when EMBED_MODEL names a CLIP/SigLIP model (by name, or by a local directory's config)."""
    lowered = name.lower()
    if "clip" in lowered or "siglip" in lowered:
        return True
    config = Path(name).expanduser() / "config.json"
    if config.is_file():
        import json

        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type", "")
        return "clip" in model_type or "siglip" in model_type
    return False
