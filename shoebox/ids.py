"""What counts as a row id: a whole number in 1..2**31-1, the range of the id columns (INTEGER: 32 bits on
PostgreSQL; SQLite's are wider, but the same code and migrations serve both, so the narrower range is the rule).

A bigger number is no id at all: PostgreSQL refuses to compare it with an integer column (a 500), and SQLite's
driver cannot bind one beyond 64 bits (a 500). Every id from a client (URL, query parameter, cursor, JSON body)
is checked here. Should the id columns become BIGINT, MAX_ID becomes 2**63-1.
"""

from __future__ import annotations

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, ValidationError

MAX_ID = 2**31 - 1


def is_id(value: object) -> bool:
    """True for an int (not a bool) that can be a row id."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number out of 1..MAX_ID is a 404 (no row has it), never a query."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        try:
            return super().to_python(value)
        except ValidationError:  # werkzeug would go on matching and answer 405 for PATCH or DELETE: say 404
            raise NotFound(f"there is nothing with the id {value[:40]}") from None


def whole_number(text: str) -> int | None:
    """The number `text` spells in ASCII digits, or None: not digits (`int()` takes "+1", " 1", "1_0", "١"), or
    more than 19 of them (longer than any 64-bit number; `int()` of thousands of digits is slow, then refused)."""
    if text.isascii() and text.isdigit() and len(text) <= 19:
        return int(text)
    return None
