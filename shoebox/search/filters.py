"""Search filters (date range, tag, camera, format, person, place, album, favourite, map area) as conditions on
Photo, and the values they can take (facets) among a viewer's photos."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

import numpy as np
from sqlalchemy import Select, and_, exists, false, func, or_, select, true, union
from sqlalchemy.orm import Session

from shoebox.errors import InvalidInput
from shoebox.ids import MAX_ID, is_id, whole_number
from shoebox.models import PLACE_LEVELS, Album, AlbumPhoto, Face, Person, Photo, PhotoTag, facet_counts, fold
from shoebox.models import timeline_value_counts as kept_pairs
from shoebox.places.areas import Bbox, parse_bbox
from shoebox.scope import LIBRARY, STORED, Scope, Viewer
from shoebox.search.exact import id_array

MAX_FACET_TAGS = 500
#: A tag, camera or format filter whose value at most this many of the owner's photos have reads them from its side.
SMALL_SIDE = 5000
PLACE_COLUMNS = tuple(getattr(Photo, level) for level in PLACE_LEVELS)
SUGGEST_FIELDS = ("person", "place", "tag", "camera")


def _starts(column, prefix: str):
    """`column` begins with `prefix`, any case (LIKE wildcards in the prefix are taken literally); an exact
    value is its own prefix, so whole names keep matching."""
    return func.lower(column).startswith(prefix.strip().lower(), autoescape=True)


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    tag: str | None = None
    camera: str | None = None
    format: str | None = None
    person: str | None = None  # a person's id, or their name (any case)
    place: str | None = None  # the start of a district, city, region or country (any case, any accents)
    album: int | None = None  # one of the viewer's albums (another user's id matches nothing)
    favourite: bool | None = None  # True: only the favourites; False: all but them
    bbox: Bbox | None = None  # taken inside this area of the map (a cluster on the Places page)

    def conditions(self, scope: Scope, session: Session | None = None) -> list:
        """SQL conditions on Photo for these filters, people looked up among the scope's (applied inside every
        query, on top of the scope's own). With a session, a tag, camera or format that few of the owner's photos
        have (their kept counts say) is read from its own side: its photos found by their index and sorted, not
        the whole timeline walked for them."""
        return [*self._photo_conditions(scope, session), *self._collection_conditions(scope, session)]

    def single(self) -> tuple[str, object] | None:
        """The one filter given besides the date range, as (name, value); None when there are none or several."""
        given = [(field.name, getattr(self, field.name)) for field in fields(self)
                 if field.name not in ("date_from", "date_to") and getattr(self, field.name) is not None]
        return given[0] if len(given) == 1 else None

    def superset(self, scope: Scope, session: Session | None = None) -> Superset | None:
        """Photo ids holding every photo these filters let through (in Trash too, another owner's for a tag or an
        album: the scope still decides), read from the filters' own indexes; None when no filter has such a side (a
        place, a map area, "not a favourite") or a date range is the only one (the timeline index lists the scope's
        own photos of the range as cheaply, with nothing left to check). Meaning search scores it all and checks
        only its best against the scope (shoebox.search.exact). With a session, a camera's models' or makes' part
        is read only where it adds photos the other lacks (`_camera_parts`). `exact`: the superset is the scope itself
        (the whole library filtered only by what the photo row says: camera, format, favourites, dates), read with
        the library's own conditions, so nothing is left to check."""
        exact = scope.whole_library and not (self.tag or self.album or self.person or self.place or self.bbox
                                             or self.favourite is False)
        sides = self._sides(scope, session, scope.library() if exact else Scope(Viewer(scope.owner_id, STORED)))
        return Superset(tuple(sides), exact) if sides else None

    def _sides(self, scope: Scope, session: Session | None, owned: Scope) -> list[tuple[Select, ...]]:
        """Per filter with an index of its own, the SELECTs of photo ids whose union is its side: the tag's photos
        (by name), the album's photos, the person's faces, and the owner's photos with the camera's models or makes,
        the format, or the favourites, taken in the date range: their indexes hold the date after the value, so
        the range is read from each, not intersected after (the range alone gives no side). `owned`: whose photos
        those are (every stored one of the owner's, or the library's)."""
        plan, dates = _Plan(scope, None), self._dates()
        sides: list[tuple[Select, ...]] = []
        if self.camera:
            wanted = self._camera_values()
            parts = CAMERA_PARTS
            if session is not None and scope.viewer.shelf == LIBRARY:  # the counts leave Trash out
                parts = _camera_parts(session, scope.owner_id, self.camera)
            sides.append(tuple(owned.photo_ids(column.in_(plan.known(facet, wanted)), *dates)
                               for column, facet in parts))
        if self.format:
            sides.append((owned.photo_ids(Photo.format.in_(plan.known("format", self._format_values())), *dates),))
        if self.favourite:
            sides.append((owned.photo_ids(Photo.favourite == true(), *dates),))
        others = len(sides)
        if self.tag:
            sides.append((select(PhotoTag.photo_id).where(PhotoTag.name == self.tag.lower().strip(),
                                                          PhotoTag.hidden.is_(False)),))
        if self.album:
            sides.append((select(AlbumPhoto.photo_id).where(AlbumPhoto.album_id == self.album),))
        if self.person:
            sides.append((select(Face.photo_id).where(Face.person_id.in_(scope.person_ids(_person_is(self.person)))),))
        if dates and not others and sides:
            sides.append((owned.photo_ids(*dates),))
        return sides

    def _camera_values(self):
        """Which kept camera values (models or makes) the camera filter matches: those holding its text, any case."""
        return func.lower(facet_counts.c.value).like(f"%{self.camera.strip().lower()}%")

    def _format_values(self):
        """Which kept format value the format filter matches: its name, any case."""
        return func.upper(facet_counts.c.value) == self.format.strip().upper()

    def _dates(self) -> list:
        """Conditions on Photo.taken_at: from the start of `date_from` through the end of `date_to` (no "next day":
        9999-12-31 has none)."""
        conds = []
        if self.date_from:
            conds.append(Photo.taken_at >= datetime.combine(self.date_from, datetime.min.time()))
        if self.date_to:
            conds.append(Photo.taken_at <= datetime.combine(self.date_to, datetime.max.time()))
        return conds

    def _photo_conditions(self, scope: Scope, session: Session | None) -> list:
        """What the photo itself says: its date, tags, camera, format, place and where on the map."""
        conds = self._dates()
        plan = _Plan(scope, session)
        if self.tag:
            conds.append(plan.tag(self.tag.lower().strip()))
        if self.camera:
            wanted = self._camera_values()
            conds.append(plan.values((Photo.camera_model, "camera", wanted), (Photo.camera_make, "make", wanted)))
        if self.format:
            conds.append(plan.values((Photo.format, "format", self._format_values())))
        if self.place:
            conds.append(_in_place(self.place))
        if self.bbox:
            conds.append(self.bbox.contains())
        return conds

    def _collection_conditions(self, scope: Scope, session: Session | None) -> list:
        """What the user made of it: the people in it, the album it is in, a favourite or not."""
        conds = []
        if self.person:
            conds.append(_with_person(scope, self.person))
        if self.album:
            conds.append(_Plan(scope, session).album(self.album))
        if self.favourite is not None:  # "= true", not "IS true": an index can serve it on PostgreSQL
            conds.append(Photo.favourite == (true() if self.favourite else false()))
        return conds


