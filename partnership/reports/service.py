"""The report as a viewer may see it: a :class:`~partnership.reports.figures.Report` turned
into rows for charts, tables and exports, and the record-level export.

Three rules hold for everything that leaves here:

- **Suppression.** Every count goes through :func:`~partnership.reports.figures.suppressed`
  for the viewer's role (:func:`shown_count`): police see the number, everyone else "<5" for
  1 to 4, in charts, tables, files and map labels alike. A movement from the previous period
  is withheld when either side is small (:func:`movement`, through
  :func:`~partnership.reports.figures.change`).
- **Pseudonyms.** A person appears only as a pseudonym from a
  :class:`~partnership.core.exports.Pseudonymiser` made for that one page view or export, so
  codes differ every time and never equal a red-flag reference. Never a name, never a
  reference.
- **No free text about people.** The record-level export holds codes, dates, places (venue
  and area names) and pseudonyms: no description, clothing, distinguishing features, place
  text, other behaviour, names or author.

Nothing here commits. :func:`record_viewed` and :func:`record_exported` write the audit
event of each disclosure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from babel.dates import get_day_names
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import ColumnElement, Connection, Engine, Select, false, select

from partnership.core import audit
from partnership.core.charts import MapSquare, bar_chart, heat_grid, square_label, square_map
from partnership.core.charts import trend as chart_trend
from partnership.core.enums import (
    POLICE_ROLES,
    TITLES,
    ActionTaken,
    Behaviour,
    HandedTo,
    Role,
    SafeSpaceReason,
    Support,
    TitledEnum,
    VictimResponse,
)
from partnership.core.exports import Pseudonymiser, feature, geojson_feature_collection, square
from partnership.extensions import db
from partnership.reports.figures import (
    HOURS_OF_NIGHT,
    REPEAT_NIGHTS,
    Count,
    Filters,
    Period,
    Report,
    sighting_filters,
    suppressed,
)
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.sightings.service import visible_sightings
from partnership.subjects.models import SubjectLink
from partnership.venues.models import Area, Venue

if TYPE_CHECKING:
    from partnership.auth.models import User

# Who may open the report and download its figures; who may download record-level rows.
READERS: Final = (Role.ANALYST, Role.COORDINATOR, Role.OFFICER, Role.INSPECTOR)
RECORD_EXPORTERS: Final = (Role.ANALYST, Role.OFFICER, Role.INSPECTOR)
DEFAULT_RANGE: Final = "this_week"
# The longest custom range (a year, leap day included); the previous period doubles it.
MAX_NIGHTS: Final = 366
# Rows read from the database at a time by the record-level export; each such batch's
# behaviours and linked subjects are read with one IN query apiece.
YIELD_PER: Final = 2000
LIST_SEPARATOR: Final = "; "
# The busiest squares drawn and listed on the page (the exports hold them all).
SQUARES_ON_PAGE: Final = 100

Shown = int | str  # a count as the viewer may see it: the number, or "<5"


# -- What was asked for -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportChoice:
    """A range of nights (by name: a preset or ``custom``) and the filters."""

    range_name: str
    period: Period
    filters: Filters

    def query_args(self) -> dict[str, Any]:
        """The query string that asks for this report again: ``range``, with ``from`` and
        ``to`` for a custom range, and whichever of ``area``, ``venue`` and ``behaviour``
        are set."""
        args: dict[str, Any] = {"range": self.range_name}
        if self.range_name == "custom":
            args["from"] = self.period.first_night.isoformat()
            args["to"] = self.period.last_night.isoformat()
        if self.filters.area_id is not None:
            args["area"] = str(self.filters.area_id)
        if self.filters.venue_id is not None:
            args["venue"] = str(self.filters.venue_id)
        if self.filters.behaviour:
            args["behaviour"] = self.filters.behaviour
        return args

    def details(self) -> dict[str, Any]:
        """The period and filters, for an audit event."""
        return {
            "range": self.range_name,
            "first_night": self.period.first_night.isoformat(),
            "last_night": self.period.last_night.isoformat(),
            "area_id": self.filters.area_id,
            "venue_id": self.filters.venue_id,
            "behaviour": self.filters.behaviour,
        }

    def filename(self, stem: str, extension: str) -> str:
        """``report-2026-11-16-to-2026-11-22.csv`` and the like."""
        first, last = self.period.first_night.isoformat(), self.period.last_night.isoformat()
        return f"{stem}-{first}-to-{last}.{extension}"


def record_viewed(actor: User, choice: ReportChoice) -> None:
    """One ``report.viewed`` audit event with the period and filters shown."""
    audit.record("report.viewed", actor=actor, **choice.details())


def record_exported(actor: User, kind: str, choice: ReportChoice) -> None:
    """One ``report.exported`` audit event: ``kind`` (``figures_csv``, ``figures_xlsx``,
    ``sightings_csv``, ``hotspots_geojson``...), the period and the filters."""
    audit.record("report.exported", actor=actor, kind=kind, **choice.details())


# -- Counts as the viewer may see them --------------------------------------------------------


def shown_count(value: int, role: Role | str | None) -> Shown:
    """The number, or "<5" where the viewer may not see a count of 1 to 4: a number stays a
    number, so charts draw it and spreadsheets can add it up."""
    text = suppressed(value, role)
    return value if text == str(value) else text


def movement(count: Count, role: Role | str | None) -> dict[str, Any]:
    """How a figure moved since the previous period, as ``summary_figure`` shows it
    (:func:`partnership.core.charts.trend`, with the percentage when there is one); withheld
    when either count is too small for the viewer to see (:func:`figures.change`)."""
    change = count.trend(role)
    if change.kind == "withheld":
        withheld = chart_trend(None, None)
        withheld["text"] = _("Too few to compare with the previous period")
        return withheld
    moved = chart_trend(count.current, count.previous)
    if change.percent is not None and change.kind != "same":
        moved["text"] = _("%(movement)s (%(percent)s)", movement=moved["text"], percent=change.text)
    return moved


def title_of(enum: type[TitledEnum], code: str) -> str:
    """The translated title of a stored code; the code itself if it is no longer known."""
    if not code:
        return str(_("Not recorded"))
    title = TITLES[enum].get(code)
    return str(title) if title is not None else code


# -- The report for a page --------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A summary figure with its movement (``charts.trend`` keys, see :func:`movement`)."""

    key: str
    label: str
    value: Shown
    previous: Shown
    movement: dict[str, Any]


