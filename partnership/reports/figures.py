"""The partnership report's figures (issue 6): counts for a range of nights, each beside the
same count for the range of the same length just before it, computed in the database.

Nothing here audits or checks who is asking: the views do both. Nothing here holds a name or
free text about a person: subjects appear by their id only (the exporter pseudonymises them).

How things are counted:

- A **period** is a range of nights, first and last included; a night runs 18:00 to 06:00
  Europe/London and is named by the date it starts (:mod:`partnership.core.nights`). Records
  with a ``night`` column (sightings, Safe Space uses, welfare notes) are counted by it.
  Records that only have a moment (orders, renewals, details obtained) are counted when
  :func:`~partnership.core.nights.night_of` that moment is in the period, that is from 06:00
  on the first night's date to 06:00 after the last night (:meth:`Period.utc_bounds`), so
  consecutive periods neither overlap nor leave a gap. Dates (appeals received) are counted
  when they fall on one of the period's nights' dates.
- **Filters** (area, venue, behaviour) apply to every sighting-based figure: sightings and
  their breakdowns, hotspots, the when grid, repeat subjects and the details-obtained and
  intelligence measures. The venue and area filters also apply to Safe Space uses and
  welfare notes through their venue (a welfare note away from any venue then drops out;
  a venue is in an area by the same rule that gives a sighting at it its area). The
  behaviour filter does not apply to them (they record no behaviour). Red-flag notes and
  orders are never filtered.
- A **hotspot** square is a cell of a fixed grid of :data:`GRID_DEGREES` (about 200 m by
  200 m in Britain), keyed by integer row and column counted from latitude -90 and longitude
  -180, so negative longitudes (west of Greenwich) need no special case. A sighting is placed
  at its own point, or at its venue's point when it has none; a sighting with neither is not
  on the map (:attr:`Hotspots.unplaced`). A venue or square is a **repeat** location when it
  has sightings on :data:`REPEAT_NIGHTS` or more nights of the period.
- **Public reports** (anonymous reports from the public) are counted by the night the person
  said it happened, whatever their triage status. The area, venue and behaviour filters
  apply to them as to sightings. They are placed on the map as sightings are (their own
  pin, else their venue's point) and counted in each square beside its sightings
  (:attr:`GridSquare.public_reports`); a square with public reports and no sightings is
  listed too.
- The **when** grid counts sightings by the weekday of their night (0 Monday to 6 Sunday) and
  the local hour they happened, in the 12 columns of :data:`HOURS_OF_NIGHT` (18:00 to 05:59):
  01:30 on a Saturday morning is in Friday's 01 column. On the night the clocks go back both
  01:30s count in the 01 column; on the night they go forward no sighting can be at 01:xx.
  Sightings between 06:00 and 17:59 (the day given to the night that follows it) are counted
  apart, as :attr:`WhenGrid.daytime`.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Integer,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from partnership.core.enums import (
    POLICE_ROLES,
    ActionTaken,
    Behaviour,
    HandedTo,
    Role,
    SafeSpaceReason,
    Support,
    VictimResponse,
)
from partnership.core.models import utcnow
from partnership.core.nights import night_bounds, night_of, to_local
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.notices.models import ExclusionNotice, NoticeAppeal
from partnership.public.models import PublicReport, PublicReportBehaviour
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.subjects.models import NoteRenewal, RedFlagNote, SubjectLink
from partnership.venues.models import Area, Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote

# (latitude, longitude) size of a hotspot square: about 222 m by 205 m at 52 degrees north.
GRID_DEGREES: Final[tuple[float, float]] = (0.002, 0.003)
# A venue or square with sightings on this many nights of the period is a repeat location.
REPEAT_NIGHTS: Final = 3
# A subject linked to sightings on this many nights of the period is a repeat subject.
REPEAT_SUBJECT_NIGHTS: Final = 2
# Counts from 1 to SUPPRESS_BELOW - 1 are shown as "<5" to everyone but police.
SUPPRESS_BELOW: Final = 5
# The when grid's columns: the local hours of a night, in the order they happen.
HOURS_OF_NIGHT: Final[tuple[int, ...]] = (18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5)
# The ranges a report can be asked for by name (see :func:`preset`).
PRESETS: Final[tuple[str, ...]] = ("this_week", "last_week", "last_4_weeks", "quarter")
# Handed to nobody: the person left on their own, so not a hand-over.
NOT_HANDED: Final = frozenset({HandedTo.NOBODY.value, ""})
NO_ACTION: Final = ActionTaken.NO_ACTION.value
MINUS: Final = "\u2212"


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


# -- Showing counts ---------------------------------------------------------------------------


def sees_small_counts(viewer_role: Role | str | None) -> bool:
    """Police (officer, inspector) see counts under 5; nobody else does."""
    return viewer_role is not None and viewer_role in {role.value for role in POLICE_ROLES}


def is_small(value: int) -> bool:
    return 0 < value < SUPPRESS_BELOW


def suppressed(value: int, viewer_role: Role | str | None) -> str:
    """A count as a viewer may see it: "<5" for 1 to 4 unless they are police; 0 and 5 or
    more as the number."""
    if is_small(value) and not sees_small_counts(viewer_role):
        return f"<{SUPPRESS_BELOW}"
    return str(value)


TrendKind = Literal["up", "down", "same", "new", "withheld"]


@dataclass(frozen=True)
class Trend:
    """How a count moved from the previous period.

    ``kind`` is ``up``, ``down``, ``same``, ``new`` (nothing before, something now) or
    ``withheld`` (either count is under 5 and the viewer may not see it, so the difference
    would give it away). ``percent`` is rounded half away from zero; None for ``new`` and
    ``withheld``.
    """

    kind: TrendKind
    difference: int | None = None
    percent: int | None = None

    @property
    def text(self) -> str:
        """ "+25%", "-10%" (with a real minus sign, U+2212), "0%", "new"; empty when withheld."""
        if self.kind == "withheld":
            return ""
        if self.kind == "new":
            return str(_("new"))
        percent = self.percent or 0
        if percent > 0:
            return f"+{percent}%"
        if percent < 0:
            return f"{MINUS}{-percent}%"
        return "0%"


def change(value: int, previous: int, viewer_role: Role | str | None) -> Trend:
    """The trend from ``previous`` to ``value`` as ``viewer_role`` may see it."""
    if not sees_small_counts(viewer_role) and (is_small(value) or is_small(previous)):
        return Trend("withheld")
    difference = value - previous
    if previous == 0:
        return Trend("same", 0, 0) if value == 0 else Trend("new", difference)
    ratio = difference * 100 / previous
    percent = int(math.copysign(math.floor(abs(ratio) + 0.5), ratio))
    kind: TrendKind = "up" if difference > 0 else "down" if difference < 0 else "same"
    return Trend(kind, difference, percent)


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


# -- The report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SightingFigures:
    """Sightings, and what was seen, how the victim responded and what was done.

    Each mapping holds every code of its enum in the enum's order (zeros included), then any
    other stored code. A sighting with several behaviours counts once under each.
    """

    total: Count
    by_behaviour: Mapping[str, Count]
    by_victim_response: Mapping[str, Count]
    by_action: Mapping[str, Count]
    interventions: Count  # action taken other than "no_action"


@dataclass(frozen=True)
class VenueHotspot:
    venue_id: int
    name: str
    sightings: Count
    nights: Count  # distinct nights with a sighting there

    @property
    def repeat(self) -> bool:
        return self.nights.current >= REPEAT_NIGHTS


@dataclass(frozen=True)
class GridSquare:
    """One square of the hotspot grid: row counts latitude steps from -90, column longitude
    steps from -180; the bounds are in degrees (WGS84)."""

    row: int
    column: int
    sightings: Count
    nights: Count
    public_reports: Count = Count(0, 0)

    @property
    def south(self) -> float:
        return round(self.row * GRID_DEGREES[0] - 90, 6)

    @property
    def north(self) -> float:
        return round((self.row + 1) * GRID_DEGREES[0] - 90, 6)

    @property
    def west(self) -> float:
        return round(self.column * GRID_DEGREES[1] - 180, 6)

    @property
    def east(self) -> float:
        return round((self.column + 1) * GRID_DEGREES[1] - 180, 6)

    @property
    def centre(self) -> tuple[float, float]:
        """(latitude, longitude) of the square's middle."""
        return (round((self.south + self.north) / 2, 6), round((self.west + self.east) / 2, 6))

    @property
    def repeat(self) -> bool:
        return self.nights.current >= REPEAT_NIGHTS


