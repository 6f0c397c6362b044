"""Camera RAW files (DNG, CR2, CR3, NEF, ARW, RAF, ORF, RW2 and their kin) through LibRaw (`rawpy`).

A RAW is recognised by its content, never by its name (a stored original has none): a RAW signature (CR3, RAF,
ORF, RW2, CRW, MRW, X3F), a CR2 marker, a DNG version tag, or a TIFF whose first directory is not a plain picture
(a reduced preview, sub-directories, CFA data) and that LibRaw opens. A plain TIFF never reaches LibRaw, which
would take a 16-bit greyscale scan from a camera maker's scanner for a sensor dump.

It opens as a `RawImage`: an Image of the sensor's size whose pixels are decoded on `load()`, from the camera's
embedded preview where that is large enough for what `draft()` asked (fast: a JPEG decode, itself drafted), else by
demosaicing at half size. Pixels stay in the sensor's orientation and the EXIF orientation (LibRaw's `flip`) says
how to turn them, as for a JPEG. What the decode needs of EXIF (orientation, colour space) comes from the file's
TIFF structure where it has one, else from the embedded preview JPEG; the photo's metadata (camera, dates, GPS) is
read by exiv2 as for every format (media.metadata), and LibRaw's own exposure values fill what it lacks.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import IO, Any

import numpy as np
import rawpy
from PIL import ExifTags, Image, TiffImagePlugin, UnidentifiedImageError

from shoebox.media.errors import DamagedFile, UnsupportedFormat
from shoebox.media.metadata import PhotoMetadata, _exposure, read_metadata
from shoebox.media.profiles import implied_profile

#: (offset, bytes, family) of RAW files that do not start as a TIFF (or start as one with a maker's mark).
_SIGNATURES = (
    (4, b"ftypcrx ", "CR3"),
    (0, b"FUJIFILMCCD-RAW", "RAF"),
    (0, b"\x00MRM", "MRW"),
    (0, b"FOVb", "X3F"),
    (6, b"HEAPCCDR", "CRW"),
    (0, b"IIRO", "ORF"), (0, b"IIRS", "ORF"), (0, b"MMOR", "ORF"),
    (0, b"IIU\x00", "RW2"),
    (8, b"CR\x02", "CR2"),
)
#: Families whose data is a TIFF structure (with the maker's own first four bytes for ORF and RW2): EXIF is there.
_TIFF_FAMILIES = frozenset({"DNG", "CR2", "NEF", "ARW", "ORF", "RW2", "PEF", "SRW", "RAW"})
#: TIFF-based RAWs without a mark of their own, by the maker in their first directory.
_MAKERS = (("NIKON", "NEF"), ("SONY", "ARW"), ("PENTAX", "PEF"), ("RICOH", "PEF"), ("SAMSUNG", "SRW"))
_DNG_VERSION, _SUB_IFDS, _NEW_SUBFILE_TYPE, _PHOTOMETRIC = 50706, 330, 254, 262
_CFA_PHOTOMETRIC = (32803, 34892)  # colour filter array, linear raw
#: LibRaw's `flip` (0 none, 3 180 degrees, 5 90 CCW, 6 90 CW; 1, 2, 4, 7 mirrored) as an EXIF orientation.
_ORIENTATION = {0: 1, 1: 2, 2: 4, 3: 3, 4: 5, 5: 8, 6: 6, 7: 7}
#: An embedded preview stands for the photo only where its proportions are the sensor's (within 2 %).
_ASPECT_TOLERANCE = 0.02


def family_of(fp: IO[bytes]) -> str | None:
    """The RAW family a file's content says it is ("DNG", "NEF", ... or "RAW" for another TIFF-based one), None
    for anything else. Reads the header and, for a TIFF, its first directory."""
    fp.seek(0)
    head = fp.read(32)
    for offset, signature, family in _SIGNATURES:
        if head[offset:offset + len(signature)] == signature:
            return family
    if head[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    try:
        ifd = TiffImagePlugin.ImageFileDirectory_v2(head[:8])
        fp.seek(ifd.next)
        ifd.load(fp)
    except Exception:  # a damaged TIFF directory: not ours to judge, Pillow's TIFF opener will say
        return None
    return _tiff_family(ifd)


def _tiff_family(ifd: TiffImagePlugin.ImageFileDirectory_v2) -> str | None:
    if _DNG_VERSION in ifd:
        return "DNG"
    first_is_picture = (_SUB_IFDS not in ifd and ifd.get(_PHOTOMETRIC) not in _CFA_PHOTOMETRIC
                        and not int(ifd.get(_NEW_SUBFILE_TYPE, 0)) & 1)
    if first_is_picture:
        return None
    make = str(ifd.get(ExifTags.Base.Make, "")).upper()
    return next((family for prefix, family in _MAKERS if make.startswith(prefix)), "RAW")


def open_raw(path: Path) -> Image.Image:
    """A RAW file opened (its header only: no pixel decoded) as a RawImage; UnidentifiedImageError for any other
    file, UnsupportedFormat or DamagedFile for a RAW that LibRaw cannot read."""
    with open(path, "rb") as fp:
        family = family_of(fp)
    if family is None:
        raise UnidentifiedImageError(f"{path} is not a camera RAW file")
    try:
        raw = rawpy.imread(str(path))
    except rawpy.LibRawFileUnsupportedError as exc:
        if family == "RAW":  # a TIFF that only looked like a RAW: Pillow may still read it
            raise UnidentifiedImageError(f"{path} is not a camera RAW file") from exc
        raise UnsupportedFormat(f"{family} RAW files from this camera are not supported (LibRaw "
                                f"{rawpy.libraw_version[0]}.{rawpy.libraw_version[1]} cannot decode them)") from exc
    except (rawpy.LibRawError, OSError) as exc:
        label = "RAW" if family == "RAW" else f"{family} RAW"
        raise DamagedFile(f"the {label} file is damaged and cannot be read ({_reason(exc)})") from exc
    return RawImage(Path(path), family, raw)


def _reason(exc: Exception) -> str:
    text = exc.args[0] if exc.args else exc
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


class RawImage(Image.Image):
    """A RAW file's picture, decoded on `load()` from its embedded preview or by a half-size demosaic."""

    format_description = "camera RAW (LibRaw)"

    def __init__(self, path: Path, family: str, raw: rawpy.RawPy) -> None:
        super().__init__()
        self.format = family
        self.filename = str(path)
        self.raw = raw
        self._mode = "RGB"
        self._size = (raw.sizes.width, raw.sizes.height)
        self._flip = raw.sizes.flip
        self._preview: Image.Image | None = None
        self._thumb: rawpy.Thumbnail | bool | None = None  # LibRaw's preview, once read; False: it has none
        self._wanted = max(self._size)  # the longest side asked for (by draft)
        self._raw_exif: Image.Exif | None = None
        self._exif_fp: IO[bytes] | None = None

    def draft(self, mode: str | None, size: tuple[int, int] | None) -> tuple[str, tuple[int, int, int, int]] | None:
        """Decode from the embedded preview where it has at least `size`'s longest side and the sensor's
        proportions (the preview JPEG itself decoded reduced); else demosaic, at half size where that is enough."""
        if self._im is not None or not size:
            return None
        self._wanted = max(size)
        preview = self._embedded_preview()
        if preview is None or max(preview.size) < max(size) or not _same_proportions(preview.size, self.size):
            return None
        scale = max(size) / max(preview.size)
        preview.draft("RGB", (max(1, round(preview.width * scale)), max(1, round(preview.height * scale))))
        self._preview = preview
        self._size = preview.size
        return "RGB", (0, 0, *preview.size)

    def load(self) -> Any:
        if self._im is None:
            try:
                picture = self._decode_preview() if self._preview is not None else self._demosaic()
            except rawpy.LibRawError as exc:
                raise OSError(f"its sensor data is cut short or damaged: {_reason(exc)}") from exc
            self.im, self._size, self._mode = picture.im, picture.size, picture.mode
        return super().load()

    def _decode_preview(self) -> Image.Image:
        with self._preview as preview:
            preview.load()
            return preview.convert("RGB")

    def _demosaic(self) -> Image.Image:
        """LibRaw's decode with the camera's white balance, 8 bits, not turned (the EXIF orientation is applied
        with every other format's), in the colour space the camera was set to, as its preview is: Adobe RGB where
        EXIF says so (media.colour then converts it to sRGB as for any such photo), else sRGB. At half size (each
        2x2 sensor block one pixel: no interpolation, 4x faster) unless that is smaller than asked."""
        half = max(self.size) // 2 >= self._wanted
        space = rawpy.ColorSpace.Adobe if implied_profile(self.getexif()) else rawpy.ColorSpace.sRGB
        rgb = self.raw.postprocess(half_size=half, use_camera_wb=True, output_bps=8, user_flip=0, output_color=space)
        return Image.fromarray(np.ascontiguousarray(rgb), "RGB")

    def _embedded_preview(self) -> Image.Image | None:
        """The camera's preview (the larger of preview and thumbnail) opened, not decoded; None where there is
        none LibRaw can give."""
        if self._thumb is None:
            try:
                self._thumb = self.raw.extract_thumb()
            except (rawpy.LibRawError, rawpy.NotSupportedError):
                self._thumb = False
        thumb = self._thumb
        if thumb is False:
            return None
        if thumb.format == rawpy.ThumbFormat.JPEG:
            try:
                return Image.open(io.BytesIO(thumb.data))
            except (OSError, SyntaxError, ValueError):
                return None
        data = np.asarray(thumb.data)
        if data.ndim == 3 and data.shape[2] == 3 and data.dtype == np.uint8:
            return Image.fromarray(data, "RGB")
        return None

    def getexif(self) -> Image.Exif:
        """The file's EXIF, with the orientation LibRaw found (it reads the maker's own tags too)."""
        if self._raw_exif is None:
            exif = self._tiff_exif() if self.format in _TIFF_FAMILIES else self._preview_exif()
            exif[ExifTags.Base.Orientation] = _ORIENTATION.get(self._flip, 1)
            self._raw_exif = exif
        return self._raw_exif

    def _tiff_exif(self) -> Image.Exif:
        """EXIF read in place from the RAW's TIFF structure (only the directories asked for are read)."""
        exif = Image.Exif()
        fp = self._exif_fp = open(self.filename, "rb")  # noqa: SIM115 (read lazily by get_ifd; closed in close())
        head = fp.read(8)
        exif.endian = "<" if head[:2] == b"II" else ">"
        try:  # given the first directory's offset, Pillow does not look at the maker's own first four bytes
            exif.load_from_fp(fp, struct.unpack(exif.endian + "I", head[4:8])[0])
        except Exception:  # a damaged directory: LibRaw opened the file, its metadata is not needed for that
            return Image.Exif()
        return exif

    def _preview_exif(self) -> Image.Exif:
        """The EXIF of the embedded preview JPEG (RAF, CR3 and other non-TIFF RAWs); empty where it has none."""
        preview = self._embedded_preview()
        try:
            return preview.getexif() if preview is not None else Image.Exif()
        except Exception:
            return Image.Exif()

    def close(self) -> None:
        self.raw.close()
        if self._exif_fp is not None:
            self._exif_fp.close()
        super().close()

    def __exit__(self, *args: object) -> None:
        self.close()