@dataclass(frozen=True)
class Bars:
    """A chart of counts and the table beside it: ``rows`` are (label, this period,
    previous period)."""

    key: str
    title: str
    label_heading: str
    rows: tuple[tuple[str, Shown, Shown], ...]
    svg: Markup


@dataclass(frozen=True)
class VenueRow:
    name: str
    sightings: Shown
    previous: Shown
    nights: Shown
    repeat: bool


@dataclass(frozen=True)
class SquareRow:
    label: str  # its letters on the plan of the squares: A, B, ...
    centre: str  # "51.6210, -3.9405"
    south: float
    west: float
    north: float
    east: float
    sightings: Shown
    previous: Shown
    nights: Shown
    repeat: bool
    public_reports: Shown


@dataclass(frozen=True)
class WhenFigures:
    title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    values: tuple[tuple[Shown, ...], ...]
    previous: tuple[tuple[Shown, ...], ...]
    svg: Markup
    daytime: Shown
    daytime_previous: Shown


@dataclass(frozen=True)
class SubjectRow:
    pseudonym: str
    sightings: Shown
    nights: Shown
    venues: Shown


@dataclass(frozen=True)
class PresentedReport:
    """Everything the page (and the figures export) shows, already suppressed for ``role``
    and pseudonymised."""

    period: Period
    previous_period: Period
    role: str
    summary: tuple[Figure, ...]
    behaviour: Bars
    victim_response: Bars
    action: Bars
    venues: tuple[VenueRow, ...]
    squares: tuple[SquareRow, ...]
    unplaced: tuple[Shown, Shown]
    when: WhenFigures
    repeat_count: Figure
    repeat_subjects: tuple[SubjectRow, ...]
    notes: Bars
    uses_by_reason: Bars
    uses_by_support: Bars
    uses_by_outcome: Bars
    welfare: Bars
    handovers: Bars
    orders: Bars
    public_total: Figure
    public_behaviour: Bars
    public_places: Bars
    public_unplaced: tuple[Shown, Shown]
    square_map: Markup  # the busiest squares where they lie, numbered as in their table


def subject_key(subject_id: int) -> str:
    """What a subject is pseudonymised by (apart from other kinds of id)."""
    return f"subject:{subject_id}"