#: A camera filter's parts: the photos with one of its models, and those with one of its makes.
CAMERA_PARTS = ((Photo.camera_model, "camera"), (Photo.camera_make, "make"))


def _camera_parts(session: Session, owner_id: int, camera: str) -> tuple:
    """The parts of a camera's side worth reading, by the (make, model) pairs the library's photos have (kept by
    month, timeline_value_counts; '' for none): the models' part when some photo matches by its model alone, the
    makes' when some matches by its make alone, one of them when every match has both ("canon": "Canon EOS R5" by
    "Canon"; the model's part alone for a model from the facet list): one 100,000-id read at 1M, not two."""
    pairs, text = kept_pairs.c, f"%{camera.strip().lower()}%"
    model, make = (and_(column != "", func.lower(column).like(text)) for column in (pairs.camera_model,
                                                                                    pairs.camera_make))
    mine = (pairs.user_id == owner_id, pairs.n > 0)
    model_alone, make_alone, any_make = session.execute(select(
        exists().where(*mine, model, ~make), exists().where(*mine, make, ~model), exists().where(*mine, make))).one()
    if model_alone:
        return CAMERA_PARTS if make_alone else CAMERA_PARTS[:1]
    return CAMERA_PARTS[1:] if any_make else CAMERA_PARTS[:1]


