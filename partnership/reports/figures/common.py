"""What every section of the report shares: the periods, the filters, a count beside the
previous period's, and the window of nights the queries read (see the package's docstring
for how things are counted)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, Integer, and_, case, cast, exists, func, select
from sqlalchemy.orm import aliased

from partnership.core.disclosure import Trend, change
from partnership.core.enums import ActionTaken, HandedTo, Role
from partnership.core.nights import night_bounds, night_of
from partnership.extensions import db
from partnership.public.models import PublicReport, PublicReportBehaviour
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.venues.models import Area, Venue

# (latitude, longitude) size of a hotspot square: about 222 m by 205 m at 52 degrees north.
GRID_DEGREES: Final[tuple[float, float]] = (0.002, 0.003)
# A venue or square with sightings on this many nights of the period is a repeat location.
REPEAT_NIGHTS: Final = 3
# A subject linked to sightings on this many nights of the period is a repeat subject.
REPEAT_SUBJECT_NIGHTS: Final = 2
# The when grid's columns: the local hours of a night, in the order they happen.
HOURS_OF_NIGHT: Final[tuple[int, ...]] = (18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5)
# The ranges a report can be asked for by name (see :func:`preset`).
PRESETS: Final[tuple[str, ...]] = ("this_week", "last_week", "last_4_weeks", "quarter")
# Handed to nobody: the person left on their own, so not a hand-over.
NOT_HANDED: Final = frozenset({HandedTo.NOBODY.value, ""})
NO_ACTION: Final = ActionTaken.NO_ACTION.value


# -- Periods and filters ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The nights from ``first_night`` to ``last_night``, both included."""

    first_night: date
    last_night: date

    def __post_init__(self) -> None:
        if self.last_night < self.first_night:
            raise ValueError("a period's last night cannot come before its first")

    @property
    def nights(self) -> int:
        return (self.last_night - self.first_night).days + 1

    def previous(self) -> Period:
        """The same number of nights immediately before this period."""
        return Period(
            self.first_night - timedelta(days=self.nights),
            self.first_night - timedelta(days=1),
        )

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC of the moments whose night is in the period: from 06:00 local
        on the first night's date to 06:00 local after the last night."""
        return (
            night_bounds(self.first_night - timedelta(days=1)).end,
            night_bounds(self.last_night).end,
        )

    def __contains__(self, night: object) -> bool:
        return isinstance(night, date) and self.first_night <= night <= self.last_night


def last_completed_night(today: date | datetime) -> date:
    """The latest night that has ended.

    Given a moment (aware), that is the night before the one the moment belongs to: at
    02:00 on Saturday, Thursday; at 10:00 or 20:00 on Saturday, Friday. Given a date, the
    night that started the evening before it.
    """
    if isinstance(today, datetime):
        return night_of(today) - timedelta(days=1)
    return today - timedelta(days=1)


def preset(name: str, today: date | datetime) -> Period:
    """A named range of nights, all ending with or around :func:`last_completed_night`:

    - ``this_week``: Monday to Sunday nights of the week holding the last completed night
      (so on Monday it is the week just gone; later in the week it includes nights still to
      come, counted as they happen);
    - ``last_week``: the Monday to Sunday week before that one;
    - ``last_4_weeks``: the 28 nights ending with the last completed night;
    - ``quarter``: the 13 weeks (91 nights) ending with the last completed night.

    Raises ``ValueError`` for any other name.
    """
    last = last_completed_night(today)
    monday = last - timedelta(days=last.weekday())
    if name == "this_week":
        return Period(monday, monday + timedelta(days=6))
    if name == "last_week":
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    if name == "last_4_weeks":
        return Period(last - timedelta(days=27), last)
    if name == "quarter":
        return Period(last - timedelta(days=90), last)
    raise ValueError(f"unknown report range: {name!r}")


@dataclass(frozen=True)
class Filters:
    """What the sighting-based figures are narrowed to (see the module's docstring)."""

    area_id: int | None = None
    venue_id: int | None = None
    behaviour: str | None = None

    @property
    def any(self) -> bool:
        return self.area_id is not None or self.venue_id is not None or bool(self.behaviour)

    @property
    def by_place(self) -> bool:
        return self.area_id is not None or self.venue_id is not None


@dataclass(frozen=True)
class Count:
    """A figure for the period and for the previous period of the same length."""

    current: int
    previous: int

    def trend(self, viewer_role: Role | str | None) -> Trend:
        return change(self.current, self.previous, viewer_role)

    def __add__(self, other: Count) -> Count:
        return Count(self.current + other.current, self.previous + other.previous)

    def __sub__(self, other: Count) -> Count:
        return Count(self.current - other.current, self.previous - other.previous)


ZERO: Final = Count(0, 0)