def _bars(
    key: str,
    title: str,
    label_heading: str,
    counts: Iterable[tuple[str, Count]],
    role: str,
) -> Bars:
    rows = tuple(
        (label, shown_count(count.current, role), shown_count(count.previous, role))
        for label, count in counts
    )
    svg = bar_chart(title, rows, chart_id=f"chart-{key}")
    return Bars(key=key, title=title, label_heading=label_heading, rows=rows, svg=svg)


def _by_code(enum: type[TitledEnum], counts: Mapping[str, Count]) -> Iterator[tuple[str, Count]]:
    return ((title_of(enum, code), count) for code, count in counts.items())


def day_names() -> tuple[str, ...]:
    """Monday to Sunday in the request's language."""
    names = get_day_names("wide", locale=get_locale())
    return tuple(str(names[day]) for day in range(7))


def hour_labels() -> tuple[str, ...]:
    return tuple(f"{hour:02d}:00" for hour in HOURS_OF_NIGHT)


def figure_of(key: str, label: str, count: Count, role: Role | str) -> Figure:
    """One figure and the period before, as ``role`` may see them."""
    return Figure(
        key=key,
        label=label,
        value=shown_count(count.current, str(role)),
        previous=shown_count(count.previous, str(role)),
        movement=movement(count, str(role)),
    )


def summary_figures(performance: Any, role: Role | str) -> tuple[Figure, ...]:
    """The partnership's headline measures (the report's summary and the dashboard's week
    against last), as ``role`` may see them."""
    return (
        figure_of(
            "sightings",
            _("Sightings (intelligence submitted)"),
            performance.intelligence_submitted,
            role,
        ),
        figure_of("interventions", _("Interventions"), performance.interventions, role),
        figure_of("details_obtained", _("Details obtained"), performance.details_obtained, role),
        figure_of(
            "dispersals",
            _("Dispersals (Section 35 directions)"),
            performance.dispersals,
            role,
        ),
        figure_of("safe_space_uses", _("Safe Space uses"), performance.safe_space_uses, role),
    )


