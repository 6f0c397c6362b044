"""The timeline's shape: how many photos each month holds, newest month first, for the scrubber and the grid's
layout (a month's height follows from its count before any of its photos is fetched)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from shoebox.models import Photo, timeline_counts, timeline_tag_counts, timeline_value_counts
from shoebox.scope import Scope

#: Months counted by one statement (SQLite allows 500 SELECTs in a compound one).
MONTHS_PER_STATEMENT = 300


def month_counts(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """("YYYY-MM", count) of every month with a visible photo, newest first.

    The whole library's are its kept counts (`timeline_counts`, kept by triggers on photos: a few hundred rows
    whatever its size; 300,000 photos: 150 ms p95 counted). A narrower scope (search filters, a share link) counts
    its own: one COUNT per month over its range of the (user_id, taken_at) index, up to MONTHS_PER_STATEMENT months
    in one statement, from the newest photo's month back; an empty stretch of years is skipped by asking for the
    next older photo. Each count is a range of the index counted where it lies, so nothing is sorted: grouping by
    the month's text made SQLite sort every row in a temporary B-tree (300,000 photos: 420-1,700 ms against 20-100
    ms here, measured on a loaded machine). taken_at is local wall-clock time: a photo's month is where it was
    taken."""
    if scope.whole_library:
        return _kept(session, scope.owner_id)
    found: list[tuple[str, int]] = []
    newer_than = None
    while (latest := _latest(session, scope, before=newer_than)) is not None:
        months = _months_back(latest, MONTHS_PER_STATEMENT)
        parts = [scope.columns(literal(key), func.count()).where(*_within(start, end)) for key, start, end in months]
        statement = union_all(*parts) if len(parts) > 1 else parts[0]
        found += [(key, count) for key, count in session.execute(statement) if count]
        newer_than = months[-1][1]
    return sorted(found, reverse=True)


def _kept(session: Session, owner_id: int) -> list[tuple[str, int]]:
    """The owner's kept month counts (a month whose photos all went keeps its row, at 0), sorted here: the text's
    order under a database's collation need not be the calendar's."""
    rows = session.execute(select(timeline_counts.c.month, timeline_counts.c.n)
                           .where(timeline_counts.c.user_id == owner_id, timeline_counts.c.n > 0))
    return sorted(((month, n) for month, n in rows), reverse=True)


def kept_filtered(session: Session, owner_id: int, name: str, value, since: date | None = None,
                  until: date | None = None) -> list[tuple[str, int]] | None:
    """("YYYY-MM", count) newest first of the owner's library within one filter of KEPT_FILTERS (`name`, the value
    as the search filter takes it) and whole months from `since` to `until`, read from the kept counts (migration
    0026: a few rows per month, however many photos match); None where the date range cuts a month (the caller
    counts). Each matches as the search filter does (shoebox.search.filters): a tag by its exact lowered name,
    shown; a camera by its model or make holding the text (LIKE, any case; a photo matching both counts once);
    a format by its name, any case; favourite=true."""
    span = _whole_months(since, until)
    if span is None:
        return None
    table = timeline_tag_counts if name == "tag" else timeline_value_counts
    query = (select(table.c.month, func.sum(table.c.n)).where(table.c.user_id == owner_id, _kept_match(name, value))
             .group_by(table.c.month))
    first, last = span
    if first:
        query = query.where(table.c.month >= first)
    if last:
        query = query.where(table.c.month <= last)
    return sorted(((month, int(n)) for month, n in session.execute(query) if n), reverse=True)


#: The search filters whose month counts are kept (migration 0026), read by kept_filtered one at a time.
KEPT_FILTERS = ("tag", "camera", "format", "favourite")


def _kept_match(name: str, value):
    """The kept rows one filter matches ('' is no value: no stored photo has an empty one)."""
    if name == "tag":
        return timeline_tag_counts.c.tag == value.lower().strip()
    columns = timeline_value_counts.c
    if name == "camera":
        wanted = f"%{value.strip().lower()}%"
        return or_(*(and_(column != "", func.lower(column).like(wanted))
                     for column in (columns.camera_model, columns.camera_make)))
    if name == "format":
        return and_(columns.format != "", func.upper(columns.format) == value.strip().upper())
    if name == "favourite" and value is True:
        return columns.favourite == true()
    raise ValueError(f"no kept counts for the filter {name}={value!r}")


def _whole_months(since: date | None, until: date | None) -> tuple[str | None, str | None] | None:
    """The first and last month ("YYYY-MM", None: unbounded) of a date range of whole months, else None."""
    if since and since.day != 1:
        return None
    if until and until != date.max and (until + timedelta(days=1)).day != 1:
        return None
    return (_month(since) if since else None), (_month(until) if until else None)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _latest(session: Session, scope: Scope, before: datetime | None) -> datetime | None:
    """When the newest visible photo (taken before `before`, if given) was taken."""
    query = scope.columns(Photo.taken_at).order_by(Photo.taken_at.desc()).limit(1)
    return session.scalar(query.where(Photo.taken_at < before) if before else query)


def _within(start: datetime, end: datetime | None) -> list:
    return [Photo.taken_at >= start, *([Photo.taken_at < end] if end else [])]


def _months_back(moment: datetime, count: int) -> list[tuple[str, datetime, datetime | None]]:
    """(key, first instant, first instant of the next month or None after 9999-12) of `count` months back from
    `moment`'s month (fewer at year 1)."""
    months = []
    year, month = moment.year, moment.month
    while len(months) < count and year >= 1:
        end = datetime(year + month // 12, month % 12 + 1, 1) if (year, month) != (9999, 12) else None
        months.append((f"{year:04d}-{month:02d}", datetime(year, month, 1), end))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months