@dataclass(frozen=True)
class Hotspots:
    """Venues and squares with a sighting in either period, busiest this period first."""

    venues: tuple[VenueHotspot, ...]
    squares: tuple[GridSquare, ...]
    unplaced: Count  # sightings with neither a point nor a venue with one: not on the map


@dataclass(frozen=True)
class WhenGrid:
    """Sightings by weekday of the night (rows, 0 Monday) and local hour (columns, in the
    order of :data:`HOURS_OF_NIGHT`)."""

    cells: tuple[tuple[Count, ...], ...]
    daytime: Count  # 06:00 to 17:59: not in the grid
    hours: tuple[int, ...] = HOURS_OF_NIGHT

    def cell(self, weekday: int, hour: int) -> Count:
        return self.cells[weekday][HOURS_OF_NIGHT.index(hour)]

    def weekday_total(self, weekday: int) -> Count:
        return sum(self.cells[weekday], ZERO)

    def hour_total(self, hour: int) -> Count:
        column = HOURS_OF_NIGHT.index(hour)
        return sum((row[column] for row in self.cells), ZERO)


@dataclass(frozen=True)
class RepeatSubject:
    """A subject linked to sightings on two or more nights of the period (ids only: the
    exporter gives each a pseudonym)."""

    subject_id: int
    sightings: int
    nights: int
    venues: int  # distinct venues among those sightings


