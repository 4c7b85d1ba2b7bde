"""The figures of the public "You told us, we did" page: month by month, what the partnership
was told and what it did about it.

Everything here is an aggregate that anyone may see, so the rules are strict:

- **Months by night.** A month holds the nights (18:00 to 06:00 Europe/London, named by the
  date they start) from its 1st to its last day: 01:00 on 1 March is the night of 28 February,
  so February's. Records with a ``night`` column are counted by it; orders, which have only a
  moment, by :func:`~partnership.core.nights.night_of` that moment, that is from 06:00 local on
  the 1st to 06:00 local on the 1st of the next month (:meth:`Period.utc_bounds`).
- **Small counts.** Every count goes through
  :func:`~partnership.core.disclosure.suppressed` as a member of the public (no role): 1 to 4
  is shown as "fewer than 5", 0 and 5 or more as the number (:func:`shown`).
- **Places.** A venue or an area is named only when it had :data:`SUPPRESS_BELOW` (5) or more
  public reports and sightings together in the month; the database drops the others before
  any name is read. A public report the police turned into a sighting counts once, as the
  sighting. At most :data:`PLACES_SHOWN` of each are named, most first.
- **Nothing about a person.** No free text, no time finer than a month, no reporter, nobody.

Each figure is one grouped query over all the months, bounded by the ``night`` (or moment)
column so it reads the night indexes; a month is found by a ``CASE`` over the months' first
nights. The complete months are kept for :data:`CACHE_SECONDS` (see :func:`build_months`).
Nothing here writes, audits or commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from threading import Lock
from time import monotonic
from typing import Any, Final

from flask_babel import format_date
from sqlalchemy import ColumnElement, case, func, literal, select, union_all

from partnership.core.catalogue import gettext as _
from partnership.core.disclosure import SUPPRESS_BELOW, suppressed
from partnership.core.nights import night_of
from partnership.extensions import db
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.notices.models import ExclusionNotice
from partnership.public.models import PublicReport
from partnership.reports.figures import NO_ACTION, Period
from partnership.sightings.models import Sighting
from partnership.venues.models import Area, Venue
from partnership.welfare.models import SafeSpaceUse

# The complete months shown before the current one.
COMPLETE_MONTHS: Final = 12
# The most venues, and the most areas, named for one month.
PLACES_SHOWN: Final = 5
# How long the complete months' figures are kept before they are counted again.
CACHE_SECONDS: Final = 600


@dataclass(frozen=True)
class Place:
    """A venue or area named on the page: it had 5 or more reports and sightings."""

    name: str
    count: int


@dataclass(frozen=True)
class MonthFigures:
    """One month's figures, as counted (before suppression)."""

    period: Period  # the month's nights, 1st to last day
    so_far: bool  # the current month, not over yet
    public_reports: int
    interventions: int  # sightings where something was done (any action but "no action")
    dispersals: int  # Section 35 directions given
    exclusions: int  # partnership exclusion notices issued
    safe_space_uses: int
    venues: tuple[Place, ...]  # 5 or more only, most first
    areas: tuple[Place, ...]  # 5 or more only, most first

    @property
    def first_night(self) -> date:
        return self.period.first_night


