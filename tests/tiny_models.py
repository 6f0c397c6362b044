"""Tiny randomly initialised BLIP, ViT and CLIP models, saved once per session like real checkpoints.

A pytest plugin (see tests/conftest.py), so every test folder can analyse photos through real models."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

WORDS = ["a", "the", "cat", "dog", "on", "in", "snow", "beach", "photo", "of", "red", "car", "sitting", "with"]
VIT_LABELS = [
    "tabby, tabby cat",
    "Egyptian cat",
    "golden retriever",
    "seashore, coast, seacoast, sea-coast",
    "nematode, nematode worm, roundworm",
    "bolo tie, bolo, bola tie, bola",
]


def make_photo(seed: int, size: tuple[int, int] = (96, 64)) -> Image.Image:
    """A small RGB picture that differs per seed."""
    img = Image.new("RGB", size, ((seed * 70) % 256, (seed * 130) % 256, (seed * 200) % 256))
    draw = ImageDraw.Draw(img)
    draw.ellipse((seed % 20, 5, 40 + seed % 30, 50), fill=((seed * 33) % 256, 200, 90))
    draw.rectangle((50, 10 + seed % 15, 90, 60), fill=(20, (seed * 57) % 256, 240))
    return img


@pytest.fixture
def photos() -> list[Image.Image]:
    """Five different small photos."""
    return [make_photo(seed) for seed in range(5)]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session temp dir the tiny models are saved under."""
    return tmp_path_factory.mktemp("models")


def _bert_tokenizer():
    from transformers import BertTokenizer

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]"]
    vocab = {token: index for index, token in enumerate(specials + WORDS)}
    return BertTokenizer(vocab=vocab, bos_token="[DEC]", model_max_length=64)


@pytest.fixture(scope="session")
def blip_dir(models_dir: Path) -> Path:
    """A tiny BLIP captioning model + processor saved like `Salesforce/blip-image-captioning-large`."""
    import torch
    from transformers import BlipConfig, BlipForConditionalGeneration, BlipImageProcessor, BlipProcessor

    torch.manual_seed(0)
    tokenizer = _bert_tokenizer()
    small = {"hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 2, "num_hidden_layers": 2}
    text = dict(small, vocab_size=len(tokenizer), max_position_embeddings=64, bos_token_id=5, pad_token_id=0)
    text.update(sep_token_id=3, eos_token_id=3)
    vision = dict(small, image_size=32, patch_size=8)
    config = BlipConfig(text_config=text, vision_config=vision, projection_dim=32)
    model = BlipForConditionalGeneration(config).eval()
    processor = BlipProcessor(BlipImageProcessor(size={"height": 32, "width": 32}), tokenizer)
    path = models_dir / "blip"
    model.save_pretrained(path)
    processor.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def vit_dir(models_dir: Path) -> Path:
    """A tiny ViT ImageNet-style classifier whose labels are real ImageNet label strings."""
    import torch
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(0)
    config = ViTConfig(
        hidden_size=32,
        intermediate_size=64,
        num_attention_heads=2,
        num_hidden_layers=2,
        image_size=32,
        patch_size=8,
        id2label=dict(enumerate(VIT_LABELS)),
        label2id={label: index for index, label in enumerate(VIT_LABELS)},
    )
    path = models_dir / "vit"
    ViTForImageClassification(config).eval().save_pretrained(path)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(path)
    return path


def _byte_chars() -> list[str]:
    """The 256 printable stand-ins byte-level BPE uses for bytes (as in GPT-2 and CLIP)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    extra = [b for b in range(256) if b not in printable]
    return [chr(b) for b in printable] + [chr(256 + n) for n in range(len(extra))]


def _clip_tokenizer():
    from transformers import CLIPTokenizer

    chars = _byte_chars()
    tokens = chars + [c + "</w>" for c in chars] + ["<|startoftext|>", "<|endoftext|>"]
    return CLIPTokenizer(vocab={t: i for i, t in enumerate(tokens)}, merges=[], model_max_length=32)


@pytest.fixture(scope="session")
def clip_dir(models_dir: Path) -> Path:
    """A tiny CLIP (image + text towers) with processor, saved under a name containing "clip"."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    torch.manual_seed(0)
    path = models_dir / "tiny-clip"
    tokenizer = _clip_tokenizer()
    small = {"hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 2, "num_hidden_layers": 2}
    text = dict(small, vocab_size=len(tokenizer), max_position_embeddings=32, eos_token_id=len(tokenizer) - 1)
    config = CLIPConfig(text_config=text, vision_config=dict(small, image_size=32, patch_size=8), projection_dim=16)
    CLIPModel(config).eval().save_pretrained(path)
    image_processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor, tokenizer).save_pretrained(path)
    return path
