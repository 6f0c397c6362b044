"""Fixtures for the offline models, each loaded once per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skimage
from PIL import Image, ImageOps

from shoebox.ai.faces import FaceAnalyzer
from shoebox.ai.ocr import TextReader
from shoebox.ai.places import PlaceResolver


def _skimage_data() -> Path:
    """scikit-image's bundled pictures (a dev requirement)."""
    return Path(skimage.__file__).parent / "data"


@pytest.fixture(scope="session")
def photo():
    """Open one of scikit-image's bundled photos by file name, e.g. photo("astronaut.png")."""
    folder = _skimage_data()

    def open_photo(name: str) -> Image.Image:
        with Image.open(folder / name) as image:
            image.load()
            return image

    return open_photo


@pytest.fixture(scope="session")
def other_face():
    """A photo of someone who is not the astronaut: an LFW face crop enlarged and framed so HOG can see it."""
    faces = np.load(_skimage_data() / "lfw_subset.npy")  # 200 x 25 x 25 floats; the first 100 are faces

    def make(index: int = 1) -> Image.Image:
        face = Image.fromarray((faces[index] * 255).astype(np.uint8)).resize((150, 150), Image.Resampling.BICUBIC)
        return ImageOps.expand(face, border=75, fill=128).convert("RGB")

    return make


@pytest.fixture(scope="session")
def face_analyzer() -> FaceAnalyzer:
    analyzer = FaceAnalyzer()
    analyzer.loaded()
    return analyzer


@pytest.fixture(scope="session")
def text_reader() -> TextReader:
    reader = TextReader()
    reader.loaded()
    return reader


@pytest.fixture(scope="session")
def place_resolver() -> PlaceResolver:
    resolver = PlaceResolver()
    resolver.loaded()
    return resolver


@pytest.fixture(scope="session")
def astronaut_face(face_analyzer, photo):
    """The astronaut's one face, found once for the session."""
    (face,) = face_analyzer.faces(photo("astronaut.png"))
    return face