def present(report: Report, role: Role | str, pseudonymise: Pseudonymiser) -> PresentedReport:
    """``report`` as ``role`` may see it, every person as a code from ``pseudonymise``."""
    role = str(role)

    def figure(key: str, label: str, count: Count) -> Figure:
        return figure_of(key, label, count, role)

    def count(value: int) -> Shown:
        return shown_count(value, role)

    summary = summary_figures(report.performance, role)
    sightings = report.sightings
    hotspots = report.hotspots
    venues = tuple(
        VenueRow(
            name=spot.name,
            sightings=count(spot.sightings.current),
            previous=count(spot.sightings.previous),
            nights=count(spot.nights.current),
            repeat=spot.repeat,
        )
        for spot in hotspots.venues
    )
    squares = tuple(
        SquareRow(
            label=square_label(number),
            centre=f"{spot.centre[0]:.4f}, {spot.centre[1]:.4f}",
            south=spot.south,
            west=spot.west,
            north=spot.north,
            east=spot.east,
            sightings=count(spot.sightings.current),
            previous=count(spot.sightings.previous),
            nights=count(spot.nights.current),
            repeat=spot.repeat,
            public_reports=count(spot.public_reports.current),
        )
        for number, spot in enumerate(hotspots.squares, start=1)
    )
    when_title = _("Sightings by night of the week and hour")
    rows, columns = day_names(), hour_labels()
    values = tuple(tuple(count(cell.current) for cell in day) for day in report.when.cells)
    when = WhenFigures(
        title=when_title,
        row_labels=rows,
        column_labels=columns,
        values=values,
        previous=tuple(tuple(count(cell.previous) for cell in day) for day in report.when.cells),
        svg=heat_grid(when_title, rows, columns, values, chart_id="chart-when"),
        daytime=count(report.when.daytime.current),
        daytime_previous=count(report.when.daytime.previous),
    )
    repeat = report.repeat_subjects
    notes = report.notes
    welfare = report.welfare
    orders = report.orders
    public = report.public_reports
    return PresentedReport(
        period=report.period,
        previous_period=report.previous_period,
        role=role,
        summary=summary,
        behaviour=_bars(
            "behaviour",
            _("Sightings by behaviour"),
            _("Behaviour"),
            _by_code(Behaviour, sightings.by_behaviour),
            role,
        ),
        victim_response=_bars(
            "victim-response",
            _("Sightings by victim response"),
            _("Victim response"),
            _by_code(VictimResponse, sightings.by_victim_response),
            role,
        ),
        action=_bars(
            "action",
            _("Sightings by action taken"),
            _("Action taken"),
            _by_code(ActionTaken, sightings.by_action),
            role,
        ),
        venues=venues,
        squares=squares,
        unplaced=(count(hotspots.unplaced.current), count(hotspots.unplaced.previous)),
        when=when,
        repeat_count=figure("repeat_subjects", _("Repeat subjects"), repeat.count),
        repeat_subjects=tuple(
            SubjectRow(
                pseudonym=pseudonymise(subject_key(subject.subject_id)),
                sightings=count(subject.sightings),
                nights=count(subject.nights),
                venues=count(subject.venues),
            )
            for subject in repeat.subjects
        ),
        notes=_bars(
            "notes",
            _("Red-flag notes"),
            _("Notes"),
            (
                (_("Active at the end of the period"), notes.active_at_end),
                (_("Added"), notes.added),
                (_("Renewed"), notes.renewed),
                (_("Expired"), notes.expired),
            ),
            role,
        ),
        uses_by_reason=_bars(
            "uses-by-reason",
            _("Safe Space uses by reason"),
            _("Reason"),
            _by_code(SafeSpaceReason, welfare.uses_by_reason),
            role,
        ),
        uses_by_support=_bars(
            "uses-by-support",
            _("Safe Space uses by support given"),
            _("Support"),
            _by_code(Support, welfare.uses_by_support),
            role,
        ),
        uses_by_outcome=_bars(
            "uses-by-outcome",
            _("Safe Space uses by outcome (who they left with)"),
            _("Outcome"),
            _by_code(HandedTo, welfare.uses_by_handed_to),
            role,
        ),
        welfare=_bars(
            "welfare",
            _("Welfare notes and hand-overs"),
            _("Measure"),
            (
                (_("Safe Space uses"), welfare.safe_space_uses),
                (_("Welfare notes"), welfare.welfare_notes),
                (_("Hand-overs (Safe Space uses and welfare notes)"), welfare.handovers),
            ),
            role,
        ),
        handovers=_bars(
            "handovers",
            _("Hand-overs by who took over"),
            _("Handed to"),
            _by_code(HandedTo, welfare.handovers_by_handed_to),
            role,
        ),
        orders=_bars(
            "orders",
            _("Orders"),
            _("Order"),
            (
                (_("Section 34 authorisations"), orders.authorisations),
                (_("Section 35 directions"), orders.directions),
                (_("Partnership exclusion notices"), orders.notices),
                (_("Breaches of directions"), orders.direction_breaches),
                (_("Breaches of exclusion notices"), orders.notice_breaches),
                (_("Appeals against notices"), orders.appeals),
            ),
            role,
        ),
        public_total=figure("public_reports", _("Anonymous public reports"), public.total),
        public_behaviour=_bars(
            "public-behaviour",
            _("Public reports by what happened"),
            _("Behaviour"),
            _by_code(Behaviour, public.by_behaviour),
            role,
        ),
        public_places=_bars(
            "public-places",
            _("Public reports by place"),
            _("Place"),
            [
                *(
                    (_("%(name)s (venue)", name=place.name), place.reports)
                    for place in public.by_venue
                ),
                *(
                    (_("%(name)s (area)", name=place.name), place.reports)
                    for place in public.by_area
                ),
            ],
            role,
        ),
        public_unplaced=(count(public.unplaced.current), count(public.unplaced.previous)),
        square_map=square_map(
            _("Plan of the hotspot squares"),
            [
                MapSquare(
                    spot.south,
                    spot.west,
                    spot.north,
                    spot.east,
                    count(spot.sightings.current + spot.public_reports.current),
                    square_label(number),
                )
                for number, spot in enumerate(hotspots.squares[:SQUARES_ON_PAGE], start=1)
            ],
            chart_id="chart-squares",
        ),
    )


