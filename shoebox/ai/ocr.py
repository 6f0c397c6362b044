"""Text in photos: RapidOCR (PP-OCRv4 detection + recognition, ONNX Runtime on the CPU).

The ONNX weights (16 MB, English + Chinese) ship inside the PyPI package `rapidocr-onnxruntime==1.4.4`;
later `rapidocr` releases download their models at first use, which an offline box cannot.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from PIL import Image

from shoebox.ai.base import Model, ModelUnavailable, require_packages
from shoebox.ai.faces import Box, shrink
from shoebox.media.colour import to_rgb

MODEL_NAME = "rapidocr-onnxruntime-1.4.4-ppocrv4"
#: The ONNX files rapidocr-onnxruntime 1.4.4 ships in its `models` folder (its config.yaml names them).
MODEL_FILES = ("ch_PP-OCRv4_det_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx")


class OcrLine(NamedTuple):
    """One line of text, its recognition confidence (0..1) and its box in the input image's pixels."""

    text: str
    confidence: float
    box: Box  # left, top, right, bottom


@dataclass(frozen=True)
class OcrResult:
    """All text read from one image, lines top to bottom; empty when the image shows none."""

    text: str = ""
    lines: list[OcrLine] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.text)


class TextReader(Model):
    """Reads the text in a photo, screenshot or scanned page."""

    kind = "ocr"

    def __init__(self, name: str = MODEL_NAME, *, max_side: int = 960, min_confidence: float = 0.6,
                 box_threshold: float = 0.3) -> None:
        super().__init__(name)
        # PP-OCR's standard detection size (960 px long side; RapidOCR brings the short side to 736, so 960x720
        # is detected at 992x736). Measured (bench/analyze_offline.py --ocr-sweep): every word of the 12 MP page
        # is read at 960 as at 1600, in under half the CPU time. Small images are enlarged by RapidOCR.
        self.max_side = max_side
        self.min_confidence = min_confidence
        # Detection box threshold: RapidOCR's default 0.5 drops a whole line of skimage's page.png; 0.3 keeps it.
        self.box_threshold = box_threshold

    def _load(self) -> Any:
        require_packages("rapidocr_onnxruntime", install="rapidocr-onnxruntime==1.4.4")
        module = importlib.import_module("rapidocr_onnxruntime")
        missing = [name for name in MODEL_FILES if not (Path(module.__file__).parent / "models" / name).is_file()]
        if missing:
            raise ModelUnavailable(f"rapidocr-onnxruntime's model files are missing: {', '.join(missing)}")
        # Thresholds are fixed at construction: passing them per call mutates the shared engine. Called without
        # them, RapidOCR 1.4.4 changes no state but its detector's resize step, rebuilt alike on every call (its
        # "min" limit), and ONNX Runtime sessions may run from several threads: images are read concurrently.
        # No angle classifier: photos are upright by their EXIF, and the page reads the same without it.
        return module.RapidOCR(det_box_thresh=self.box_threshold, text_score=self.min_confidence, use_cls=False,
                               **({"intra_op_num_threads": self.threads} if self.threads else {}))

    def read(self, image: Image.Image) -> OcrResult:
        """The text in the image, with each line's confidence and box; lines below min_confidence dropped."""
        engine = self.loaded()
        small, factor = shrink(to_rgb(image), self.max_side)
        raw, _ = engine(small)  # (None, None) when detection finds no text (nothing is then recognised)
        lines = [line for line in (_line(item, factor, image.size) for item in raw or [])
                 if line is not None and line.confidence >= self.min_confidence]
        return OcrResult(text="\n".join(line.text for line in lines), lines=lines)


def _line(item: Any, factor: float, size: tuple[int, int]) -> OcrLine | None:
    """One RapidOCR result [points, text, score] as an OcrLine, or None for an empty or punctuation-only line."""
    points, text, confidence = item[0], str(item[1]).strip(), float(item[2])
    if not any(char.isalnum() for char in text):
        return None
    xs = [point[0] * factor for point in points]
    ys = [point[1] * factor for point in points]
    width, height = size
    box = (max(0, round(min(xs))), max(0, round(min(ys))), min(width, round(max(xs))), min(height, round(max(ys))))
    return OcrLine(text=text, confidence=confidence, box=box)
