"""The weekly review pack (issue 6): the report's figures as a PDF for the partnership's
meeting, in English or Welsh.

The pack holds a cover (the service, the range, the nights covered and the period they are
compared with, the filters, who produced it and when), the summary figures with their
trends, then a section for each part of the report: behaviours, victim responses, actions
taken, hotspots (venues and grid squares, repeat locations marked), when (night of the week
by hour), repeat subjects, red-flag notes, Safe Space uses, welfare notes and hand-overs,
orders, the partnership's performance measures, and "Notes for the meeting": the text the
producer gave, if any, then ruled lines to write on.

What the reader may see is decided here, not in the template: every count is turned into
text by :func:`~partnership.reports.figures.suppressed` for the producer's role ("<5" for 1
to 4 unless they are police) and every trend comes from
:func:`~partnership.reports.figures.change` (withheld when a count under 5 would show
through). Subjects appear only by a pseudonym made for this pack alone (a fresh secret each
time, so two packs cannot be joined on them), never by name or red-flag reference; for a
viewer who may not see small counts, fewer than 5 repeat subjects are not listed at all, as
the list's length would give their number away. No free text about anyone is printed: the
only free text is the producer's own notes.

Charts are the SVG of :mod:`partnership.core.charts`, put inline in the HTML: WeasyPrint
draws them as vector paths and text, so their labels and figures read back from the PDF
like the tables beside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from babel.dates import get_day_names
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.charts import (
    MapSquare,
    bar_chart,
    heat_grid,
    shown,
    square_label,
    square_map,
)
from partnership.core.enums import Locale
from partnership.core.exports import new_pseudonymiser
from partnership.core.i18n import label_of, local_date, local_datetime
from partnership.core.pdf import render_pdf
from partnership.extensions import db
from partnership.reports.figures import (
    HOURS_OF_NIGHT,
    MINUS,
    PRESETS,
    REPEAT_NIGHTS,
    REPEAT_SUBJECT_NIGHTS,
    SUPPRESS_BELOW,
    Count,
    Filters,
    GridSquare,
    Period,
    Report,
    is_small,
    preset,
    sees_small_counts,
    suppressed,
)
from partnership.venues.models import Area, Venue

TEMPLATE: Final = "reports/pdf/pack.html"
# Without ?range=, the pack is the weekly one: this week's nights (on a Monday, the week
# just gone).
DEFAULT_RANGE: Final = "this_week"
CUSTOM: Final = "custom"
WEEKLY: Final = frozenset({"this_week", "last_week"})
# A custom range longer than this is refused: a year of nights, a leap year included.
# The producer's notes for the meeting: at most this many characters.
NOTES_LIMIT: Final = 2000
# Hotspot and repeat-subject tables print this many rows, busiest first; the report page
# and the exports have the rest.
TOP_ROWS: Final = 20
# Venues named beside a hotspot square, at most.
VENUES_PER_SQUARE: Final = 3
# Blank ruled lines for handwritten notes at the end of the pack.
RULED_LINES: Final = 20
WITHHELD: Final = "\u2013"  # an en dash, where a trend would give a small count away
ARROWS: Final = {"up": "\u25b2", "down": "\u25bc", "same": "="}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadPackArguments(ValueError):
    """A query argument the pack cannot use: the view answers 404 (there is no such pack)."""


# -- The query arguments ----------------------------------------------------------------------


def meeting_notes(args: Mapping[str, str]) -> str:
    """The producer's notes for the meeting (``notes``), with control characters other than
    line ends and tabs taken out and surrounding space trimmed; empty when not given.
    Raises :class:`BadPackArguments` past :data:`NOTES_LIMIT` characters."""
    text = args.get("notes") or ""
    if len(text) > NOTES_LIMIT:
        raise BadPackArguments(f"notes longer than {NOTES_LIMIT} characters")
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def range_name(period: Period, now: datetime) -> str:
    """The named range ``period`` is at ``now`` (the presets of
    :func:`partnership.reports.figures.preset`), else ``custom``."""
    for name in PRESETS:
        if preset(name, now) == period:
            return name
    return CUSTOM


# -- What the pack prints ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One row of a table of figures, every figure already as the viewer may see it."""

    label: str
    current: str
    previous: str
    change: str