def hotspot_map(presented: PresentedReport, limit: int = SQUARES_ON_PAGE) -> dict[str, Any]:
    """The ``data-map`` of ``templates/_map.html`` (``map.js``, view mode): each of the
    ``limit`` busiest hotspot squares as a shape, named by its centre and its count as the
    viewer may see it."""
    url = current_app.config["MAP_TILE_URL"]
    return {
        "mode": "view",
        "tiles": (
            {"url": url, "attribution": current_app.config["MAP_TILE_ATTRIBUTION"]} if url else None
        ),
        "areas": [
            {
                "name": _(
                    "Square centred on %(centre)s: %(count)s sightings, %(public)s public reports",
                    centre=spot.centre,
                    count=spot.sightings,
                    public=spot.public_reports,
                ),
                "geometry": square(spot.south, spot.west, spot.north, spot.east),
            }
            for spot in presented.squares[:limit]
        ],
        "venues": [],
    }


# -- Figures for a spreadsheet ----------------------------------------------------------------


def _nights(period: Period) -> str:
    return str(
        _(
            "%(first)s to %(last)s",
            first=period.first_night.isoformat(),
            last=period.last_night.isoformat(),
        )
    )


def filter_names(filters: Filters) -> list[tuple[str, str]]:
    """What the report is narrowed to, in words: (area, its name), (venue, its name),
    (behaviour, its title), "All ..." where nothing is chosen."""
    area = db.session.get(Area, filters.area_id) if filters.area_id is not None else None
    venue = db.session.get(Venue, filters.venue_id) if filters.venue_id is not None else None
    return [
        (_("Area"), area.name if area is not None else _("All areas")),
        (_("Venue"), venue.name if venue is not None else _("All venues")),
        (
            _("Behaviour"),
            title_of(Behaviour, filters.behaviour) if filters.behaviour else _("All behaviours"),
        ),
    ]


def figures_header(presented: PresentedReport) -> list[str]:
    return [
        _("Section"),
        _("Item"),
        _("This period (nights %(dates)s)", dates=_nights(presented.period)),
        _("Previous period (nights %(dates)s)", dates=_nights(presented.previous_period)),
        _("Note"),
    ]


FigureLine = tuple[str, str, Shown | str, Shown | str, str]


def figure_lines(
    presented: PresentedReport, filter_names: Sequence[tuple[str, str]]
) -> Iterator[FigureLine]:
    """The page's figures a row at a time, (section, item, this period, previous period,
    note), led by what the report covers (``filter_names``: (what, chosen) pairs). The
    counts are those of ``presented``: already suppressed for its viewer."""
    covers = _("Report")
    yield (covers, _("Nights"), _nights(presented.period), _nights(presented.previous_period), "")
    for what, chosen in filter_names:
        yield (covers, what, chosen, "", "")
    for item in presented.summary:
        yield (_("Performance measures"), item.label, item.value, item.previous, "")
    for bars in (presented.behaviour, presented.victim_response, presented.action):
        for label, value, previous in bars.rows:
            yield (bars.title, label, value, previous, "")
    repeat_note = _("Repeat location")
    section = _("Hotspot venues: sightings")
    nights = _("Hotspot venues: nights with a sighting")
    for venue in presented.venues:
        note = repeat_note if venue.repeat else ""
        yield (section, venue.name, venue.sightings, venue.previous, note)
        yield (nights, venue.name, venue.nights, "", note)
    section = _("Hotspot squares: sightings")
    nights = _("Hotspot squares: nights with a sighting")
    for spot in presented.squares:
        note = repeat_note if spot.repeat else ""
        yield (section, spot.centre, spot.sightings, spot.previous, note)
        yield (nights, spot.centre, spot.nights, "", note)
    section = _("Hotspot squares: public reports")
    for spot in presented.squares:
        if spot.public_reports:
            yield (section, spot.centre, spot.public_reports, "", "")
    yield (
        _("Hotspots"),
        _("Sightings not on the map"),
        presented.unplaced[0],
        presented.unplaced[1],
        "",
    )
    when = presented.when
    for day, label in enumerate(when.row_labels):
        for hour, column in enumerate(when.column_labels):
            yield (
                when.title,
                _("%(night)s night, %(hour)s", night=label, hour=column),
                when.values[day][hour],
                when.previous[day][hour],
                "",
            )
    yield (when.title, _("Daytime (06:00 to 17:59)"), when.daytime, when.daytime_previous, "")
    repeat = presented.repeat_count
    yield (repeat.label, _("Repeat subjects"), repeat.value, repeat.previous, "")
    for subject in presented.repeat_subjects:
        yield (
            repeat.label,
            _("%(pseudonym)s: sightings", pseudonym=subject.pseudonym),
            subject.sightings,
            "",
            "",
        )
        yield (
            repeat.label,
            _("%(pseudonym)s: nights", pseudonym=subject.pseudonym),
            subject.nights,
            "",
            "",
        )
        yield (
            repeat.label,
            _("%(pseudonym)s: venues", pseudonym=subject.pseudonym),
            subject.venues,
            "",
            "",
        )
    for bars in (
        presented.notes,
        presented.uses_by_reason,
        presented.uses_by_support,
        presented.uses_by_outcome,
        presented.welfare,
        presented.handovers,
        presented.orders,
    ):
        for label, value, previous in bars.rows:
            yield (bars.title, label, value, previous, "")
    public = presented.public_total
    yield (public.label, public.label, public.value, public.previous, "")
    for bars in (presented.public_behaviour, presented.public_places):
        for label, value, previous in bars.rows:
            yield (bars.title, label, value, previous, "")
    yield (
        public.label,
        _("Not at a venue or in an area"),
        presented.public_unplaced[0],
        presented.public_unplaced[1],
        "",
    )


