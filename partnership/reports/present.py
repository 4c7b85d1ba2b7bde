"""The report as one viewer may see it: a :class:`~partnership.reports.figures.Report`
turned into labelled rows and figures, the one source of what the report page, the figures
CSV and XLSX and the review pack print.

Every title, column label and figure label is chosen here, once, in the request's language,
so the page, the files and the pack cannot call one figure by two names (a test compares
them). Two rules of :mod:`partnership.core.disclosure` hold for everything that leaves here:

- **Suppression.** Every count is the number, or "<5" where the viewer may not see a count
  of 1 to 4 (:func:`~partnership.core.disclosure.shown_count`), in charts, tables, files
  and map labels alike; a movement from the previous period is withheld when either side
  is small (:func:`movement`, and :attr:`Row.change`).
- **Pseudonyms.** A person appears only as a code from the
  :class:`~partnership.core.exports.Pseudonymiser` given for that one page view, export or
  pack. Never a name, never a reference.

How each output lays the rows out (which it leaves out for space, the pack's zero rows and
its top 20) is the output's business; what a row is called is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from babel.dates import get_day_names
from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from partnership.core.catalogue import gettext as _
from partnership.core.charts import MapSquare, bar_chart, heat_grid, square_label, square_map
from partnership.core.charts import trend as chart_trend
from partnership.core.disclosure import (
    Shown,
    is_small,
    sees_small_counts,
    shown_count,
    subject_pseudonym,
)
from partnership.core.enums import (
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
from partnership.core.exports import square
from partnership.reports.figures import HOURS_OF_NIGHT, Count, Period, Report

if TYPE_CHECKING:
    from partnership.core.exports import Pseudonymiser

# The busiest squares drawn and listed on the page (the exports hold them all).
SQUARES_ON_PAGE: Final = 100
WITHHELD: Final = "\u2013"  # an en dash, where a change would give a small count away


# -- Counts as the viewer may see them --------------------------------------------------------


def movement(count: Count, role: Role | str | None) -> dict[str, Any]:
    """How a figure moved since the previous period, as ``summary_figure`` shows it
    (:func:`partnership.core.charts.trend`, with the percentage when there is one); withheld
    when either count is too small for the viewer to see
    (:func:`~partnership.core.disclosure.change`)."""
    change = count.trend(role)
    if change.kind == "withheld":
        withheld = chart_trend(None, None)
        withheld["text"] = _("Too few to compare with the previous period")
        return withheld
    moved = chart_trend(count.current, count.previous)
    if change.percent is not None and change.kind != "same":
        moved["text"] = _("%(movement)s (%(percent)s)", movement=moved["text"], percent=change.text)
    return moved


def change_text(count: Count, role: Role | str | None) -> str:
    """The change in a table's "Change" column: "+25%", "new", or an en dash when withheld."""
    return count.trend(role).text or WITHHELD


def title_of(enum: type[TitledEnum], code: str) -> str:
    """The translated title of a stored code; the code itself if it is no longer known."""
    if not code:
        return str(_("Not recorded"))
    title = TITLES[enum].get(code)
    return str(title) if title is not None else code


def day_names() -> tuple[str, ...]:
    """Monday to Sunday in the request's language."""
    names = get_day_names("wide", locale=get_locale())
    return tuple(str(names[day]) for day in range(7))


def hour_labels() -> tuple[str, ...]:
    return tuple(f"{hour:02d}:00" for hour in HOURS_OF_NIGHT)


# -- What the outputs print -------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One labelled count of a chart or table, this period and the previous one, with its
    change ("+25%", "new", or an en dash where it is withheld)."""

    label: str
    value: Shown
    previous: Shown
    change: str

    @property
    def counted(self) -> bool:
        """Something in either period."""
        return self.value != 0 or self.previous != 0


@dataclass(frozen=True)
class Figure:
    """A headline figure: a :class:`Row` with its ``key`` and its movement
    (``charts.trend`` keys, see :func:`movement`); ``direction`` is the trend's kind (up,
    down, same, new or withheld)."""

    key: str
    label: str
    value: Shown
    previous: Shown
    movement: dict[str, Any]
    change: str
    direction: str


@dataclass(frozen=True)
class Bars:
    """A chart of counts and the table beside it."""

    key: str
    title: str
    label_heading: str
    lines: tuple[Row, ...]
    svg: Markup | None

    @property
    def rows(self) -> tuple[tuple[str, Shown, Shown], ...]:
        """(label, this period, previous period): what the page's chart macro takes."""
        return tuple((line.label, line.value, line.previous) for line in self.lines)

    def counted(self) -> Bars:
        """The same chart with only the rows that have something in either period (no
        drawing when none has)."""
        lines = tuple(line for line in self.lines if line.counted)
        return replace(self, lines=lines, svg=_draw(self.key, self.title, lines))


@dataclass(frozen=True)
class VenueRow:
    name: str
    sightings: Shown
    previous: Shown
    change: str
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
    change: str
    nights: Shown
    repeat: bool
    public_reports: Shown
    shade: Shown  # sightings and public reports together: how dark it is on the plan


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
    """Everything the page, the figures export and the pack show, already suppressed for
    ``role`` and pseudonymised."""

    period: Period
    previous_period: Period
    role: str
    sees_small_counts: bool  # police: counts of 1 to 4 are shown as they are
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
    # Fewer than 5 repeat subjects and a viewer who may not see that: a list would give
    # their number away, so a document that lists them leaves them out.
    repeat_subjects_withheld: bool
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
    square_map: Markup  # the busiest squares where they lie, lettered as in their table

    def figure(self, key: str) -> Figure:
        """The summary figure ``key`` (``sightings``, ``interventions``...)."""
        for item in self.summary:
            if item.key == key:
                return item
        raise KeyError(key)