@dataclass(frozen=True)
class BarFigure:
    """A bar chart with the table of the same figures. Rows with nothing in either period
    are left out of both; with none left, ``svg`` is None."""

    title: str
    label_heading: str
    svg: Markup | None
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class SummaryFigure:
    label: str
    value: str
    previous: str
    change: str
    direction: str  # up, down, same, new or withheld
    arrow: str


@dataclass(frozen=True)
class Hotspot:
    """A venue or a grid square: its sightings, with the nights they were on."""

    label: str
    places: str  # for a square: the venues in it
    sightings: Line
    nights: str
    repeat: bool
    letters: str = ""  # for a square: its letters on the plan
    public_reports: str = ""  # for a square: public reports this period


@dataclass(frozen=True)
class Hotspots:
    venues: tuple[Hotspot, ...]
    venue_count: int
    squares: tuple[Hotspot, ...]
    square_count: int
    unplaced: str
    map: Markup | None  # the squares printed, where they lie, lettered as in their table


@dataclass(frozen=True)
class WhenFigure:
    svg: Markup
    days: tuple[str, ...]
    hours: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]
    daytime: str


@dataclass(frozen=True)
class RepeatSubjectRow:
    pseudonym: str
    nights: str
    sightings: str
    venues: str


@dataclass(frozen=True)
class RepeatSubjectsFigure:
    count: Line
    rows: tuple[RepeatSubjectRow, ...]
    withheld: bool  # fewer than 5, not listed for this viewer
    more: int  # repeat subjects beyond the rows printed


@dataclass(frozen=True)
class Pack:
    """Everything the template prints, in the pack's language."""

    title: str
    range_title: str
    nights: str
    compared_with: str
    filters: tuple[str, ...]
    produced_by: str
    produced_on: str
    sees_small_counts: bool
    summary: tuple[SummaryFigure, ...]
    behaviours: BarFigure
    responses: BarFigure
    actions: BarFigure
    interventions: Line
    hotspots: Hotspots
    when: WhenFigure
    repeat_subjects: RepeatSubjectsFigure
    notes: tuple[Line, ...]
    safe_space_total: Line
    reasons: BarFigure
    support: BarFigure
    outcomes: BarFigure
    welfare: tuple[Line, ...]
    handovers: BarFigure
    orders: tuple[Line, ...]
    performance: tuple[Line, ...]
    public_total: Line
    public_behaviours: BarFigure
    public_places: tuple[Line, ...]
    public_unplaced: str
    meeting_notes: str
    ruled_lines: int
    filtered: bool
    by_place: bool


def _figure(value: int, role: str) -> int | str:
    """A count as a chart takes it: the number, or "<5" when the viewer may not see it."""
    text = suppressed(value, role)
    return value if text == str(value) else text


def _shown(value: int, role: str) -> str:
    return shown(_figure(value, role))


def _change(count: Count, role: str) -> str:
    trend = count.trend(role)
    return trend.text or WITHHELD


def _line(label: str, count: Count, role: str) -> Line:
    return Line(
        label,
        _shown(count.current, role),
        _shown(count.previous, role),
        _change(count, role),
    )


def _bars(
    title: str, label_heading: str, counts: Mapping[str, Count], enum_name: str, role: str
) -> BarFigure:
    kept = [(code, count) for code, count in counts.items() if count.current or count.previous]
    rows = [
        (label_of(code, enum_name), _figure(count.current, role), _figure(count.previous, role))
        for code, count in kept
    ]
    lines = tuple(_line(label_of(code, enum_name), count, role) for code, count in kept)
    svg = bar_chart(title, rows) if rows else None
    return BarFigure(title, label_heading, svg, lines)


def _summary(label: str, count: Count, role: str) -> SummaryFigure:
    trend = count.trend(role)
    return SummaryFigure(
        label=label,
        value=_shown(count.current, role),
        previous=_shown(count.previous, role),
        change=trend.text or WITHHELD,
        direction=trend.kind,
        arrow=ARROWS.get(trend.kind, ""),
    )


