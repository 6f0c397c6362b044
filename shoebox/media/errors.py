"""Why media/ cannot take a file. Each error's text says why without naming the file: the caller names it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, UnidentifiedImageError


class MediaError(Exception):
    """A file Shoebox cannot take."""


class NotMedia(MediaError):
    """No opener recognises the file (a text file, an SVG, a truncated header)."""


class UnsupportedFormat(MediaError):
    """A file of a known format that is not one of Shoebox's (media.formats.FORMATS)."""


class TooManyPixels(MediaError):
    """More pixels than the limit (or Pillow's decompression-bomb limit): refused before decoding them."""


class DamagedFile(MediaError):
    """A recognised file whose content cannot be decoded."""


@contextmanager
def readable() -> Iterator[None]:
    """Every way a decoder can fail on one file, as that file's MediaError, so one file never fails a batch, a
    job or an import. Plug-ins raise anything: Pillow's own refusals, NotImplementedError (a DDS variant),
    struct.error, IndexError, ZeroDivisionError, RuntimeError (libavif, libheif), MemoryError. Only an OSError
    with an errno (a fault of the disk, not of the file) stays what it is."""
    try:
        yield
    except MediaError:
        raise
    except UnidentifiedImageError as exc:
        raise NotMedia("not an image of a supported type") from exc
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(f"image too large ({exc})") from exc
    except MemoryError as exc:
        raise TooManyPixels("decoding the image needs more memory than the server has") from exc
    except NotImplementedError as exc:
        raise UnsupportedFormat(f"this variant of the format is not supported ({_reason(exc)})") from exc
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise
        raise DamagedFile(f"the image is damaged and cannot be read ({_reason(exc)})") from exc


def _reason(exc: BaseException) -> str:
    """The decoder's words, on one line and short (a plug-in's message can span lines or carry a whole path)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"
