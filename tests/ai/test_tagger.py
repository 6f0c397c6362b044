"""Tagger: classifier labels cleaned into short human tags, on a tiny ViT and the packaged EfficientNet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from shoebox.ai.tagger import IMAGENET_LABELS_PATH, Rule, Tagger, TagRules

LABELS = ["tabby, tabby cat", "Egyptian cat", "golden retriever", "nematode, nematode worm, roundworm", "web site"]
RULES = TagRules(
    {
        "tabby, tabby cat": Rule(("cat",)),
        "Egyptian cat": Rule(("cat",)),
        "golden retriever": Rule(("dog",)),
        "nematode, nematode worm, roundworm": Rule((), skip=True),
        "web site": Rule(("screenshot",), threshold=0.4),
    }
)


def tags_for(probs: list[float], **options: float) -> list[tuple[str, float]]:
    tagger = Tagger("unused", rules=RULES, **options)
    return tagger.tags_from_probabilities(np.array(probs, dtype=np.float32), LABELS)


def test_raw_imagenet_labels_become_short_tags_through_the_shipped_rules() -> None:
    rules = TagRules.load()

    assert rules.rule("tabby, tabby cat").tags == ("cat",)
    assert rules.rule("golden retriever").tags == ("dog",)
    assert set(rules.rule("seashore, coast, seacoast, sea-coast").tags) == {"beach", "sea"}
    assert "car" in rules.rule("sports car, sport car").tags


def test_every_rule_names_a_real_imagenet_label_and_every_dog_breed_is_a_dog() -> None:
    labels = IMAGENET_LABELS_PATH.read_text(encoding="utf-8").splitlines()
    rules = TagRules.load()

    assert len(labels) == 1000
    assert set(rules.rules) <= set(labels)
    assert all(rules.rule(label).tags == ("dog",) for label in labels[151:269] if label != "dingo")


def test_an_unmapped_label_falls_back_to_its_first_synonym_lower_cased() -> None:
    assert TagRules({}).rule("Granny Smith, apple").tags == ("granny smith",)


def test_labels_sharing_a_tag_add_up_to_one_confident_tag() -> None:
    assert tags_for([0.15, 0.12, 0.05, 0.0, 0.0], threshold=0.2) == [("cat", 0.27)]


def test_tags_below_the_threshold_are_dropped() -> None:
    assert tags_for([0.1, 0.0, 0.9, 0.0, 0.0], threshold=0.2) == [("dog", 0.9)]


def test_skipped_labels_and_labels_under_their_own_threshold_give_no_tag() -> None:
    assert tags_for([0.0, 0.0, 0.0, 0.7, 0.3], threshold=0.1) == []
    assert tags_for([0.0, 0.0, 0.0, 0.5, 0.5], threshold=0.1) == [("screenshot", 0.5)]


def test_at_most_top_k_tags_best_first() -> None:
    assert tags_for([0.3, 0.0, 0.6, 0.0, 0.1], threshold=0.0, top_k=1) == [("dog", 0.6)]


@pytest.fixture(scope="module")
def vit_tagger(vit_dir: Path) -> Tagger:
    return Tagger(str(vit_dir), threshold=0.0, top_k=3, batch_size=2)


def test_tiny_vit_gives_up_to_top_k_cleaned_tags_per_image(vit_tagger: Tagger, photos: list[Image.Image]) -> None:
    results = vit_tagger.tag(photos)

    assert len(results) == len(photos)
    for tags in results:
        assert 1 <= len(tags) <= 3
        assert {tag for tag, _ in tags} <= {"cat", "dog", "beach", "sea", "tie"}
        assert all(0.0 <= confidence <= 1.0 for _, confidence in tags)


def test_batched_tags_equal_one_at_a_time(vit_tagger: Tagger, photos: list[Image.Image]) -> None:
    batched = vit_tagger.tag(photos)
    single = [vit_tagger.tag([photo])[0] for photo in photos]

    for one, other in zip(batched, single, strict=True):
        assert [tag for tag, _ in one] == [tag for tag, _ in other]
        assert np.allclose([c for _, c in one], [c for _, c in other], atol=1e-3)


def crossword_grid() -> Image.Image:
    img = Image.new("RGB", (300, 300), "white")
    draw = ImageDraw.Draw(img)
    rng = np.random.default_rng(0)
    for row in range(15):
        for col in range(15):
            fill = "black" if rng.random() < 0.2 else "white"
            draw.rectangle((col * 20, row * 20, col * 20 + 20, row * 20 + 20), fill=fill, outline="black")
    return img


def test_packaged_efficientnet_recognises_a_crossword_grid() -> None:
    tags = Tagger("efficientnet-lite0").tag([crossword_grid()])[0]

    assert tags[0][0] == "crossword"
    assert tags[0][1] > 0.5


def test_tiny_vit_gives_its_pooled_output_as_a_unit_length_look(vit_tagger: Tagger, photos: list[Image.Image]) -> None:
    described = vit_tagger.tag_and_describe(photos)

    assert [d.tags for d in described] == vit_tagger.tag(photos)  # the same pass; the tags as before
    assert all(d.look.shape == (32,) and np.isclose(np.linalg.norm(d.look), 1.0) for d in described)
    assert vit_tagger.visual_version.startswith("vit:vit-pooled-mirrored:")


@pytest.mark.parametrize("model", ["vit", "efficientnet-lite0"])
def test_a_mirrored_photo_looks_the_same(model: str, vit_tagger: Tagger, photos: list[Image.Image]) -> None:
    tagger = vit_tagger if model == "vit" else Tagger("efficientnet-lite0")
    photo = photos[0].resize((224, 224))  # even margins: the centre crop of the mirror image is the mirrored crop

    original, mirrored = tagger.tag_and_describe([photo, ImageOps.mirror(photo)])

    assert float(original.look @ mirrored.look) > 0.999


def test_packaged_efficientnet_gives_the_same_tags_beside_a_1280_d_look() -> None:
    tagger = Tagger("efficientnet-lite0")

    (described,) = tagger.tag_and_describe([crossword_grid()])

    assert described.tags == tagger.tag([crossword_grid()])[0]
    assert described.look.shape == (1280,) and np.isclose(np.linalg.norm(described.look), 1.0)
