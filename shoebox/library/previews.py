"""Thumbnails rendered after an upload: an upload keeps only what it must before it answers (the original and
the small grid thumbnail); the 1440 px preview is rendered by the worker right after, or on first view, whichever
comes first (both write it through a temp file and a rename, so a race between them is harmless)."""

from __future__ import annotations

import logging
from pathlib import Path

from shoebox.library.storage import Storage, remove_quietly, thumbnail_intact
from shoebox.media.errors import MediaError
from shoebox.media.thumbnails import render_thumbnail_from

log = logging.getLogger(__name__)


def ensure_thumbnail(storage: Storage, user_id: int, sha256: str, size: str) -> Path | None:
    """The thumbnail `size` of the original (user_id, sha256), rendered from it unless it is there and intact;
    None where the original is gone (its photo deleted). Raises a MediaError where the original cannot be
    decoded."""
    path = storage.thumbnail_path(user_id, sha256, size)
    if thumbnail_intact(path):
        return path
    original = storage.original_path(user_id, sha256)
    try:
        data = render_thumbnail_from(original, size)
    except FileNotFoundError:
        return None
    storage.write_thumbnail(data, user_id, sha256, size)
    if not original.exists():  # deleted while rendering: leave no orphan behind
        remove_quietly(path)
        return None
    return path


def render_preview(storage: Storage, user_id: int, sha256: str) -> None:
    """The worker's job after an upload: render the photo's preview (an original that cannot be decoded is
    logged: its preview is answered as the API's error on view)."""
    try:
        ensure_thumbnail(storage, user_id, sha256, "large")
    except MediaError as exc:
        log.warning("cannot render the preview of %s: %s", sha256, exc)
