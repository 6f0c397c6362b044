"""Reading a photo file: probe what it is, inspect an upload, or open it at the smallest scale an output needs.
Together with the openers of media.formats, the one way Shoebox reads an image file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from shoebox.media.decoding import decode_reduced, upright_size
from shoebox.media.errors import TooManyPixels, readable
from shoebox.media.formats import Format, Kind, open_file
from shoebox.media.metadata import PhotoMetadata
from shoebox.media.thumbnails import render_upload_thumbnails


@dataclass(frozen=True)
class Probe:
    """What a file is: its kind and format, and its size as shown (after its EXIF orientation)."""

    kind: Kind
    format: str
    mime_type: str
    width: int
    height: int


@dataclass(frozen=True)
class Inspection:
    """An upload checked and read: what it is, its metadata, its thumbnails and their difference hash."""

    probe: Probe
    metadata: PhotoMetadata
    thumbnails: dict[str, bytes]
    phash: int


def probe(path: Path) -> Probe:
    """What the file at `path` is, read from its header (no pixels decoded); raises a MediaError."""
    with readable(), open_file(path) as (fmt, image):
        return _probe(fmt, image)


def inspect(path: Path, max_pixels: int) -> Inspection:
    """Check that the file is one Shoebox takes, of at most `max_pixels`; read its metadata; render its small
    thumbnail (both sizes where the file cannot be decoded reduced). Raises a MediaError (an OSError only for a
    fault of the disk)."""
    with readable(), open_file(path) as (fmt, image):
        if image.width * image.height > max_pixels:
            raise TooManyPixels(f"{image.width}x{image.height} is more than the {max_pixels // 1_000_000} "
                                f"megapixel limit")
        found = _probe(fmt, image)
        # The size as the photo is shown (a portrait phone photo is taller than wide), whatever the reader saw.
        metadata = replace(fmt.metadata_reader(image, fmt.name, fmt.mime_type), width=found.width,
                           height=found.height)
        thumbnails, phash = render_upload_thumbnails(image)
    return Inspection(found, metadata, thumbnails, phash)


def read_file_metadata(path: Path) -> PhotoMetadata:
    """The metadata of the file at `path` as its format's reader gives it (no pixels decoded); raises a
    MediaError (an OSError only for a fault of the disk)."""
    with readable(), open_file(path) as (fmt, image):
        return fmt.metadata_reader(image, fmt.name, fmt.mime_type)


def open_small(path: str | Path, side: int, mode: str = "RGB") -> Image.Image:
    """The photo at `path` upright, in `mode`, no larger than `side` on its longest side: decoded reduced
    (JPEG draft; the pixel budget for the others), in sRGB, for models and face crops. Raises a MediaError
    where the file cannot be decoded."""
    with readable(), open_file(Path(path)) as (_fmt, image):
        return decode_reduced(image, side, mode, resample=Image.Resampling.BICUBIC)


def _probe(fmt: Format, image: Image.Image) -> Probe:
    width, height = upright_size(image)
    return Probe(fmt.kind, fmt.name, fmt.mime_type, width, height)


def is_animated(path: Path) -> bool:
    """Whether the file is an animation browsers play (GIF, APNG, animated WebP or AVIF) with more than one
    frame; read from its headers (GIF: its frames' block lengths), no pixel decoded."""
    with readable(), open_file(path) as (fmt, image):
        return fmt.animates and bool(getattr(image, "is_animated", False))