def _nights_text(period: Period) -> str:
    return str(
        ngettext(
            "%(first)s to %(last)s (%(num)d night)",
            "%(first)s to %(last)s (%(num)d nights)",
            period.nights,
            first=local_date(period.first_night),
            last=local_date(period.last_night),
        )
    )


def _filters_text(filters: Filters) -> tuple[str, ...]:
    found: list[str] = []
    if filters.area_id is not None:
        area = db.session.get(Area, filters.area_id)
        found.append(_("Area: %(name)s", name=area.name if area else filters.area_id))
    if filters.venue_id is not None:
        venue = db.session.get(Venue, filters.venue_id)
        found.append(_("Venue: %(name)s", name=venue.name if venue else filters.venue_id))
    if filters.behaviour:
        found.append(_("Behaviour: %(name)s", name=label_of(filters.behaviour, "Behaviour")))
    return tuple(found) or (_("None: every area, venue and behaviour"),)


def _venues_by_square(squares: Iterable[GridSquare]) -> dict[tuple[int, int], list[str]]:
    """The names of the venues whose point is in each of ``squares``, by name."""
    wanted = {(square.row, square.column): square for square in squares}
    found: dict[tuple[int, int], list[str]] = {key: [] for key in wanted}
    if not wanted:
        return found
    venues = db.session.execute(
        select(Venue.name, Venue.latitude, Venue.longitude)
        .where(Venue.latitude.is_not(None), Venue.longitude.is_not(None))
        .order_by(Venue.name, Venue.id)
    ).all()
    for name, latitude, longitude in venues:
        for key, square in wanted.items():
            if square.south <= latitude < square.north and square.west <= longitude < square.east:
                found[key].append(name)
    return found


def _hotspots(report: Report, role: str) -> Hotspots:
    hotspots = report.hotspots
    venues = tuple(
        Hotspot(
            label=venue.name,
            places="",
            sightings=_line(venue.name, venue.sightings, role),
            nights=_shown(venue.nights.current, role),
            repeat=venue.repeat,
        )
        for venue in hotspots.venues[:TOP_ROWS]
    )
    shown_squares = hotspots.squares[:TOP_ROWS]
    names = _venues_by_square(shown_squares)
    squares = []
    for number, square in enumerate(shown_squares, start=1):
        latitude, longitude = (f"{degrees:.4f}".replace("-", MINUS) for degrees in square.centre)
        label = f"{latitude}, {longitude}"
        in_square = names[(square.row, square.column)]
        places = ", ".join(in_square[:VENUES_PER_SQUARE])
        if len(in_square) > VENUES_PER_SQUARE:
            places = _(
                "%(names)s and %(num)d more", names=places, num=len(in_square) - VENUES_PER_SQUARE
            )
        squares.append(
            Hotspot(
                label=label,
                places=places,
                sightings=_line(label, square.sightings, role),
                nights=_shown(square.nights.current, role),
                repeat=square.repeat,
                letters=square_label(number),
                public_reports=_shown(square.public_reports.current, role),
            )
        )
    drawn = [
        MapSquare(
            square.south,
            square.west,
            square.north,
            square.east,
            _figure(square.sightings.current + square.public_reports.current, role),
            square_label(number),
        )
        for number, square in enumerate(shown_squares, start=1)
    ]
    return Hotspots(
        venues=venues,
        venue_count=len(hotspots.venues),
        squares=tuple(squares),
        square_count=len(hotspots.squares),
        unplaced=_shown(hotspots.unplaced.current, role),
        map=square_map(_("Map of the hotspot squares"), drawn) if drawn else None,
    )


def _when(report: Report, role: str) -> WhenFigure:
    names = get_day_names("wide", locale=get_locale())
    days = tuple(str(names[weekday]) for weekday in range(7))
    hours = tuple(f"{hour:02d}" for hour in HOURS_OF_NIGHT)
    values = [
        [_figure(report.when.cell(weekday, hour).current, role) for hour in HOURS_OF_NIGHT]
        for weekday in range(7)
    ]
    svg = heat_grid(_("Sightings by night of the week and hour"), days, hours, values)
    return WhenFigure(
        svg=svg,
        days=days,
        hours=hours,
        cells=tuple(tuple(shown(value) for value in row) for row in values),
        daytime=_shown(report.when.daytime.current, role),
    )


