"""Why media/ cannot take a file. Each error's text says why without naming the file: the caller names it."""

from __future__ import annotations


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