# -- Hotspot squares as GeoJSON ---------------------------------------------------------------


def hotspot_collection(report: Report, role: Role | str) -> dict[str, Any]:
    """The hotspot squares as a GeoJSON FeatureCollection: each square's polygon with its
    sightings this period and the previous one, its nights and its public reports (numbers,
    or "<5" as text where the viewer may not see the count) and whether it is a repeat
    location."""
    role = str(role)
    return geojson_feature_collection(
        feature(
            square(spot.south, spot.west, spot.north, spot.east),
            {
                "first_night": report.period.first_night.isoformat(),
                "last_night": report.period.last_night.isoformat(),
                "sightings": shown_count(spot.sightings.current, role),
                "previous_sightings": shown_count(spot.sightings.previous, role),
                "nights": shown_count(spot.nights.current, role),
                "repeat": spot.repeat,
                "repeat_nights": REPEAT_NIGHTS,
                "public_reports": shown_count(spot.public_reports.current, role),
                "previous_public_reports": shown_count(spot.public_reports.previous, role),
            },
        )
        for spot in report.hotspots.squares
    )


# -- Record-level sightings -------------------------------------------------------------------


def exportable_sightings(user: User) -> Select[tuple[Sighting]]:
    """The sightings ``user`` may export as record-level rows.

    Police: every sighting they may see (:func:`~partnership.sightings.service.visible_sightings`,
    which is all of them). Analysts: every sighting, by design (DESIGN.md sections 2 and 5:
    reports and exports only, as pseudonymised rows with no free text about people, which is
    all :func:`sighting_rows` writes). Everyone else, coordinators included: none.
    """
    if user.role_enum is Role.ANALYST:
        return select(Sighting)
    if user.role_enum in POLICE_ROLES:
        return visible_sightings(user)
    return select(Sighting).where(false())


def sighting_header() -> list[str]:
    return [
        _("Row"),
        _("Night"),
        _("Time (UK time)"),
        _("Venue"),
        _("Area"),
        _("Behaviour codes"),
        _("Victim response"),
        _("Action taken"),
        _("Apparent sex"),
        _("Apparent age"),
        _("Height"),
        _("Build"),
        _("Details obtained"),
        _("Linked subjects"),
    ]


def _sighting_conditions(period: Period, filters: Filters) -> list[ColumnElement[bool]]:
    nights = [Sighting.night >= period.first_night, Sighting.night <= period.last_night]
    return nights + sighting_filters(filters)


