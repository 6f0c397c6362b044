"""Faces in photos: dlib's HOG detector, 5-point landmarks and 128-d ResNet descriptors.

The weights ship inside the PyPI package `face-recognition-models` (dlib's own model files);
dlib itself comes from the prebuilt wheel `dlib-bin`. Everything runs on the CPU, offline.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from shoebox.ai.base import Model, ModelUnavailable, require_packages
from shoebox.media.colour import to_rgb

Box = tuple[int, int, int, int]  # left, top, right, bottom, in pixels

PREDICTOR_FILE = "shape_predictor_5_face_landmarks.dat"
DESCRIPTOR_FILE = "dlib_face_recognition_resnet_model_v1.dat"
# Stored descriptors are tagged with this name: a different descriptor model means re-analysing faces.
MODEL_NAME = "dlib_face_recognition_resnet_model_v1"


@dataclass(frozen=True)
class Face:
    """One face found in an image."""

    box: Box  # in the coordinates of the image given to FaceAnalyzer.faces()
    descriptor: np.ndarray  # 128 float32; same person when the Euclidean distance is small (see clustering)
    score: float  # detector confidence; higher is surer


@dataclass
class _Dlib:
    detector: Any
    predictor: Any
    encoder: Any
    module: Any


def import_dlib() -> Any:
    """The dlib module, or ModelUnavailable saying which package to install."""
    require_packages("dlib", install="dlib-bin==20.0.1.post1")
    return importlib.import_module("dlib")


def model_dir() -> Path:
    """Folder of face-recognition-models' .dat files, found without importing the package.

    Importing it runs `from pkg_resources import ...`, which fails with setuptools >= 81 (as in this venv).
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("package face-recognition-models is not installed "
                               "(pip install face-recognition-models==0.3.0)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def shrink(image: Image.Image, max_side: int) -> tuple[Image.Image, float]:
    """The image scaled so its long side is at most `max_side`, and the factor from it back to the input."""
    width, height = image.size
    longest = max(width, height)
    if longest <= max_side:
        return image, 1.0
    factor = longest / max_side
    size = (max(1, round(width / factor)), max(1, round(height / factor)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0), factor


class FaceAnalyzer(Model):
    """Finds faces and computes a 128-d descriptor for each."""

    kind = "faces"

    def __init__(self, name: str = MODEL_NAME, *, max_side: int = 800, upsample: int = 1,
                 min_score: float = 0.2, models: str | Path | None = None) -> None:
        super().__init__(name)
        # 800 px long side with one upsampling finds faces down to ~40 px there (5% of the photo's long side).
        self.max_side = max_side
        self.upsample = upsample
        # dlib keeps any score > 0; the false detection on astronaut.png scores 0.12-0.14, real faces 0.29-2.4.
        self.min_score = min_score
        self.models = Path(models) if models else None
        # dlib's detector and ResNet keep scratch state per object: one image at a time per analyzer.
        self._inference = threading.Lock()

    def _load(self) -> _Dlib:
        dlib = import_dlib()
        folder = self.models or model_dir()
        for file in (PREDICTOR_FILE, DESCRIPTOR_FILE):
            if not (folder / file).is_file():
                raise ModelUnavailable(f"face model file {folder / file} is missing")
        return _Dlib(
            detector=dlib.get_frontal_face_detector(),
            predictor=dlib.shape_predictor(str(folder / PREDICTOR_FILE)),
            encoder=dlib.face_recognition_model_v1(str(folder / DESCRIPTOR_FILE)),
            module=dlib,
        )

    def faces(self, image: Image.Image) -> list[Face]:
        """Every face in the image, best first; boxes in the coordinates of `image` as given."""
        models = self.loaded()
        small, factor = shrink(to_rgb(image), self.max_side)
        pixels = np.ascontiguousarray(np.asarray(small, dtype=np.uint8))
        with self._inference:
            rects, scores, _ = models.detector.run(pixels, self.upsample, 0.0)
            kept = [(rect, score) for rect, score in zip(rects, scores, strict=True) if score >= self.min_score]
            if not kept:
                return []
            shapes = models.module.full_object_detections()
            for rect, _ in kept:
                shapes.append(models.predictor(pixels, rect))
            descriptors = models.encoder.compute_face_descriptor(pixels, shapes)
        found = [
            Face(box=_scale_box(rect, factor, image.size), descriptor=np.asarray(vector, dtype=np.float32),
                 score=float(score))
            for (rect, score), vector in zip(kept, descriptors, strict=True)
        ]
        return sorted(found, key=lambda face: face.score, reverse=True)


def _scale_box(rect: Any, factor: float, size: tuple[int, int]) -> Box:
    """A dlib rectangle on the scaled image as a box on the original, kept inside the picture."""
    width, height = size
    left = min(max(0, round(rect.left() * factor)), width - 1)
    top = min(max(0, round(rect.top() * factor)), height - 1)
    right = min(max(left + 1, round((rect.right() + 1) * factor)), width)
    bottom = min(max(top + 1, round((rect.bottom() + 1) * factor)), height)
    return left, top, right, bottom


def crop(image: Image.Image, box: Box, size: int = 160, margin: float = 0.4) -> Image.Image:
    """A square `size` x `size` thumbnail of the face in `box`, with `margin` (of the box size) around it."""
    left, top, right, bottom = box
    width, height = image.size
    side = max(right - left, bottom - top) * (1 + 2 * margin)
    side = max(1, min(round(side), width, height))
    # Centre on the face, then slide the square back inside the picture rather than padding it.
    x = min(max(0, round((left + right - side) / 2)), width - side)
    y = min(max(0, round((top + bottom - side) / 2)), height - side)
    square = to_rgb(image.crop((x, y, x + side, y + side)))
    return square.resize((size, size), Image.Resampling.LANCZOS)
