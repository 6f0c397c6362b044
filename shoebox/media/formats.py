"""Every file format Shoebox takes, one entry per family: its kind, the name and MIME type a photo of it
stores, its file name extensions, how to open it and how to read its metadata.

The upload API (through `open_file`), `flask shoebox import` and the upload page's file picker all take their
lists from here, so a new format (RAW through rawpy, JPEG XL, video frames through PyAV) is one more entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pillow_heif
from PIL import Image, UnidentifiedImageError, features

from shoebox.media.errors import UnsupportedFormat
from shoebox.media.metadata import PhotoMetadata, read_metadata

pillow_heif.register_heif_opener()  # HEIC/HEIF from phones open like any other image

Kind = Literal["image", "raw", "video"]
#: Opens a file without decoding its pixels; raises UnidentifiedImageError for a file it does not recognise.
Opener = Callable[[Path], Image.Image]
#: (opened image, format name, MIME type) -> its metadata.
MetadataReader = Callable[[Image.Image, str, str], PhotoMetadata]


def open_with_pillow(path: Path) -> Image.Image:
    """Any file Pillow or its plug-ins (pillow-heif) recognise by content, opened lazily: the header only."""
    return Image.open(path)


@dataclass(frozen=True)
class Format:
    """One family of files. `decoder_names` are the names its opener gives such a file (`Image.format`):
    Pillow opens a JPEG that holds several pictures (MPO, as many cameras write) as "MPO"."""

    name: str
    kind: Kind
    mime_type: str
    extensions: tuple[str, ...]
    decoder_names: tuple[str, ...]
    other_mime_types: tuple[str, ...] = ()
    opener: Opener = open_with_pillow
    metadata_reader: MetadataReader = read_metadata

    @property
    def mime_types(self) -> tuple[str, ...]:
        return (self.mime_type, *self.other_mime_types)


def _image(name: str, mime_type: str, *extensions: str, decoder_names: tuple[str, ...] = (),
           other_mime_types: tuple[str, ...] = ()) -> Format:
    return Format(name, "image", mime_type, extensions, decoder_names or (name,), other_mime_types)


#: Shoebox's formats, in the order their openers are asked (the first that recognises a file opens it).
FORMATS: tuple[Format, ...] = (
    _image("JPEG", "image/jpeg", ".jpg", ".jpeg", ".jpe", decoder_names=("JPEG", "MPO")),
    _image("PNG", "image/png", ".png"),
    _image("WEBP", "image/webp", ".webp"),
    _image("GIF", "image/gif", ".gif"),
    _image("TIFF", "image/tiff", ".tif", ".tiff"),
    _image("BMP", "image/bmp", ".bmp"),
    _image("HEIF", "image/heic", ".heic", ".heif", other_mime_types=("image/heif",)),
    # Pillow decodes AVIF itself where it was built with libavif (its wheels are); otherwise it is not offered.
    *([_image("AVIF", "image/avif", ".avif")] if features.check("avif") else []),
)
_BY_DECODER_NAME = {name: fmt for fmt in FORMATS for name in fmt.decoder_names}


@contextmanager
def open_file(path: Path) -> Iterator[tuple[Format, Image.Image]]:
    """A file identified by its content and opened (pixels not decoded yet) by its format's opener, closed on
    exit. Raises UnidentifiedImageError where no opener recognises it, UnsupportedFormat where one does but
    the format is not Shoebox's (an icon, a PDF)."""
    image = _identify(Path(path))
    with image:
        fmt = _BY_DECODER_NAME.get(image.format)
        if fmt is None:
            raise UnsupportedFormat(f"{image.format} images are not supported")
        yield fmt, image


def _identify(path: Path) -> Image.Image:
    error: UnidentifiedImageError | None = None
    for opener in dict.fromkeys(fmt.opener for fmt in FORMATS):
        try:
            return opener(path)
        except UnidentifiedImageError as exc:
            error = exc
    raise error or UnidentifiedImageError(f"cannot identify {path}")


def accepted_extensions() -> frozenset[str]:
    """Every file name extension Shoebox takes, lower-case with its dot (".jpg")."""
    return frozenset(ext for fmt in FORMATS for ext in fmt.extensions)


def accepted_mime_types() -> tuple[str, ...]:
    """Every MIME type Shoebox takes, the stored one of each format first."""
    return tuple(dict.fromkeys(mime for fmt in FORMATS for mime in fmt.mime_types))


def accept_attribute() -> str:
    """The upload input's `accept`: the MIME types, and the extensions for systems that do not know a type
    (HEIC on most desktops)."""
    extensions = dict.fromkeys(ext for fmt in FORMATS for ext in fmt.extensions)
    return ",".join([*accepted_mime_types(), *extensions])