@dataclass(frozen=True)
class RepeatSubjects:
    subjects: tuple[RepeatSubject, ...]  # most nights first
    count: Count  # how many repeat subjects, this period and the previous one


@dataclass(frozen=True)
class NoteFigures:
    """Red-flag notes (never filtered). ``active_at_end``: active at the end of the period
    (for ``previous``, at the end of the previous period), by the review date in force then.
    ``expired``: notes whose review date fell on one of the period's dates without a renewal
    by then (a renewal after that revives the note but does not undo the expiry)."""

    active_at_end: Count
    added: Count
    renewed: Count
    expired: Count


@dataclass(frozen=True)
class WelfareFigures:
    """Safe Space uses and welfare notes. A use counts once under each of its reasons and each
    support given. A hand-over is a use or note handed to anyone but "nobody"."""

    safe_space_uses: Count
    uses_by_reason: Mapping[str, Count]
    uses_by_support: Mapping[str, Count]
    uses_by_handed_to: Mapping[str, Count]
    welfare_notes: Count
    notes_by_handed_to: Mapping[str, Count]
    handovers: Count
    handovers_by_handed_to: Mapping[str, Count]  # uses and notes together, "nobody" left out


@dataclass(frozen=True)
class OrderFigures:
    """Orders (never filtered): Section 34 authorisations starting, Section 35 directions
    given (withdrawn ones included), partnership notices issued, breaches of either, appeals
    received."""

    authorisations: Count
    directions: Count
    notices: Count
    breaches: Count
    direction_breaches: Count
    notice_breaches: Count
    appeals: Count


@dataclass(frozen=True)
class Performance:
    """The partnership's own measures."""

    intelligence_submitted: Count  # sightings
    dispersals: Count  # Section 35 directions given
    details_obtained: Count  # sightings whose details_obtained_at is in the period
    interventions: Count  # sightings with an action other than "no_action"
    safe_space_uses: Count


@dataclass(frozen=True)
class PlaceCount:
    """Public reports at one venue or in one area."""

    place_id: int
    name: str
    reports: Count


@dataclass(frozen=True)
class PublicReportFigures:
    """Anonymous reports from the public (see the module's docstring). A report with several
    behaviours counts once under each. ``unplaced``: neither a venue nor an area."""

    total: Count
    by_behaviour: Mapping[str, Count]
    by_venue: tuple[PlaceCount, ...]  # busiest first
    by_area: tuple[PlaceCount, ...]
    unplaced: Count


@dataclass(frozen=True)
class Report:
    period: Period
    previous_period: Period
    filters: Filters
    sightings: SightingFigures
    hotspots: Hotspots
    when: WhenGrid
    repeat_subjects: RepeatSubjects
    notes: NoteFigures
    welfare: WelfareFigures
    orders: OrderFigures
    performance: Performance
    public_reports: PublicReportFigures


# How many parts :func:`build_report` reports progress through.
BUILD_STEPS: Final = 9