def _repeat_subjects(report: Report, role: str) -> RepeatSubjectsFigure:
    found = report.repeat_subjects
    count = _line(_("Repeat subjects"), found.count, role)
    withheld = is_small(found.count.current) and not sees_small_counts(role)
    if withheld:
        return RepeatSubjectsFigure(count, (), True, 0)
    pseudonym = new_pseudonymiser()
    rows = tuple(
        RepeatSubjectRow(
            pseudonym=pseudonym(subject.subject_id),
            nights=_shown(subject.nights, role),
            sightings=_shown(subject.sightings, role),
            venues=_shown(subject.venues, role),
        )
        for subject in found.subjects[:TOP_ROWS]
    )
    return RepeatSubjectsFigure(count, rows, False, max(len(found.subjects) - TOP_ROWS, 0))


def _title(name: str) -> str:
    return str(_("Weekly review pack") if name in WEEKLY else _("Review pack"))


def _range_title(name: str) -> str:
    titles: dict[str, str] = {
        "this_week": _("This week"),
        "last_week": _("Last week"),
        "last_4_weeks": _("The last 4 weeks"),
        "quarter": _("The last 13 weeks"),
    }
    return titles.get(name) or str(_("Chosen nights"))


def build_pack(actor: User, report: Report, notes: str, now: datetime, name: str) -> Pack:
    """What the pack prints for ``actor``, in the current locale (see the module's
    docstring for what is shown and what withheld)."""
    role = str(actor.role)
    sightings, welfare, orders = report.sightings, report.welfare, report.orders
    performance = report.performance
    return Pack(
        title=_title(name),
        range_title=_range_title(name),
        nights=_nights_text(report.period),
        compared_with=_nights_text(report.previous_period),
        filters=_filters_text(report.filters),
        produced_by=_(
            "%(name)s, %(organisation)s", name=actor.name, organisation=actor.organisation.name
        ),
        produced_on=local_datetime(now),
        sees_small_counts=sees_small_counts(role),
        summary=(
            _summary(_("Sightings"), sightings.total, role),
            _summary(_("Interventions"), sightings.interventions, role),
            _summary(_("Details obtained"), performance.details_obtained, role),
            _summary(_("Dispersals"), performance.dispersals, role),
            _summary(_("Safe Space uses"), welfare.safe_space_uses, role),
            _summary(_("Breaches"), orders.breaches, role),
        ),
        behaviours=_bars(
            _("Sightings by behaviour"), _("Behaviour"), sightings.by_behaviour, "Behaviour", role
        ),
        responses=_bars(
            _("Sightings by victim response"),
            _("Victim response"),
            sightings.by_victim_response,
            "VictimResponse",
            role,
        ),
        actions=_bars(
            _("Sightings by action taken"),
            _("Action taken"),
            sightings.by_action,
            "ActionTaken",
            role,
        ),
        interventions=_line(_("Interventions"), sightings.interventions, role),
        hotspots=_hotspots(report, role),
        when=_when(report, role),
        repeat_subjects=_repeat_subjects(report, role),
        notes=(
            _line(_("Active at the end of the period"), report.notes.active_at_end, role),
            _line(_("Added"), report.notes.added, role),
            _line(_("Renewed"), report.notes.renewed, role),
            _line(_("Expired"), report.notes.expired, role),
        ),
        safe_space_total=_line(_("Safe Space uses"), welfare.safe_space_uses, role),
        reasons=_bars(
            _("Safe Space uses by reason"),
            _("Reason"),
            welfare.uses_by_reason,
            "SafeSpaceReason",
            role,
        ),
        support=_bars(
            _("Safe Space uses by support given"),
            _("Support given"),
            welfare.uses_by_support,
            "Support",
            role,
        ),
        outcomes=_bars(
            _("Safe Space uses by outcome"),
            _("Handed over to"),
            welfare.uses_by_handed_to,
            "HandedTo",
            role,
        ),
        welfare=(
            _line(_("Welfare notes"), welfare.welfare_notes, role),
            _line(_("Hand-overs from Safe Spaces and welfare notes"), welfare.handovers, role),
        ),
        handovers=_bars(
            _("Hand-overs by who took the person on"),
            _("Handed over to"),
            welfare.handovers_by_handed_to,
            "HandedTo",
            role,
        ),
        orders=(
            _line(_("Section 34 dispersal authorisations"), orders.authorisations, role),
            _line(_("Section 35 directions"), orders.directions, role),
            _line(_("Partnership exclusion notices"), orders.notices, role),
            _line(_("Breaches"), orders.breaches, role),
            _line(_("Breaches of directions"), orders.direction_breaches, role),
            _line(_("Breaches of exclusion notices"), orders.notice_breaches, role),
            _line(_("Appeals received"), orders.appeals, role),
        ),
        performance=(
            _line(
                _("Intelligence submitted (sightings)"), performance.intelligence_submitted, role
            ),
            _line(_("Dispersals (Section 35 directions)"), performance.dispersals, role),
            _line(_("Details obtained"), performance.details_obtained, role),
            _line(_("Interventions"), performance.interventions, role),
            _line(_("Safe Space uses"), performance.safe_space_uses, role),
        ),
        public_total=_line(_("Anonymous public reports"), report.public_reports.total, role),
        public_behaviours=_bars(
            _("Public reports by what happened"),
            _("Behaviour"),
            report.public_reports.by_behaviour,
            "Behaviour",
            role,
        ),
        public_places=tuple(
            _line(label, place.reports, role)
            for places, kind in (
                (report.public_reports.by_venue, _("venue")),
                (report.public_reports.by_area, _("area")),
            )
            for place in places[:TOP_ROWS]
            for label in [_("%(name)s (%(kind)s)", name=place.name, kind=kind)]
        ),
        public_unplaced=_shown(report.public_reports.unplaced.current, role),
        meeting_notes=notes,
        ruled_lines=RULED_LINES,
        filtered=report.filters.any,
        by_place=report.filters.by_place,
    )