@dataclass(frozen=True)
class Superset:
    """Photo ids holding every photo some filters let through: those common to its sides, each side the union of
    its SELECTs (a camera: the photos of its models and of its makes). Each is read on its own from its index and
    they are combined in numpy: a SQL UNION or INTERSECT of two 100,000-id sides at a million photos cost 33-43 ms
    (temporary B-trees), reading one 8 ms, combining them in numpy a few."""

    sides: tuple[tuple[Select, ...], ...]
    #: The ids are the scope's own: none needs checking against it.
    exact: bool = False

    def ids(self, session: Session) -> np.ndarray:
        """The ids, sorted, each once."""
        common: np.ndarray | None = None
        for side in self.sides:
            ids = _side_ids(session, side)
            common = ids if common is None else _common(common, ids)
            if not len(common):
                break
        return common


def _side_ids(session: Session, side: tuple[Select, ...]) -> np.ndarray:
    """The union of these SELECTs' ids, sorted, each once (a person's photo may hold two of their faces). Each part
    comes from its index nearly sorted (by date, or by id), so a stable sort (runs merged) costs little."""
    parts = [id_array(session, select_) for select_ in side]
    ids = parts[0] if len(parts) == 1 else np.concatenate(parts)
    if len(ids) > 1 and (len(parts) > 1 or not bool(np.all(ids[1:] > ids[:-1]))):
        ids = np.sort(ids, kind="stable")
        ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]
    return ids