def build_report(
    period: Period,
    filters: Filters | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Every figure for ``period`` and the period before it, narrowed by ``filters``.

    ``now`` (default: the current time) decides only whether a note whose review date is in
    the period has lapsed yet. Each query reads the two periods' rows once through the
    ``night`` (or moment) columns and groups in the database; only a few hundred grouped
    rows at most come back to Python. ``progress``, if given, is called with the number of
    parts done (1 to :data:`BUILD_STEPS`) as each is finished.
    """
    window = _Window(period, period.previous(), filters or Filters())
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done)

    sightings = _sighting_figures(window)
    step()
    hotspots = _with_public_reports(_hotspots(window, sightings.total), window)
    step()
    when = _when_grid(window)
    step()
    repeat_subjects = _repeat_subjects(window)
    step()
    notes = _note_figures(window, (now or utcnow()).astimezone(UTC).date())
    step()
    welfare = _welfare_figures(window)
    step()
    orders = _order_figures(window)
    step()
    details_obtained = _details_obtained(window)
    step()
    public_reports = _public_report_figures(window)
    step()
    return Report(
        period=period,
        previous_period=window.previous,
        filters=window.filters,
        sightings=sightings,
        hotspots=hotspots,
        when=when,
        repeat_subjects=repeat_subjects,
        notes=notes,
        welfare=welfare,
        orders=orders,
        performance=Performance(
            intelligence_submitted=sightings.total,
            dispersals=orders.directions,
            details_obtained=details_obtained,
            interventions=sightings.interventions,
            safe_space_uses=welfare.safe_space_uses,
        ),
        public_reports=public_reports,
    )


# -- Queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
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
        return _sum_where(current), _sum_where(~current)

    def split_moments(self, column: Any) -> tuple[Any, Any]:
        current = column >= self.bounds[1]
        return _sum_where(current), _sum_where(~current)

    def distinct_nights(self, column: Any, value: Any) -> tuple[Any, Any]:
        """count(DISTINCT value) on each side of the split by night ``column``."""
        current = column >= self.current.first_night
        return (
            func.count(case((current, value)).distinct()),
            func.count(case((~current, value)).distinct()),
        )


def _sum_where(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _floor(value: Any) -> Any:
    """The integer floor of a non-negative number, on both databases: PostgreSQL rounds when
    casting to an integer, SQLite truncates (the same as flooring for numbers >= 0)."""
    if _dialect() == "sqlite":
        return cast(value, Integer)
    return cast(func.floor(value), Integer)


def _utc_hour(column: Any) -> Any:
    """The UTC hour a moment falls in, for grouping: a string on SQLite, a timestamp on
    PostgreSQL (see :func:`_hour_start`)."""
    if _dialect() == "sqlite":
        return func.strftime("%Y-%m-%d %H", column)
    return func.date_trunc("hour", func.timezone("UTC", column))


def _hour_start(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%d %H").replace(tzinfo=UTC)


def _sighting_conditions(window: _Window, *, by_night: bool = True) -> list[ColumnElement[bool]]:
    conditions = window.nights(Sighting.night) if by_night else []
    return conditions + sighting_filters(window.filters)


def sighting_filters(filters: Filters) -> list[ColumnElement[bool]]:
    """The conditions on :class:`Sighting` that ``filters`` (area, venue, behaviour) make."""
    return _record_filters(Sighting, filters)


# The behaviours of each kind of record the filters narrow, and the column naming the record.
_BEHAVIOURS: Final[dict[type[Any], tuple[type[Any], str]]] = {
    Sighting: (SightingBehaviour, "sighting_id"),
    PublicReport: (PublicReportBehaviour, "report_id"),
}


def _record_filters(
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


def _counts(rows: Iterable[Any]) -> dict[str, Count]:
    """{code: Count} from rows of (code, current, previous), adding rows with the same code."""
    found: dict[str, Count] = defaultdict(lambda: ZERO)
    for code, current, previous in rows:
        found[code or ""] += Count(int(current), int(previous))
    return found


def _in_order(codes: Iterable[str], found: Mapping[str, Count]) -> dict[str, Count]:
    """Every code of ``codes`` in order (zeros included), then any others found, sorted."""
    ordered = {code: found.get(code, ZERO) for code in codes}
    for code in sorted(set(found) - set(ordered)):
        ordered[code] = found[code]
    return ordered


def _sighting_figures(window: _Window) -> SightingFigures:
    current, previous = window.split_nights(Sighting.night)
    rows = db.session.execute(
        select(Sighting.victim_response, Sighting.action_taken, current, previous)
        .where(*_sighting_conditions(window))
        .group_by(Sighting.victim_response, Sighting.action_taken)
    ).all()
    total = sum((Count(int(r[2]), int(r[3])) for r in rows), ZERO)
    by_response = _counts((r[0], r[2], r[3]) for r in rows)
    by_action = _counts((r[1], r[2], r[3]) for r in rows)
    # Behaviours are counted by their own copy of the night: without filters, from their
    # (night, code) index alone, never joining the sightings.
    by_night = window.split_nights(SightingBehaviour.night)
    counted = select(SightingBehaviour.code, *by_night).where(
        *window.nights(SightingBehaviour.night)
    )
    if window.filters.any:
        counted = counted.join(Sighting, Sighting.id == SightingBehaviour.sighting_id).where(
            *_sighting_conditions(window, by_night=False)
        )
    behaviours = db.session.execute(counted.group_by(SightingBehaviour.code)).all()
    return SightingFigures(
        total=total,
        by_behaviour=_in_order((b.value for b in Behaviour), _counts(behaviours)),
        by_victim_response=_in_order((v.value for v in VictimResponse), by_response),
        by_action=_in_order((a.value for a in ActionTaken), by_action),
        interventions=total - by_action.get(NO_ACTION, ZERO),
    )


def _square_of(latitude: Any, longitude: Any) -> tuple[Any, Any]:
    """The grid row and column of a point, or NULLs when it has no point."""
    located = and_(latitude.is_not(None), longitude.is_not(None))
    return (
        case((located, _floor((latitude + 90.0) / GRID_DEGREES[0]))),
        case((located, _floor((longitude + 180.0) / GRID_DEGREES[1]))),
    )


def _hotspots(window: _Window, total: Count) -> Hotspots:
    """Venues and squares from one read of the sightings, in one statement.

    The sightings are first counted per venue, night and (for those with a point of their
    own) square: a hash groups that quickly, and most sightings, placed at their venue, need
    no arithmetic per row. The venue's square is then filled in for the rest, and the small
    result summed per venue and per square, a night counting once however many rows it has.
    """
    own_row, own_col = _square_of(Sighting.latitude, Sighting.longitude)
    # Computed in a subquery and grouped by name outside it: PostgreSQL will not group by an
    # expression whose bound parameters it takes to differ from the selected one's.
    rows = (
        select(
            Sighting.venue_id.label("venue_id"),
            Sighting.night.label("night"),
            own_row.label("row"),
            own_col.label("col"),
        )
        .where(*_sighting_conditions(window))
        .subquery()
    )
    grouped = (
        select(rows.c.venue_id, rows.c.night, rows.c.row, rows.c.col, func.count().label("n"))
        # Squares first: on SQLite grouping by venue first draws the planner to a slow skip
        # scan of the (venue, night) index instead of the range of the night index.
        .group_by(rows.c.row, rows.c.col, rows.c.night, rows.c.venue_id)
        .cte("per_night")
    )
    venue_row, venue_col = _square_of(Venue.latitude, Venue.longitude)
    placed = (
        select(
            grouped.c.night,
            grouped.c.n,
            func.coalesce(grouped.c.row, venue_row).label("row"),
            func.coalesce(grouped.c.col, venue_col).label("col"),
        )
        .select_from(grouped)
        .outerjoin(Venue, Venue.id == grouped.c.venue_id)
        .subquery()
    )

    def sums(source: Any, kind: str, *keys: Any) -> Any:
        current = source.c.night >= window.current.first_night
        return select(
            literal(kind).label("kind"),
            *keys,
            func.sum(case((current, source.c.n), else_=0)),
            func.sum(case((~current, source.c.n), else_=0)),
            func.count(case((current, source.c.night)).distinct()),
            func.count(case((~current, source.c.night)).distinct()),
        ).group_by(*keys)

    null = literal(None, Integer)
    found = db.session.execute(
        union_all(
            sums(grouped, "venue", grouped.c.venue_id, null, null).where(
                grouped.c.venue_id.is_not(None)
            ),
            sums(placed, "square", null, placed.c.row, placed.c.col).where(
                placed.c.row.is_not(None)
            ),
        )
    ).all()
    venue_rows = [r for r in found if r[0] == "venue"]
    names = _names(Venue, [r[1] for r in venue_rows])
    venues = sorted(
        (
            VenueHotspot(
                venue_id=r[1],
                name=names.get(r[1], ""),
                sightings=Count(int(r[4]), int(r[5])),
                nights=Count(int(r[6]), int(r[7])),
            )
            for r in venue_rows
        ),
        key=lambda v: (-v.sightings.current, -v.sightings.previous, v.name, v.venue_id),
    )
    squares = sorted(
        (
            GridSquare(
                row=int(r[2]),
                column=int(r[3]),
                sightings=Count(int(r[4]), int(r[5])),
                nights=Count(int(r[6]), int(r[7])),
            )
            for r in found
            if r[0] == "square"
        ),
        key=lambda s: (-s.sightings.current, -s.sightings.previous, s.row, s.column),
    )
    placed_count = sum((s.sightings for s in squares), ZERO)
    return Hotspots(venues=tuple(venues), squares=tuple(squares), unplaced=total - placed_count)


def _names(model: type[Venue] | type[Area], ids: list[int]) -> dict[int, str]:
    """The names of the venues (or areas) ``ids``, in one query."""
    rows = db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return {place_id: name for place_id, name in rows}


def _when_grid(window: _Window) -> WhenGrid:
    # Grouped by the UTC hour, then placed by its local hour in Python: London's offset is a
    # whole hour and changes on the hour (01:00 UTC), so every UTC hour is one local hour of
    # one night, and the hour that happens twice in October stays two UTC hours.
    hours = (
        select(_utc_hour(Sighting.occurred_at).label("hour"))
        .where(*_sighting_conditions(window))
        .subquery()
    )
    rows = db.session.execute(select(hours.c.hour, func.count()).group_by(hours.c.hour)).all()
    cells = [[[0, 0] for _hour in HOURS_OF_NIGHT] for _day in range(7)]
    daytime = [0, 0]
    for value, number in rows:
        start = _hour_start(value)
        night = night_of(start)
        side = 0 if night in window.current else 1
        hour = to_local(start).hour
        if hour in HOURS_OF_NIGHT:
            cells[night.weekday()][HOURS_OF_NIGHT.index(hour)][side] += int(number)
        else:
            daytime[side] += int(number)
    return WhenGrid(
        cells=tuple(tuple(Count(*cell) for cell in day) for day in cells),
        daytime=Count(*daytime),
    )


def _repeat_subjects(window: _Window) -> RepeatSubjects:
    current, previous = window.split_nights(Sighting.night)
    nights_now, nights_before = window.distinct_nights(Sighting.night, Sighting.night)
    venues_now, venues_before = window.distinct_nights(Sighting.night, Sighting.venue_id)
    rows = db.session.execute(
        select(
            SubjectLink.subject_id,
            current,
            previous,
            nights_now,
            nights_before,
            venues_now,
            venues_before,
        )
        .select_from(SubjectLink)
        .join(Sighting, Sighting.id == SubjectLink.sighting_id)
        .where(*_sighting_conditions(window))
        .group_by(SubjectLink.subject_id)
    ).all()
    subjects = sorted(
        (
            RepeatSubject(subject_id=r[0], sightings=int(r[1]), nights=int(r[3]), venues=int(r[5]))
            for r in rows
            if r[3] >= REPEAT_SUBJECT_NIGHTS
        ),
        key=lambda s: (-s.nights, -s.sightings, s.subject_id),
    )
    before = sum(1 for r in rows if r[4] >= REPEAT_SUBJECT_NIGHTS)
    return RepeatSubjects(subjects=tuple(subjects), count=Count(len(subjects), before))


def _details_obtained(window: _Window) -> Count:
    # By when the details were obtained, which may be nights after the sighting, so this one
    # is bounded by the moment column rather than the night.
    current, previous = window.split_moments(Sighting.details_obtained_at)
    row = db.session.execute(
        select(current, previous).where(
            *window.moments(Sighting.details_obtained_at),
            *_sighting_conditions(window, by_night=False),
        )
    ).one()
    return Count(int(row[0]), int(row[1]))


def _review_in_force(moment: datetime) -> Any:
    """A note's review date as it stood at ``moment``: before any renewal made since then."""
    later = (
        select(NoteRenewal.previous_review_on)
        .where(NoteRenewal.note_id == RedFlagNote.id, NoteRenewal.renewed_at >= moment)
        .order_by(NoteRenewal.renewed_at, NoteRenewal.id)
        .limit(1)
        .correlate(RedFlagNote)
        .scalar_subquery()
    )
    return func.coalesce(later, RedFlagNote.review_on)


def _active_at(moment: datetime, on: date) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RedFlagNote)
            .where(RedFlagNote.created_at < moment, _review_in_force(moment) >= on)
        )
        or 0
    )


