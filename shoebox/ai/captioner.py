"""Captions: BLIP image captioning through `transformers`, batched."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PIL.Image import Image

from shoebox.ai.base import Model, require_packages, use_torch_threads
from shoebox.ai.sources import resolve

#: BLIP-large's well-known artefacts (a training-data glitch), dropped from captions.
_ARTEFACTS = re.compile(r"\b(arafed|araffe|arafe|arraffe)\b\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass
class _Blip:
    processor: Any
    model: Any


def clean_caption(text: str) -> str:
    """Tidy a generated caption: no artefact words, single spaces, first letter upper-case."""
    text = _SPACES.sub(" ", _ARTEFACTS.sub("", text)).strip(" .,")
    return text[:1].upper() + text[1:]


class Captioner(Model):
    """A sentence describing each photo, from a BLIP captioning model."""

    kind = "caption"

    def __init__(self, name: str, max_new_tokens: int = 30, num_beams: int = 1, batch_size: int = 8) -> None:
        super().__init__(name)
        self.max_new_tokens = max_new_tokens
        self.num_beams = num_beams
        self.batch_size = max(1, batch_size)

    def _load(self) -> _Blip:
        require_packages("torch", "transformers")
        use_torch_threads(self.threads)
        from transformers import AutoProcessor, BlipForConditionalGeneration

        source = resolve(self.name)
        processor = AutoProcessor.from_pretrained(source.path, local_files_only=source.local_only)
        model = BlipForConditionalGeneration.from_pretrained(source.path, local_files_only=source.local_only)
        return _Blip(processor, model.eval())

    def caption(self, images: list[Image]) -> list[str]:
        """One cleaned caption per image, computed `batch_size` images at a time."""
        blip: _Blip = self.loaded()
        captions: list[str] = []
        for start in range(0, len(images), self.batch_size):
            captions.extend(self._caption_batch(blip, images[start : start + self.batch_size]))
        return captions

    def _caption_batch(self, blip: _Blip, images: list[Image]) -> list[str]:
        import torch

        inputs = blip.processor(images=images, return_tensors="pt")
        with torch.inference_mode():
            tokens = blip.model.generate(
                pixel_values=inputs["pixel_values"],
                max_new_tokens=self.max_new_tokens,
                num_beams=self.num_beams,
            )
        texts = blip.processor.batch_decode(tokens, skip_special_tokens=True)
        return [clean_caption(text) for text in texts]