def _codes_by_sighting(connection: Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    """The behaviour codes of each of the sightings ``ids``, in one query."""
    codes: dict[int, list[str]] = {}
    rows = connection.execute(
        select(SightingBehaviour.sighting_id, SightingBehaviour.code).where(
            SightingBehaviour.sighting_id.in_(ids)
        )
    )
    for sighting_id, code in rows:
        codes.setdefault(sighting_id, []).append(code)
    return codes


def _subjects_by_sighting(connection: Connection, ids: Sequence[int]) -> dict[int, list[int]]:
    """The subjects linked to each of the sightings ``ids``, in one query."""
    subjects: dict[int, list[int]] = {}
    rows = connection.execute(
        select(SubjectLink.sighting_id, SubjectLink.subject_id).where(
            SubjectLink.sighting_id.in_(ids)
        )
    )
    for sighting_id, subject_id in rows:
        if sighting_id is not None:
            subjects.setdefault(sighting_id, []).append(subject_id)
    return subjects


def sighting_rows(
    user: User,
    period: Period,
    filters: Filters,
    pseudonymise: Pseudonymiser,
    engine: Engine | None = None,
) -> Iterator[list[Any]]:
    """The record-level rows of the sightings ``user`` may export in ``period`` narrowed by
    ``filters``, in the order of :func:`sighting_header`, oldest first.

    Made for a streamed download, which reads the rows after the view has returned, when
    the request's database session is closed and ``user`` is detached from it. So this
    reads everything it needs from the request now (which sightings ``user`` may export,
    as a finished statement, and the words ``yes`` and ``no`` in the reader's language)
    and returns a generator that uses only those plain values, ``pseudonymise`` and
    ``engine`` (the app's, by default). The generator reads nothing until its first row is
    asked for; then it opens a connection of its own, reads the whole file in one
    transaction (one snapshot on PostgreSQL, so every batch agrees with the rows), and
    closes it when the last row is read or the generator is closed.

    The sightings' own columns (with their venue and area names by outer joins) are
    streamed :data:`YIELD_PER` rows at a time, and for each such batch the behaviour codes
    and the linked subjects of its sightings are read with one ``IN`` query each: a fixed
    number of statements per batch, never one per row, and memory stays flat however many
    rows there are. Each row is numbered in the export's own order rather than by the
    sighting's id (a number that means nothing outside the file and needs no memory of the
    rows before it); linked subjects are codes from ``pseudonymise``. Codes only, apart
    from the venue and area names: no free text.
    """
    statement = (
        exportable_sightings(user)
        .with_only_columns(
            Sighting.id,
            Sighting.night,
            Sighting.occurred_at,
            Venue.name,
            Area.name,
            Sighting.victim_response,
            Sighting.action_taken,
            Sighting.apparent_sex,
            Sighting.age_band,
            Sighting.height,
            Sighting.build,
            Sighting.details_obtained_at,
            maintain_column_froms=False,
        )
        .select_from(Sighting)
        .outerjoin(Venue, Venue.id == Sighting.venue_id)
        .outerjoin(Area, Area.id == Sighting.area_id)
        .where(*_sighting_conditions(period, filters))
        .order_by(Sighting.night, Sighting.occurred_at, Sighting.id)
        .execution_options(stream_results=True, yield_per=YIELD_PER)
    )
    return _stream_sighting_rows(
        engine if engine is not None else db.engine,
        statement,
        (_("yes"), _("no")),
        pseudonymise,
    )


def _snapshot(engine: Engine) -> Connection:
    """A new connection of ``engine`` in a transaction that reads one snapshot of the
    database from its first statement to its end (a rollback, when it is closed).

    PostgreSQL's default (read committed) takes a new snapshot for every statement;
    repeatable read keeps the first, and a transaction that only reads never fails for it.
    Python's sqlite3 begins no transaction before a SELECT, so each statement would read
    the database as it is then: an explicit BEGIN holds one snapshot (WAL lets writers
    carry on meanwhile)."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ")
    elif engine.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
    return connection


def _stream_sighting_rows(
    engine: Engine,
    statement: Select[Any],
    yes_no: tuple[str, str],
    pseudonymise: Pseudonymiser,
) -> Iterator[list[Any]]:
    """The rows of :func:`sighting_rows`, read on a connection of this generator's own."""
    yes, no = yes_no
    number = 0
    with _snapshot(engine) as connection:
        result = connection.execute(statement)
        try:
            for batch in result.partitions():
                ids = [row[0] for row in batch]
                codes = _codes_by_sighting(connection, ids)
                subjects = _subjects_by_sighting(connection, ids)
                for row in batch:
                    (sighting_id, night, occurred_at, venue, area, response, action) = row[:7]
                    sex, age, height, build, details_at = row[7:]
                    number += 1
                    linked = subjects.get(sighting_id)
                    yield [
                        number,
                        night,
                        occurred_at,
                        venue or "",
                        area or "",
                        LIST_SEPARATOR.join(sorted(codes.get(sighting_id, ()))),
                        response,
                        action,
                        sex,
                        age,
                        height,
                        build,
                        yes if details_at is not None else no,
                        LIST_SEPARATOR.join(
                            sorted(pseudonymise(subject_key(subject)) for subject in linked)
                        )
                        if linked
                        else "",
                    ]
        finally:
            result.close()
