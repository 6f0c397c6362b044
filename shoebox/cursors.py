"""Opaque page cursors: unpadded URL-safe base64 of a short text, for the photo listing and search results.

Clients pass them back as they got them; anything else is an `invalid_cursor` 400, never a 500.
- keyset (the listing, newest first): "<taken_at ISO>|<photo id>", the last row of the page;
- offset (search results ranked by words): "o<offset>", where the next page starts; a search without words, or
  sorted by date, pages by keyset, as the listing (and still takes an offset cursor);
- tail (search results ranked by words, past the fused head): "t<offset>.<word set>.<rank>.<photo id>", the offset
  of the next page, which of the query's word sets found the photos, and the keyword rank and id of the page's last
  photo, from which the next page seeks (shoebox.search.service); a ranked search still takes an offset cursor.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import NamedTuple

from shoebox.errors import InvalidInput
from shoebox.ids import MAX_ID, is_id, whole_number


def encode_keyset(taken_at: datetime, photo_id: int) -> str:
    """The cursor after a photo taken at `taken_at` with this id."""
    return _pack(f"{taken_at.isoformat()}|{photo_id}")


def decode_keyset(cursor: str) -> tuple[datetime, int]:
    """(taken_at, photo id) of a keyset cursor."""
    try:
        taken_at, photo_id = _unpack(cursor).split("|")
        number = whole_number(photo_id)
        if not is_id(number):  # beyond MAX_ID PostgreSQL will not compare it with an id
            raise ValueError(photo_id)
        return datetime.fromisoformat(taken_at), number
    except ValueError as exc:
        raise _invalid() from exc


def keyset_or_offset(cursor: str | None) -> tuple[tuple[datetime, int] | None, int]:
    """Where a page newest first starts: ((taken_at, id) of a keyset cursor, 0), or (None, the offset of an offset
    cursor); (None, 0) without one."""
    if not cursor:
        return None, 0
    try:
        return decode_keyset(cursor), 0
    except InvalidInput:
        return None, decode_offset(cursor)


def encode_offset(offset: int) -> str:
    return _pack(f"o{offset}")


def decode_offset(cursor: str | None) -> int:
    """Where a page of search results starts: 0 without a cursor."""
    if not cursor:
        return 0
    try:
        raw = _unpack(cursor)
        offset = whole_number(raw[1:]) if raw.startswith("o") else None
        if offset is None or offset > MAX_ID:
            raise ValueError(raw)
        return offset
    except ValueError as exc:
        raise _invalid() from exc


class Tail(NamedTuple):
    """Where a page of ranked results past the fused head starts: its offset, the word set (an index into the
    query's), and the keyword rank and photo id of the last result before it."""

    offset: int
    word_set: int
    rank: int
    photo_id: int


def encode_tail(tail: Tail) -> str:
    return _pack("t" + ".".join(str(part) for part in tail))


def decode_ranked(cursor: str | None) -> tuple[int, Tail | None]:
    """Where a page of ranked results starts: (offset, None) for an offset cursor (0 without one), (offset, the
    tail) for a tail cursor."""
    if not cursor or not _unpack_or_empty(cursor).startswith("t"):
        return decode_offset(cursor), None
    parts = [whole_number(part) for part in _unpack(cursor)[1:].split(".")]
    if len(parts) != 4 or None in parts or parts[0] > MAX_ID or parts[1] > 1 or not all(map(is_id, parts[2:])):
        raise _invalid()
    tail = Tail(*parts)
    return tail.offset, tail


def _unpack_or_empty(cursor: str) -> str:
    try:
        return _unpack(cursor)
    except ValueError:
        return ""  # not a tail cursor: decode_offset says it is no cursor at all


def _pack(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unpack(cursor: str) -> str:
    """The text of a cursor; ValueError (UnicodeDecodeError and binascii.Error are ValueErrors) if it is none."""
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


def _invalid() -> InvalidInput:
    return InvalidInput("invalid cursor", code="invalid_cursor")