def _note_figures(window: _Window, today: date) -> NoteFigures:
    _start, split, end = window.bounds
    added_now, added_before = window.split_moments(RedFlagNote.created_at)
    added = db.session.execute(
        select(added_now, added_before).where(*window.moments(RedFlagNote.created_at))
    ).one()
    renewed_now, renewed_before = window.split_moments(NoteRenewal.renewed_at)
    renewed = db.session.execute(
        select(renewed_now, renewed_before).where(*window.moments(NoteRenewal.renewed_at))
    ).one()
    # Review dates (UTC dates, as the notes keep them) reached in the window: the one in force
    # now, which has lapsed once it is before today, and each one a renewal replaced, which
    # lapsed if that renewal came on a later date. Only these few rows come back.
    expired = [0, 0]
    lapsed_now, lapsed_before = window.split_nights(RedFlagNote.review_on)
    current_terms = db.session.execute(
        select(lapsed_now, lapsed_before).where(
            *window.nights(RedFlagNote.review_on), RedFlagNote.review_on < today
        )
    ).one()
    expired[0] += int(current_terms[0])
    expired[1] += int(current_terms[1])
    replaced = db.session.execute(
        select(NoteRenewal.previous_review_on, NoteRenewal.renewed_at).where(
            *window.nights(NoteRenewal.previous_review_on)
        )
    ).all()
    for review_on, renewed_at in replaced:
        if renewed_at.astimezone(UTC).date() > review_on:
            expired[0 if review_on in window.current else 1] += 1
    return NoteFigures(
        active_at_end=Count(
            _active_at(end, window.current.last_night + timedelta(days=1)),
            _active_at(split, window.current.first_night),
        ),
        added=Count(int(added[0]), int(added[1])),
        renewed=Count(int(renewed[0]), int(renewed[1])),
        expired=Count(*expired),
    )