def _add_months(first: date, months: int) -> date:
    """The 1st of the month ``months`` after (or before) the month starting ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_periods(now: datetime) -> list[Period]:
    """The month of the night ``now`` is in and the :data:`COMPLETE_MONTHS` before it, oldest
    first, each as the range of its nights."""
    current = night_of(now).replace(day=1)
    firsts = [_add_months(current, -n) for n in range(COMPLETE_MONTHS, -1, -1)]
    return [Period(first, _add_months(first, 1) - timedelta(days=1)) for first in firsts]


# -- Queries ----------------------------------------------------------------------------------


def _month_of(column: Any, starts: Sequence[Any]) -> Any:
    """The index in ``starts`` of the month a value of ``column`` falls in, for values already
    bounded to the months (the latest start not after it)."""
    return case(
        *((column >= start, index) for index, start in reversed(list(enumerate(starts)))),
        else_=-1,
    )


@dataclass(frozen=True)
class _Months:
    """The months counted together (oldest first): each figure's month expression and the
    bounds that keep its query to them."""

    periods: list[Period]

    @property
    def nights(self) -> list[date]:
        return [p.first_night for p in self.periods]

    @property
    def moments(self) -> list[datetime]:
        return [p.utc_bounds()[0] for p in self.periods]

    def by_night(self, column: Any) -> tuple[Any, list[ColumnElement[bool]]]:
        bounds = [column >= self.periods[0].first_night, column <= self.periods[-1].last_night]
        return _month_of(column, self.nights), bounds

    def by_moment(self, column: Any) -> tuple[Any, list[ColumnElement[bool]]]:
        start, end = self.periods[0].utc_bounds()[0], self.periods[-1].utc_bounds()[1]
        return _month_of(column, self.moments), [column >= start, column < end]


def _counts(month: Any, conditions: Sequence[ColumnElement[bool]]) -> dict[int, int]:
    """{month index: rows} for rows of one table. The month is worked out in a subquery and
    grouped by name outside it: PostgreSQL will not group by an expression with bound
    parameters."""
    rows = select(month.label("month")).where(*conditions).subquery()
    found = db.session.execute(select(rows.c.month, func.count()).group_by(rows.c.month))
    return {int(index): int(number) for index, number in found}


def _places(months: _Months, kind: str) -> dict[int, list[Place]]:
    """{month index: places with SUPPRESS_BELOW or more} for ``kind`` "venue" or "area":
    sightings there, and public reports there that did not become a sighting."""
    sighting_place = Sighting.venue_id if kind == "venue" else Sighting.area_id
    report_place = PublicReport.venue_id if kind == "venue" else PublicReport.area_id
    sighting_month, sighting_bounds = months.by_night(Sighting.night)
    report_month, report_bounds = months.by_night(PublicReport.night)
    both = union_all(
        select(sighting_month.label("month"), sighting_place.label("place")).where(
            *sighting_bounds, sighting_place.is_not(None)
        ),
        select(report_month.label("month"), report_place.label("place")).where(
            *report_bounds, report_place.is_not(None), PublicReport.sighting_id.is_(None)
        ),
    ).subquery()
    model: Any = Venue if kind == "venue" else Area
    number = func.count().label("number")
    found = db.session.execute(
        select(both.c.month, model.name, number)
        .join(model, model.id == both.c.place)
        .group_by(both.c.month, model.id, model.name)
        .having(func.count() >= literal(SUPPRESS_BELOW))
    )
    places: dict[int, list[Place]] = {}
    for index, name, count in found:
        places.setdefault(int(index), []).append(Place(str(name), int(count)))
    for listed in places.values():
        listed.sort(key=lambda place: (-place.count, place.name))
        del listed[PLACES_SHOWN:]
    return places


def _figures(periods: list[Period], *, current: bool) -> list[MonthFigures]:
    """The figures of ``periods`` (oldest first), newest first; the last is the current month
    when ``current``. Seven grouped queries, however many months or rows."""
    months = _Months(periods)
    report_month, report_bounds = months.by_night(PublicReport.night)
    sighting_month, sighting_bounds = months.by_night(Sighting.night)
    use_month, use_bounds = months.by_night(SafeSpaceUse.night)
    direction_month, direction_bounds = months.by_moment(DispersalDirection.given_at)
    notice_month, notice_bounds = months.by_moment(ExclusionNotice.issued_at)
    reports = _counts(report_month, report_bounds)
    interventions = _counts(sighting_month, [*sighting_bounds, Sighting.action_taken != NO_ACTION])
    uses = _counts(use_month, use_bounds)
    directions = _counts(direction_month, direction_bounds)
    notices = _counts(notice_month, notice_bounds)
    venues = _places(months, "venue")
    areas = _places(months, "area")
    last = len(periods) - 1
    return [
        MonthFigures(
            period=period,
            so_far=current and index == last,
            public_reports=reports.get(index, 0),
            interventions=interventions.get(index, 0),
            dispersals=directions.get(index, 0),
            exclusions=notices.get(index, 0),
            safe_space_uses=uses.get(index, 0),
            venues=tuple(venues.get(index, ())),
            areas=tuple(areas.get(index, ())),
        )
        for index, period in reversed(list(enumerate(periods)))
    ]


# The complete months' figures, kept for CACHE_SECONDS per app process and database: a
# year of a county's sightings takes seconds to count, too much for every visit to a public
# page, and those months change only when a late record or a correction comes in.
_complete: dict[tuple[str, date], tuple[float, list[MonthFigures]]] = {}
_complete_lock = Lock()


def forget_complete_months() -> None:
    """Empty the cache of complete months: the next page counts them again."""
    with _complete_lock:
        _complete.clear()


def build_months(now: datetime) -> list[MonthFigures]:
    """Every month's figures, newest first: the month ``now``'s night is in, so far, then the
    :data:`COMPLETE_MONTHS` complete months before it.

    The current month is counted on every call. The complete months come from the cache
    when it holds them from less than :data:`CACHE_SECONDS` ago; otherwise all thirteen
    months are counted together and the complete ones kept. Either way it is seven grouped
    queries, however many months or rows.
    """
    periods = month_periods(now)
    key = (str(db.engine.url), periods[0].first_night)
    moment = monotonic()
    with _complete_lock:
        kept = _complete.get(key)
    if kept is not None and moment - kept[0] < CACHE_SECONDS:
        return _figures(periods[-1:], current=True) + kept[1]
    months = _figures(periods, current=True)
    with _complete_lock:
        _complete.clear()  # one entry: the months roll over, and old keys are never asked for
        _complete[key] = (moment, months[1:])
    return months


# -- As the public sees them ------------------------------------------------------------------


def shown(value: int) -> str:
    """A count as anyone may see it: "fewer than 5" for 1 to 4 (the reports' rule for a
    viewer without a role), otherwise the number."""
    text = suppressed(value, None)
    if text != str(value):
        return str(_("fewer than %(number)s", number=SUPPRESS_BELOW))
    return f"{value:,}"


@dataclass(frozen=True)
class ShownMonth:
    """A month ready for the page: its name and every figure as text."""

    key: str  # "2026-10", for the section's id
    name: str  # "October 2026", in the page's language
    so_far: bool
    figures: tuple[tuple[str, str, str], ...]  # (key, label, shown count)
    venues: tuple[tuple[str, str], ...]  # (name, shown count)
    areas: tuple[tuple[str, str], ...]


def present_months(months: Sequence[MonthFigures]) -> list[ShownMonth]:
    """The months with their names in the request's language and every count through
    :func:`shown`: no count of 1 to 4 leaves here as a number."""
    return [
        ShownMonth(
            key=month.first_night.strftime("%Y-%m"),
            name=str(format_date(month.first_night, "LLLL yyyy")),
            so_far=month.so_far,
            figures=(
                (
                    "public_reports",
                    _("Reports from the public"),
                    shown(month.public_reports),
                ),
                (
                    "interventions",
                    _("Times staff stepped in when they saw worrying behaviour"),
                    shown(month.interventions),
                ),
                (
                    "dispersals",
                    _("Times the police told someone to leave an area (dispersal directions)"),
                    shown(month.dispersals),
                ),
                (
                    "exclusions",
                    _("Bans from every member venue (exclusion notices)"),
                    shown(month.exclusions),
                ),
                (
                    "safe_space_uses",
                    _("Times someone was looked after in a Safe Space"),
                    shown(month.safe_space_uses),
                ),
            ),
            venues=tuple((place.name, shown(place.count)) for place in month.venues),
            areas=tuple((place.name, shown(place.count)) for place in month.areas),
        )
        for month in months
    ]
