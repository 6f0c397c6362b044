"""Fixtures for the offline models: each loaded once per session, skipped where its package is missing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from shoebox.ai.faces import FaceAnalyzer
from shoebox.ai.ocr import TextReader
from shoebox.ai.places import PlaceResolver


def _skimage_data() -> Path:
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("scikit-image (the test photos) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


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
    pytest.importorskip("dlib")
    if importlib.util.find_spec("face_recognition_models") is None:
        pytest.skip("face-recognition-models is not installed")
    analyzer = FaceAnalyzer()
    analyzer.loaded()
    return analyzer


@pytest.fixture(scope="session")
def text_reader() -> TextReader:
    pytest.importorskip("rapidocr_onnxruntime")
    reader = TextReader()
    reader.loaded()
    return reader


@pytest.fixture(scope="session")
def place_resolver() -> PlaceResolver:
    pytest.importorskip("reverse_geocode")
    resolver = PlaceResolver()
    resolver.loaded()
    return resolver


@pytest.fixture(scope="session")
def astronaut_face(face_analyzer, photo):
    """The astronaut's one face, found once for the session."""
    (face,) = face_analyzer.faces(photo("astronaut.png"))
    return face