def _venues_in_area(area_id: int) -> list[int]:
    """The venues whose point is in ``area_id``, by the rule that gives a sighting at a
    venue its area (the smallest active area holding the venue's point)."""
    from partnership.core.geo import area_containing

    areas = list(db.session.scalars(select(Area).where(Area.active.is_(True))))
    venues = db.session.execute(
        select(Venue.id, Venue.latitude, Venue.longitude).where(
            Venue.latitude.is_not(None), Venue.longitude.is_not(None)
        )
    ).all()
    found = []
    for venue_id, latitude, longitude in venues:
        area = area_containing(latitude, longitude, areas)
        if area is not None and area.id == area_id:
            found.append(venue_id)
    return found


def _place_conditions(
    window: _Window, venue_column: Any, venues_in_area: list[int] | None
) -> list[ColumnElement[bool]]:
    filters = window.filters
    conditions: list[ColumnElement[bool]] = []
    if filters.venue_id is not None:
        conditions.append(venue_column == filters.venue_id)
    if venues_in_area is not None:
        conditions.append(venue_column.in_(venues_in_area) if venues_in_area else false())
    return conditions


def _json_codes(value: Any) -> list[str]:
    if value is None:
        return []
    codes = json.loads(value) if isinstance(value, str) else value
    return [str(code) for code in codes or []]


