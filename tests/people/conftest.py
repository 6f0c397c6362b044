"""Real photos for the people, places and text tests (scikit-image's bundled pictures) and an app that runs
the real offline models on them."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import skimage
from PIL import ExifTags, Image, ImageOps

from shoebox.ai.registry import clear_cache
from tests.backends import make_app
from tests.conftest import make_jpeg

GPS = ExifTags.GPS


def skimage_data() -> Path:
    """scikit-image's bundled pictures (a dev requirement)."""
    return Path(skimage.__file__).parent / "data"


def encoded(image: Image.Image, fmt: str = "PNG", **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def astronaut() -> Image.Image:
    with Image.open(skimage_data() / "astronaut.png") as image:
        return image.convert("RGB")


def astronaut_png() -> bytes:
    return (skimage_data() / "astronaut.png").read_bytes()


def astronaut_mirrored_jpeg() -> bytes:
    """The same face mirrored and rescaled: other bytes, same person."""
    return encoded(ImageOps.mirror(astronaut()).resize((400, 400), Image.Resampling.LANCZOS), "JPEG", quality=90)


def other_face_png(index: int = 1) -> bytes:
    """Someone else: an LFW face crop enlarged and framed so the detector can see it."""
    faces = np.load(skimage_data() / "lfw_subset.npy")
    face = Image.fromarray((faces[index] * 255).astype(np.uint8)).resize((150, 150), Image.Resampling.BICUBIC)
    return encoded(ImageOps.expand(face, border=75, fill=128).convert("RGB"))


def page_png() -> bytes:
    return (skimage_data() / "page.png").read_bytes()


def gps_jpeg(lat: float, lon: float, color=(90, 140, 200)) -> bytes:
    """A plain picture whose EXIF says where it was taken."""
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
    gps[GPS.GPSLatitude] = _dms(abs(lat))
    gps[GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
    gps[GPS.GPSLongitude] = _dms(abs(lon))
    return make_jpeg(size=(320, 240), color=color, exif=exif)


def _dms(value: float) -> tuple[float, float, float]:
    degrees, rest = int(value), (value - int(value)) * 60
    return float(degrees), float(int(rest)), round((rest - int(rest)) * 60, 2)


def offline_app(data_dir: Path, **settings):
    """An app with only the offline models (faces, text, places) switched on, jobs run at once."""
    clear_cache()
    config = {"DATA_DIR": str(data_dir), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none",
              "TAG_MODEL": "none", "EMBED_MODEL": "none", "FACE_MIN_COUNT": 2, "FACES_ENABLED": True,
              "OCR_ENABLED": True, "PLACES_ENABLED": True, **settings}
    return make_app(config)
