"""The timeline's shape: how many photos each month holds, newest month first, for the scrubber and the grid's
layout (a month's height follows from its count before any of its photos is fetched)."""

from __future__ import annotations

from sqlalchemy import String, cast, func
from sqlalchemy.orm import Session

from shoebox.models import Photo
from shoebox.scope import Scope


def month_counts(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """("YYYY-MM", count) of every month with a visible photo, newest first: one grouped query over the
    (user_id, taken_at) index. taken_at is local wall-clock time, so a photo's month is where it was taken."""
    # The text of a timestamp starts "YYYY-MM-" on SQLite (stored as text) and PostgreSQL (cast to text) alike:
    # cheaper than strftime/to_char or EXTRACT twice, and the same on both.
    month = func.substr(cast(Photo.taken_at, String), 1, 7)
    rows = session.execute(scope.columns(month, func.count()).group_by(month).order_by(month.desc()))
    return [(key, count) for key, count in rows]