def _welfare_figures(window: _Window) -> WelfareFigures:
    area = window.filters.area_id
    venues_in_area = _venues_in_area(area) if area is not None else None
    current, previous = window.split_nights(SafeSpaceUse.night)
    reasons_text = cast(SafeSpaceUse.reasons, Text)
    support_text = cast(SafeSpaceUse.support, Text)
    uses = db.session.execute(
        select(reasons_text, support_text, SafeSpaceUse.handed_to, current, previous)
        .where(
            *window.nights(SafeSpaceUse.night),
            *_place_conditions(window, SafeSpaceUse.venue_id, venues_in_area),
        )
        .group_by(reasons_text, support_text, SafeSpaceUse.handed_to)
    ).all()
    total = sum((Count(int(r[3]), int(r[4])) for r in uses), ZERO)
    by_reason = _counts((code, r[3], r[4]) for r in uses for code in _json_codes(r[0]))
    by_support = _counts((code, r[3], r[4]) for r in uses for code in _json_codes(r[1]))
    uses_handed = _counts((r[2], r[3], r[4]) for r in uses)

    note_now, note_before = window.split_nights(WelfareNote.night)
    notes = db.session.execute(
        select(WelfareNote.handed_to, note_now, note_before)
        .where(
            *window.nights(WelfareNote.night),
            *_place_conditions(window, WelfareNote.venue_id, venues_in_area),
        )
        .group_by(WelfareNote.handed_to)
    ).all()
    notes_handed = _counts(notes)
    handed_codes = [h.value for h in HandedTo if h.value not in NOT_HANDED]
    both: dict[str, Count] = defaultdict(lambda: ZERO)
    for found in (uses_handed, notes_handed):
        for code, number in found.items():
            if code not in NOT_HANDED:
                both[code] += number
    return WelfareFigures(
        safe_space_uses=total,
        uses_by_reason=_in_order((r.value for r in SafeSpaceReason), by_reason),
        uses_by_support=_in_order((s.value for s in Support), by_support),
        uses_by_handed_to=_in_order((h.value for h in HandedTo), uses_handed),
        welfare_notes=sum(notes_handed.values(), ZERO),
        notes_by_handed_to=_in_order((h.value for h in HandedTo), notes_handed),
        handovers=sum(both.values(), ZERO),
        handovers_by_handed_to=_in_order(handed_codes, both),
    )


def _by_moment(column: Any, window: _Window) -> Count:
    current, previous = window.split_moments(column)
    row = db.session.execute(select(current, previous).where(*window.moments(column))).one()
    return Count(int(row[0]), int(row[1]))


