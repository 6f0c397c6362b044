"""A missing package or model file gives ModelUnavailable with a reason, never a crash of the app."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image

from shoebox.ai import clustering, ocr
from shoebox.ai.base import ModelUnavailable
from shoebox.ai.faces import FaceAnalyzer
from shoebox.ai.ocr import TextReader
from shoebox.ai.places import PlaceResolver


@pytest.mark.parametrize(("module", "make", "call", "hint"), [
    ("dlib", FaceAnalyzer, lambda m: m.faces(Image.new("RGB", (8, 8))), "dlib-bin==20.0.1.post1"),
    ("rapidocr_onnxruntime", TextReader, lambda m: m.read(Image.new("RGB", (8, 8))), "rapidocr-onnxruntime==1.4.4"),
    ("reverse_geocode", PlaceResolver, lambda m: m.resolve(48.8, 2.3), "reverse_geocode==1.6.6"),
])
def test_a_missing_package_says_which_to_install(monkeypatch, module, make, call, hint):
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    model = make()
    with pytest.raises(ModelUnavailable, match=hint.replace(".", r"\.")):
        call(model)
    with pytest.raises(ModelUnavailable):  # remembered: no retry storm on every photo
        call(model)


def test_missing_face_model_files_are_named(tmp_path):
    with pytest.raises(ModelUnavailable, match="shape_predictor_5_face_landmarks.dat"):
        FaceAnalyzer(models=tmp_path).faces(Image.new("RGB", (8, 8)))


def test_recluster_without_dlib_is_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "dlib", None)
    with pytest.raises(ModelUnavailable, match="dlib"):
        clustering.recluster(np.zeros((2, 128), dtype=np.float32))


def test_missing_ocr_model_files_are_named_and_remembered(monkeypatch):
    pytest.importorskip("rapidocr_onnxruntime")
    monkeypatch.setattr(ocr, "MODEL_FILES", (*ocr.MODEL_FILES, "gone_infer.onnx"))
    reader = TextReader()
    reader.retry_first_s = 0.0
    for _ in range(2):
        with pytest.raises(ModelUnavailable, match="cannot be loaded: .*missing: gone_infer.onnx"):
            reader.loaded()