def pack_title(pack: Pack, period: Period) -> str:
    """The document's title, also printed in each page's footer."""
    return str(
        _(
            "%(title)s: %(first)s to %(last)s",
            title=pack.title,
            first=local_date(period.first_night, "d MMMM yyyy"),
            last=local_date(period.last_night, "d MMMM yyyy"),
        )
    )


def pack_pdf(actor: User, report: Report, language: Locale, notes: str, now: datetime) -> bytes:
    """The review pack of ``report`` for ``actor``, in ``language`` (English or Welsh), as
    PDF bytes (A4, "Page X of Y" on each page, /Lang set to the language).

    Every count is shown as ``actor``'s role may see it and every subject by a pseudonym
    of this pack only (see the module's docstring); ``notes`` (the producer's own text,
    see :func:`meeting_notes`) is printed under "Notes for the meeting" above the ruled
    lines. Leaves one ``report.pack_produced`` audit event with the period, the range, the
    filters, the language and whether notes were given; the view commits.
    """
    name = range_name(report.period, now)
    with force_locale(language.value):
        pack = build_pack(actor, report, notes, now, name)
        title = pack_title(pack, report.period)
        pdf = render_pdf(
            TEMPLATE,
            title=title,
            lang=language.value,
            pack=pack,
            repeat_nights=REPEAT_NIGHTS,
            repeat_subject_nights=REPEAT_SUBJECT_NIGHTS,
            suppress_below=SUPPRESS_BELOW,
        )
    filters = report.filters
    audit.record(
        "report.pack_produced",
        actor=actor,
        object_type="report",
        period={
            "first_night": report.period.first_night.isoformat(),
            "last_night": report.period.last_night.isoformat(),
        },
        previous_period={
            "first_night": report.previous_period.first_night.isoformat(),
            "last_night": report.previous_period.last_night.isoformat(),
        },
        range=name,
        filters={
            "area": filters.area_id,
            "venue": filters.venue_id,
            "behaviour": filters.behaviour,
        },
        language=language.value,
        with_notes=bool(notes),
        role=str(actor.role),
    )
    return pdf