def _same_proportions(first: tuple[int, int], second: tuple[int, int]) -> bool:
    ratio, other = first[0] / first[1], second[0] / second[1]
    return abs(ratio - other) <= _ASPECT_TOLERANCE * other


def read_raw_metadata(image: Image.Image, format_name: str, mime_type: str) -> PhotoMetadata:
    """A RAW's metadata as for any photo (exiv2 reads RAW files), then LibRaw's exposure, lens and date where
    the file's metadata lacks them."""
    meta = read_metadata(image, format_name, mime_type)
    if isinstance(image, RawImage):
        _fill_from_libraw(meta, image.raw)
    return meta


def _fill_from_libraw(meta: PhotoMetadata, raw: rawpy.RawPy) -> None:
    try:
        other, lens = raw.other, raw.lens
    except (rawpy.LibRawError, AttributeError, ValueError):
        return
    if meta.iso is None and other.iso_speed > 0:
        meta.iso = round(other.iso_speed)
    if meta.exposure_time is None and other.shutter_speed > 0:
        meta.exposure_time = _exposure(other.shutter_speed)
    if meta.f_number is None and other.aperture > 0:
        meta.f_number = round(other.aperture, 1)
    if meta.focal_length is None and other.focal_length > 0:
        meta.focal_length = round(other.focal_length, 1)
    if meta.lens is None and lens.model.strip():
        meta.lens = lens.model.strip()
    if meta.taken_at is None and other.timestamp.year > 1970:
        meta.taken_at = other.timestamp.replace(tzinfo=None)  # the camera's clock, as EXIF's dates are

