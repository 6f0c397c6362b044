"""Every file format Shoebox takes, one entry per family: its kind, the name and MIME type a photo of it
stores, its file name extensions, how to open it and how to read its metadata.

The upload API (through `open_file`), `flask shoebox import` and the upload page's file picker all take their
lists from here, so a new format (video frames through PyAV) is one more entry. docs/formats.md describes each,
and the formats refused.
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
from shoebox.media.jxl import open_jxl
from shoebox.media.metadata import PhotoMetadata, read_metadata
from shoebox.media.raw import open_raw, read_raw_metadata
from shoebox.media.video import open_video, read_video_metadata

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
    #: Whether a file can hold an animation that browsers play (the photo page then shows the original).
    animates: bool = False

    @property
    def mime_types(self) -> tuple[str, ...]:
        return (self.mime_type, *self.other_mime_types)


def _image(name: str, mime_type: str, *extensions: str, decoder_names: tuple[str, ...] = (),
           other_mime_types: tuple[str, ...] = (), opener: Opener = open_with_pillow, animates: bool = False
           ) -> Format:
    return Format(name, "image", mime_type, extensions, decoder_names or (name,), other_mime_types, opener,
                  animates=animates)


def _video(name: str, mime_type: str, *extensions: str, other_mime_types: tuple[str, ...] = ()) -> Format:
    """A video container, recognised by its signature (media.video) and opened as its poster frame by PyAV."""
    return Format(name, "video", mime_type, extensions, (name,), other_mime_types, opener=open_video,
                  metadata_reader=read_video_metadata)


def _raw(name: str, mime_type: str, *extensions: str) -> Format:
    """A camera RAW family, recognised by content (media.raw) and decoded by LibRaw."""
    return Format(name, "raw", mime_type, extensions, (name,), opener=open_raw, metadata_reader=read_raw_metadata)


#: Shoebox's formats. Their openers are asked in `_OPENERS`' order; the first that recognises a file opens it.
FORMATS: tuple[Format, ...] = (
    _image("JPEG", "image/jpeg", ".jpg", ".jpeg", ".jpe", decoder_names=("JPEG", "MPO")),
    _image("PNG", "image/png", ".png", animates=True),  # APNG is a PNG
    _image("WEBP", "image/webp", ".webp", animates=True),
    _image("GIF", "image/gif", ".gif", animates=True),
    _image("TIFF", "image/tiff", ".tif", ".tiff"),
    _image("BMP", "image/bmp", ".bmp"),
    _image("HEIF", "image/heic", ".heic", ".heif", other_mime_types=("image/heif",)),
    # Pillow decodes AVIF itself where it was built with libavif (its wheels are); otherwise it is not offered.
    *([_image("AVIF", "image/avif", ".avif", animates=True)] if features.check("avif") else []),
    _image("JXL", "image/jxl", ".jxl", opener=open_jxl),
    _raw("DNG", "image/x-adobe-dng", ".dng"),
    _raw("CR2", "image/x-canon-cr2", ".cr2"),
    _raw("CR3", "image/x-canon-cr3", ".cr3"),
    _raw("CRW", "image/x-canon-crw", ".crw"),
    _raw("NEF", "image/x-nikon-nef", ".nef", ".nrw"),
    _raw("ARW", "image/x-sony-arw", ".arw", ".srf", ".sr2"),
    _raw("RAF", "image/x-fuji-raf", ".raf"),
    _raw("ORF", "image/x-olympus-orf", ".orf"),
    _raw("RW2", "image/x-panasonic-rw2", ".rw2", ".rwl"),
    _raw("PEF", "image/x-pentax-pef", ".pef"),
    _raw("SRW", "image/x-samsung-srw", ".srw"),
    _raw("MRW", "image/x-minolta-mrw", ".mrw"),
    _raw("X3F", "image/x-sigma-x3f", ".x3f"),
    # Other TIFF-based RAWs LibRaw reads (Hasselblad, Kodak, Epson, Mamiya, Phase One, Leaf): "image/x-dcraw" is
    # the shared parent type of camera RAW files.
    _raw("RAW", "image/x-dcraw", ".3fr", ".erf", ".dcr", ".kdc", ".mef", ".iiq", ".mos"),
    _video("MP4", "video/mp4", ".mp4"),
    _video("MOV", "video/quicktime", ".mov", ".qt"),
    _video("M4V", "video/x-m4v", ".m4v"),
    _video("3GP", "video/3gpp", ".3gp", ".3g2", other_mime_types=("video/3gpp2",)),
    _video("WEBM", "video/webm", ".webm"),
    _video("AVI", "video/x-msvideo", ".avi", other_mime_types=("video/avi",)),
)
#: The formats of clips (their pictures are poster frames).
VIDEO_FORMATS = frozenset(fmt.name for fmt in FORMATS if fmt.kind == "video")
#: Formats every current browser shows as they are: the viewer zooms into such an original itself; any other
#: (HEIC, TIFF, JPEG XL, RAW) through a full-size rendition (media.thumbnails.render_full_from).
BROWSER_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "AVIF"})
_BY_DECODER_NAME = {name: fmt for fmt in FORMATS for name in fmt.decoder_names}
#: Openers that know their files by their own signatures are asked before Pillow, which would take a TIFF-based
#: RAW for a TIFF (and open only its small first picture).
_OPENERS = tuple(dict.fromkeys([*(fmt.opener for fmt in FORMATS if fmt.opener is not open_with_pillow),
                                open_with_pillow]))
#: How a format Shoebox refuses is named to the user (others by Pillow's name).
_REFUSED_NAMES = {"PSD": "PSD (Photoshop)", "JPEG2000": "JPEG 2000", "ICO": "ICO (icon)", "DDS": "DDS (texture)",
                  "EPS": "EPS (PostScript)"}


@contextmanager
def open_file(path: Path) -> Iterator[tuple[Format, Image.Image]]:
    """A file identified by its content and opened (pixels not decoded yet) by its format's opener, closed on
    exit. Raises UnidentifiedImageError where no opener recognises it, UnsupportedFormat where one does but
    the format is not Shoebox's (an icon, a PDF)."""
    image = _identify(Path(path))
    with image:
        fmt = _BY_DECODER_NAME.get(image.format)
        if fmt is None:
            raise UnsupportedFormat(f"{_REFUSED_NAMES.get(image.format, image.format)} files are not supported")
        try:
            yield fmt, image
        except RuntimeError as exc:
            _raise_if_coding_unsupported(fmt, exc)
            raise


def _raise_if_coding_unsupported(fmt: Format, exc: RuntimeError) -> None:
    """libheif opens a HEIF whose picture is coded with JPEG or AVC, then cannot decode it (pillow-heif's
    wheels bring only the HEVC decoder): a format refused, not a damaged file."""
    text = str(exc)
    if "has not been built in" in text:
        coding = text.rsplit(":", 1)[-1].split("(")[0].strip() or "this coding"
        raise UnsupportedFormat(f"{fmt.name} files coded with {coding} are not supported (only HEVC-coded "
                                f"HEIF/HEIC can be decoded)") from exc


def _identify(path: Path) -> Image.Image:
    error: UnidentifiedImageError | None = None
    for opener in _OPENERS:
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