def _draw(key: str, title: str, lines: Sequence[Row]) -> Markup | None:
    if not lines:
        return None
    rows = [(line.label, line.value, line.previous) for line in lines]
    return bar_chart(title, rows, chart_id=f"chart-{key}")


def row_of(label: str, count: Count, role: str) -> Row:
    return Row(
        label=label,
        value=shown_count(count.current, role),
        previous=shown_count(count.previous, role),
        change=change_text(count, role),
    )


def _bars(
    key: str,
    title: str,
    label_heading: str,
    counts: Iterable[tuple[str, Count]],
    role: str,
) -> Bars:
    lines = tuple(row_of(label, count, role) for label, count in counts)
    svg = bar_chart(title, [(r.label, r.value, r.previous) for r in lines], chart_id=f"chart-{key}")
    return Bars(key=key, title=title, label_heading=label_heading, lines=lines, svg=svg)


def _by_code(enum: type[TitledEnum], counts: Mapping[str, Count]) -> Iterator[tuple[str, Count]]:
    return ((title_of(enum, code), count) for code, count in counts.items())


def figure_of(key: str, label: str, count: Count, role: Role | str) -> Figure:
    """One figure and the period before, as ``role`` may see them."""
    role = str(role)
    return Figure(
        key=key,
        label=label,
        value=shown_count(count.current, role),
        previous=shown_count(count.previous, role),
        movement=movement(count, role),
        change=change_text(count, role),
        direction=count.trend(role).kind,
    )


def summary_figures(performance: Any, role: Role | str) -> tuple[Figure, ...]:
    """The partnership's headline measures (the report's summary and performance measures,
    the dashboard's week against last), as ``role`` may see them."""
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


def plan_of_squares(squares: Sequence[SquareRow], limit: int) -> Markup:
    """The ``limit`` busiest hotspot squares where they lie, shaded by their sightings and
    public reports together and lettered as in their table."""
    return square_map(
        _("Plan of the hotspot squares"),
        [
            MapSquare(spot.south, spot.west, spot.north, spot.east, spot.shade, spot.label)
            for spot in squares[:limit]
        ],
        chart_id="chart-squares",
    )


def _squares(report: Report, role: str) -> tuple[SquareRow, ...]:
    return tuple(
        SquareRow(
            label=square_label(number),
            centre=f"{spot.centre[0]:.4f}, {spot.centre[1]:.4f}",
            south=spot.south,
            west=spot.west,
            north=spot.north,
            east=spot.east,
            sightings=shown_count(spot.sightings.current, role),
            previous=shown_count(spot.sightings.previous, role),
            change=change_text(spot.sightings, role),
            nights=shown_count(spot.nights.current, role),
            repeat=spot.repeat,
            public_reports=shown_count(spot.public_reports.current, role),
            shade=shown_count(spot.sightings.current + spot.public_reports.current, role),
        )
        for number, spot in enumerate(report.hotspots.squares, start=1)
    )


def _when(report: Report, role: str) -> WhenFigures:
    title = _("Sightings by night of the week and hour")
    rows, columns = day_names(), hour_labels()
    values = tuple(
        tuple(shown_count(cell.current, role) for cell in day) for day in report.when.cells
    )
    return WhenFigures(
        title=title,
        row_labels=rows,
        column_labels=columns,
        values=values,
        previous=tuple(
            tuple(shown_count(cell.previous, role) for cell in day) for day in report.when.cells
        ),
        svg=heat_grid(title, rows, columns, values, chart_id="chart-when"),
        daytime=shown_count(report.when.daytime.current, role),
        daytime_previous=shown_count(report.when.daytime.previous, role),
    )


def present_report(
    report: Report, role: Role | str, pseudonymise: Pseudonymiser
) -> PresentedReport:
    """``report`` as ``role`` may see it, every person as a code from ``pseudonymise``."""
    role = str(role)

    def figure(key: str, label: str, count: Count) -> Figure:
        return figure_of(key, label, count, role)

    def count(value: int) -> Shown:
        return shown_count(value, role)

    sightings, hotspots = report.sightings, report.hotspots
    repeat, notes, welfare = report.repeat_subjects, report.notes, report.welfare
    orders, public = report.orders, report.public_reports
    squares = _squares(report, role)
    return PresentedReport(
        period=report.period,
        previous_period=report.previous_period,
        role=role,
        sees_small_counts=sees_small_counts(role),
        summary=summary_figures(report.performance, role),
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
        venues=tuple(
            VenueRow(
                name=spot.name,
                sightings=count(spot.sightings.current),
                previous=count(spot.sightings.previous),
                change=change_text(spot.sightings, role),
                nights=count(spot.nights.current),
                repeat=spot.repeat,
            )
            for spot in hotspots.venues
        ),
        squares=squares,
        unplaced=(count(hotspots.unplaced.current), count(hotspots.unplaced.previous)),
        when=_when(report, role),
        repeat_count=figure("repeat_subjects", _("Repeat subjects"), repeat.count),
        repeat_subjects=tuple(
            SubjectRow(
                pseudonym=subject_pseudonym(pseudonymise, subject.subject_id),
                sightings=count(subject.sightings),
                nights=count(subject.nights),
                venues=count(subject.venues),
            )
            for subject in repeat.subjects
        ),
        repeat_subjects_withheld=is_small(repeat.count.current) and not sees_small_counts(role),
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
        square_map=plan_of_squares(squares, SQUARES_ON_PAGE),
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