def _common(sorted_ids: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The ids of `other` (sorted, unique) that are in `sorted_ids` too."""
    at = np.minimum(np.searchsorted(sorted_ids, other), max(len(sorted_ids) - 1, 0))
    return other[sorted_ids[at] == other] if len(sorted_ids) else sorted_ids


def _in_place(prefix: str):
    """Photos one of whose place levels begins with `prefix`, compared folded ("ile-de-france" finds
    "Île-de-France", "par" finds Paris): one LIKE on the folded key that the ORM keeps beside the levels.
    A prefix of punctuation alone ("%") finds nothing."""
    folded = fold(prefix)
    return Photo.place_key.contains(f"|{folded}", autoescape=True) if folded or not prefix.strip() else false()


class _Plan:
    """How a tag, camera or format filter reads: a value that at most SMALL_SIDE of the owner's photos have (or a
    fiftieth of them, in a bigger library) from its own side, `id IN (its photos)`, sorted after; a commoner one as
    a condition checked while the timeline index is walked newest first (a page fills after a few rows). Without
    a session, always the latter."""

    def __init__(self, scope: Scope, session: Session | None) -> None:
        self.scope, self.session = scope, session
        self._library: int | None = None

    def tag(self, name: str):
        shown = [PhotoTag.name == name, PhotoTag.hidden.is_(False)]
        if self._few([("tag", facet_counts.c.value == name)]):
            return Photo.id.in_(select(PhotoTag.photo_id).where(*shown))
        return exists().where(PhotoTag.photo_id == Photo.id, *shown)

    def values(self, *columns):
        """Photos whose `column` is one of the owner's values of `facet` that are `wanted`, for any of the
        (column, facet, wanted) given."""
        known = [(column, self.known(facet, wanted)) for column, facet, wanted in columns]
        if self._few([(facet, wanted) for _column, facet, wanted in columns]):
            stored = self.scope.stored()
            ids = [stored.photo_ids(column.in_(values)) for column, values in known]
            return Photo.id.in_(union(*ids) if len(ids) > 1 else ids[0])
        return or_(*(column.in_(values) for column, values in known))

    def album(self, album_id: int):
        """A small album (as `_few` says) as `id IN (its photos)`; a bigger one as a probe of each photo checked
        (`IN` would list all of its photos for every statement: a meaning search checks its best a slice at a time,
        and listing a 100,000-photo album each time cost 20 ms at a million photos)."""
        mine = Album.id == album_id
        if self.session is None or self._small(self.session.scalar(select(func.count()).select_from(
                select(AlbumPhoto.id).where(AlbumPhoto.album_id == album_id).limit(self._limit() + 1).subquery()))):
            return self.scope.in_albums(mine)
        return exists().where(AlbumPhoto.photo_id == Photo.id, AlbumPhoto.album_id.in_(self.scope.album_ids(mine)))

    def known(self, facet: str, wanted):
        """SELECT of the `wanted` values of one filter among every value the owner's stored photos have (kept with
        the counts: a value only photos in Trash have is there with 0)."""
        return select(facet_counts.c.value).where(facet_counts.c.user_id == self.scope.owner_id,
                                                  facet_counts.c.facet == facet, wanted)

    def _few(self, wanted: list) -> bool:
        """Whether at most SMALL_SIDE (or a fiftieth of the library) of the owner's photos have these values."""
        return self.session is not None and self._small(self.have(wanted))

    def have(self, wanted: list) -> int:
        """How many of the owner's photos in the library have these (facet, condition on the value) values."""
        owner = facet_counts.c.user_id == self.scope.owner_id
        return sum(self.session.scalar(select(func.coalesce(func.sum(facet_counts.c.n), 0)).where(
            owner, facet_counts.c.facet == facet, condition)) for facet, condition in wanted)

    def _small(self, have: int) -> bool:
        return have <= SMALL_SIDE or have <= self._limit()

    def _limit(self) -> int:
        """The most photos a side read whole may have: SMALL_SIDE, or a fiftieth of the owner's library."""
        if self._library is None:
            self._library = self.scope.library_size(self.session)
        return max(SMALL_SIDE, self._library // 50)


def _person_is(person: str):
    """A condition on Person: the one with this id, or those whose name begins with this."""
    value = person.strip()
    number = whole_number(value)
    return Person.id == number if number is not None else _starts(Person.name, value)


def _with_person(scope: Scope, person: str):
    """Photos showing one of the scope's people, given by id or by name."""
    return exists().where(Face.photo_id == Photo.id, Face.person_id.in_(scope.person_ids(_person_is(person))))


def parse_filters(args) -> Filters:
    date_from, date_to = _date(args.get("from"), "from"), _date(args.get("to"), "to")
    if date_from and date_to and date_from > date_to:  # would match nothing, silently: say so instead
        raise InvalidInput(f"the date range is reversed: from ({date_from}) is after to ({date_to})",
                           code="reversed_date_range")
    return Filters(date_from=date_from, date_to=date_to,
                   tag=args.get("tag") or None, camera=args.get("camera") or None, format=args.get("format") or None,
                   person=_person(args.get("person")), place=args.get("place") or None,
                   album=_album(args.get("album")), bbox=parse_bbox(args.get("bbox")),
                   favourite=_boolean(args.get("favourite"), "favourite"))


def facets(session: Session, scope: Scope) -> dict:
    """The values the filters can take among the scope's photos: tags (with counts), cameras and formats. The
    whole library's are its kept counts (`facet_counts`); a narrower scope (a share link) counts its own."""
    if scope.whole_library:
        return _kept_facets(session, scope.owner_id)
    count = func.count()
    tags = session.execute(scope.tag_columns(PhotoTag.name, count).where(PhotoTag.hidden.is_(False))
                           .group_by(PhotoTag.name).order_by(count.desc(), PhotoTag.name).limit(MAX_FACET_TAGS))
    cameras = session.scalars(scope.columns(Photo.camera_model).distinct().where(Photo.camera_model.is_not(None))
                              .order_by(Photo.camera_model))
    formats = session.scalars(scope.columns(Photo.format).distinct().order_by(Photo.format))
    return {"tags": [{"name": name, "count": n} for name, n in tags], "cameras": list(cameras),
            "formats": list(formats)}


def kept_values(owner_id: int, facet: str):
    """SELECT of (value, count) of one kept facet of the owner's library, values no photo has any more left out."""
    return select(facet_counts.c.value, facet_counts.c.n).where(
        facet_counts.c.user_id == owner_id, facet_counts.c.facet == facet, facet_counts.c.n > 0)


def _kept_facets(session: Session, owner_id: int) -> dict:
    n, value = facet_counts.c.n, facet_counts.c.value
    tags = session.execute(kept_values(owner_id, "tag").order_by(n.desc(), value).limit(MAX_FACET_TAGS))
    cameras = session.scalars(kept_values(owner_id, "camera").with_only_columns(value).order_by(value))
    formats = session.scalars(kept_values(owner_id, "format").with_only_columns(value).order_by(value))
    return {"tags": [{"name": name, "count": count} for name, count in tags], "cameras": list(cameras),
            "formats": list(formats)}


def suggest(session: Session, scope: Scope, field: str, prefix: str, limit: int) -> list[str]:
    """Up to `limit` values of one filter among the scope's photos (visible people only) that begin with
    `prefix`: each a DISTINCT ... LIKE 'prefix%' ... LIMIT query, never a scan into memory."""
    if field not in SUGGEST_FIELDS:
        raise InvalidInput(f"field must be one of {', '.join(SUGGEST_FIELDS)}", code="invalid_parameter")
    if field == "person":
        query = scope.people(Person.hidden.is_(False), Person.name.is_not(None), _starts(Person.name, prefix))
        found = (person.name for person in session.scalars(query.order_by(Person.name).limit(limit)))
    elif field == "place":
        found = _places(session, scope, prefix)
    elif scope.whole_library:  # a tag or camera of the whole library: its kept values
        facet = "tag" if field == "tag" else "camera"
        found = session.scalars(_values(kept_values(scope.owner_id, facet).with_only_columns(facet_counts.c.value),
                                        facet_counts.c.value, prefix, limit))
    elif field == "tag":
        found = session.scalars(_values(scope.tag_columns(PhotoTag.name).where(PhotoTag.hidden.is_(False)),
                                        PhotoTag.name, prefix, limit))
    else:
        found = session.scalars(_values(scope.columns(Photo.camera_model), Photo.camera_model, prefix, limit))
    return sorted(set(found), key=str.lower)[:limit]


def _places(session: Session, scope: Scope, prefix: str) -> list[str]:
    """The place names (any level) of the scope's photos that begin with `prefix`, compared folded: the
    distinct names of each level among the photos the place filter would find, those that begin with it kept."""
    folded = fold(prefix)
    names = (name for column in PLACE_COLUMNS for name in session.scalars(
        scope.columns(column).distinct().where(column.is_not(None), _in_place(prefix))))
    return [name for name in names if fold(name).startswith(folded)]


def _values(query, column, prefix: str, limit: int):
    return query.distinct().where(column.is_not(None), _starts(column, prefix)).order_by(column).limit(limit)


def _person(value: str | None) -> str | None:
    """A person's id or name; digits that no id can be (0, or beyond MAX_ID) are refused."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit() and not is_id(whole_number(text)):
        raise InvalidInput(f"person must be a person's id (1 to {MAX_ID}) or name", code="invalid_parameter")
    return text or None


def _album(value: str | None) -> int | None:
    """An album's id: digits that no id can be, or anything else, are refused."""
    text = (value or "").strip()
    if not text:
        return None
    number = whole_number(text)
    if not is_id(number):
        raise InvalidInput(f"album must be an album's id (1 to {MAX_ID})", code="invalid_parameter")
    return number


def _boolean(value: str | None, name: str) -> bool | None:
    """true or false; None when absent or empty."""
    text = (value or "").strip().lower()
    if text not in ("", "true", "false"):
        raise InvalidInput(f"{name} must be true or false", code="invalid_parameter")
    return None if not text else text == "true"


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a date like 2024-07-31", code="invalid_parameter") from exc