def _order_figures(window: _Window) -> OrderFigures:
    current = Breach.occurred_at >= window.bounds[1]
    of_direction = Breach.direction_id.is_not(None)
    breaches = db.session.execute(
        select(
            _sum_where(and_(current, of_direction)),
            _sum_where(and_(~current, of_direction)),
            _sum_where(and_(current, ~of_direction)),
            _sum_where(and_(~current, ~of_direction)),
        ).where(*window.moments(Breach.occurred_at))
    ).one()
    direction_breaches = Count(int(breaches[0]), int(breaches[1]))
    notice_breaches = Count(int(breaches[2]), int(breaches[3]))
    appeals_now, appeals_before = window.split_nights(NoticeAppeal.received_on)
    appeals = db.session.execute(
        select(appeals_now, appeals_before).where(*window.nights(NoticeAppeal.received_on))
    ).one()
    return OrderFigures(
        authorisations=_by_moment(DispersalAuthorisation.starts_at, window),
        directions=_by_moment(DispersalDirection.given_at, window),
        notices=_by_moment(ExclusionNotice.issued_at, window),
        breaches=direction_breaches + notice_breaches,
        direction_breaches=direction_breaches,
        notice_breaches=notice_breaches,
        appeals=Count(int(appeals[0]), int(appeals[1])),
    )


def _public_report_conditions(window: _Window) -> list[ColumnElement[bool]]:
    return window.nights(PublicReport.night) + _record_filters(PublicReport, window.filters)


def _places(
    rows: Iterable[tuple[int | None, Count]], model: type[Venue] | type[Area]
) -> tuple[PlaceCount, ...]:
    found: dict[int, Count] = defaultdict(lambda: ZERO)
    for place_id, number in rows:
        if place_id is not None:
            found[place_id] += number
    if not found:
        return ()
    names = _names(model, list(found))
    return tuple(
        sorted(
            (
                PlaceCount(place_id, names.get(place_id, ""), number)
                for place_id, number in found.items()
            ),
            key=lambda p: (-p.reports.current, -p.reports.previous, p.name, p.place_id),
        )
    )


def _public_report_figures(window: _Window) -> PublicReportFigures:
    current, previous = window.split_nights(PublicReport.night)
    rows = db.session.execute(
        select(PublicReport.venue_id, PublicReport.area_id, current, previous)
        .where(*_public_report_conditions(window))
        .group_by(PublicReport.venue_id, PublicReport.area_id)
    ).all()
    counted = [
        (venue_id, area_id, Count(int(now), int(before))) for venue_id, area_id, now, before in rows
    ]
    behaviours = db.session.execute(
        select(PublicReportBehaviour.code, current, previous)
        .join(PublicReport, PublicReport.id == PublicReportBehaviour.report_id)
        .where(*_public_report_conditions(window))
        .group_by(PublicReportBehaviour.code)
    ).all()
    return PublicReportFigures(
        total=sum((number for _venue, _area, number in counted), ZERO),
        by_behaviour=_in_order((b.value for b in Behaviour), _counts(behaviours)),
        by_venue=_places(((venue_id, number) for venue_id, _area, number in counted), Venue),
        by_area=_places(((area_id, number) for _venue, area_id, number in counted), Area),
        unplaced=sum(
            (
                number
                for venue_id, area_id, number in counted
                if venue_id is None and area_id is None
            ),
            ZERO,
        ),
    )


def _with_public_reports(hotspots: Hotspots, window: _Window) -> Hotspots:
    """``hotspots`` with each square's public reports (placed as sightings are), and the
    squares that have public reports but no sightings after the others."""
    own_row, own_col = _square_of(PublicReport.latitude, PublicReport.longitude)
    venue_row, venue_col = _square_of(Venue.latitude, Venue.longitude)
    placed = (
        select(
            PublicReport.night.label("night"),
            func.coalesce(own_row, venue_row).label("row"),
            func.coalesce(own_col, venue_col).label("col"),
        )
        .select_from(PublicReport)
        .outerjoin(Venue, Venue.id == PublicReport.venue_id)
        .where(*_public_report_conditions(window))
        .subquery()
    )
    current, previous = window.split_nights(placed.c.night)
    rows = db.session.execute(
        select(placed.c.row, placed.c.col, current, previous)
        .where(placed.c.row.is_not(None))
        .group_by(placed.c.row, placed.c.col)
    ).all()
    reports = {(int(r[0]), int(r[1])): Count(int(r[2]), int(r[3])) for r in rows}
    if not reports:
        return hotspots
    squares = [
        replace(spot, public_reports=reports.pop((spot.row, spot.column), ZERO))
        for spot in hotspots.squares
    ]
    squares.extend(
        GridSquare(row=row, column=column, sightings=ZERO, nights=ZERO, public_reports=number)
        for (row, column), number in sorted(
            reports.items(), key=lambda item: (-item[1].current, -item[1].previous, item[0])
        )
    )
    return replace(hotspots, squares=tuple(squares))