# -- Queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The two periods read together: rows from the previous period's first night to the
    current period's last, each counted on its side of the split."""

    current: Period
    previous: Period
    filters: Filters
    bounds: tuple[datetime, datetime, datetime] = field(init=False)

    def __post_init__(self) -> None:
        start, split = self.previous.utc_bounds()
        object.__setattr__(self, "bounds", (start, split, self.current.utc_bounds()[1]))

    def nights(self, column: Any) -> list[ColumnElement[bool]]:
        return [column >= self.previous.first_night, column <= self.current.last_night]

    def moments(self, column: Any) -> list[ColumnElement[bool]]:
        return [column >= self.bounds[0], column < self.bounds[2]]

    def split_nights(self, column: Any) -> tuple[Any, Any]:
        """sum() of rows on each side, for rows already bounded by :meth:`nights`."""
        current = column >= self.current.first_night
        return sum_where(current), sum_where(~current)

    def split_counts(self, night: Any, count: Any) -> tuple[Any, Any]:
        """sum() of ``count`` on each side, for counts per ``night`` already bounded by
        :meth:`nights`."""
        current = night >= self.current.first_night
        return (
            func.coalesce(func.sum(case((current, count), else_=0)), 0),
            func.coalesce(func.sum(case((~current, count), else_=0)), 0),
        )

    def split_moments(self, column: Any) -> tuple[Any, Any]:
        current = column >= self.bounds[1]
        return sum_where(current), sum_where(~current)

    def distinct_nights(self, column: Any, value: Any) -> tuple[Any, Any]:
        """count(DISTINCT value) on each side of the split by night ``column``."""
        current = column >= self.current.first_night
        return (
            func.count(case((current, value)).distinct()),
            func.count(case((~current, value)).distinct()),
        )


def sum_where(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def dialect() -> str:
    return db.session.get_bind().dialect.name


def floor_of(value: Any) -> Any:
    """The integer floor of a non-negative number, on both databases: PostgreSQL rounds when
    casting to an integer, SQLite truncates (the same as flooring for numbers >= 0)."""
    if dialect() == "sqlite":
        return cast(value, Integer)
    return cast(func.floor(value), Integer)


def sighting_conditions(window: Window, *, by_night: bool = True) -> list[ColumnElement[bool]]:
    conditions = window.nights(Sighting.night) if by_night else []
    return conditions + sighting_filters(window.filters)


def sighting_filters(filters: Filters) -> list[ColumnElement[bool]]:
    """The conditions on :class:`Sighting` that ``filters`` (area, venue, behaviour) make."""
    return record_filters(Sighting, filters)


# The behaviours of each kind of record the filters narrow, and the column naming the record.
_BEHAVIOURS: Final[dict[type[Any], tuple[type[Any], str]]] = {
    Sighting: (SightingBehaviour, "sighting_id"),
    PublicReport: (PublicReportBehaviour, "report_id"),
}


def record_filters(
    model: type[Sighting] | type[PublicReport], filters: Filters
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.area_id is not None:
        conditions.append(model.area_id == filters.area_id)
    if filters.venue_id is not None:
        conditions.append(model.venue_id == filters.venue_id)
    if filters.behaviour:
        behaviours, record = _BEHAVIOURS[model]
        other = aliased(behaviours)
        conditions.append(
            exists().where(getattr(other, record) == model.id, other.code == filters.behaviour)
        )
    return conditions


def counts(rows: Iterable[Any]) -> dict[str, Count]:
    """{code: Count} from rows of (code, current, previous), adding rows with the same code."""
    found: dict[str, Count] = defaultdict(lambda: ZERO)
    for code, current, previous in rows:
        found[code or ""] += Count(int(current), int(previous))
    return found


def in_order(codes: Iterable[str], found: Mapping[str, Count]) -> dict[str, Count]:
    """Every code of ``codes`` in order (zeros included), then any others found, sorted."""
    ordered = {code: found.get(code, ZERO) for code in codes}
    for code in sorted(set(found) - set(ordered)):
        ordered[code] = found[code]
    return ordered


def square_of(latitude: Any, longitude: Any) -> tuple[Any, Any]:
    """The grid row and column of a point, or NULLs when it has no point."""
    located = and_(latitude.is_not(None), longitude.is_not(None))
    return (
        case((located, floor_of((latitude + 90.0) / GRID_DEGREES[0]))),
        case((located, floor_of((longitude + 180.0) / GRID_DEGREES[1]))),
    )


def names_of(model: type[Venue] | type[Area], ids: list[int]) -> dict[int, str]:
    """The names of the venues (or areas) ``ids``, in one query."""
    rows = db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return {place_id: name for place_id, name in rows}


def public_report_conditions(window: Window) -> list[ColumnElement[bool]]:
    return window.nights(PublicReport.night) + record_filters(PublicReport, window.filters)
