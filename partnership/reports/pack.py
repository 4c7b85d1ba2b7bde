"""The weekly review pack (issue 6): the report's figures as a PDF for the partnership's
meeting, in English or Welsh.

The pack holds a cover (the service, the range, the nights covered and the period they are
compared with, the filters, who produced it and when), the summary figures with their
trends, then a section for each part of the report: behaviours, victim responses, actions
taken, hotspots (venues and grid squares, repeat locations marked), when (night of the week
by hour), repeat subjects, red-flag notes, Safe Space uses, welfare notes and hand-overs,
orders, the partnership's performance measures, and "Notes for the meeting": the text the
producer gave, if any, then ruled lines to write on.

What the reader may see is decided by the report page's presenter, not here nor in the
template: :func:`~partnership.reports.present.present_report` turns every count into what
the producer's role may see ("<5" for 1 to 4 unless they are police), withholds a change
that would give such a count away, and names every figure as the report page and its files
do. Subjects appear only by a pseudonym made for this pack alone (a fresh secret each time,
so two packs cannot be joined on them), never by name or red-flag reference; for a viewer
who may not see small counts, fewer than 5 repeat subjects are not listed at all, as the
list's length would give their number away. No free text about anyone is printed: the only
free text is the producer's own notes.

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

from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import select

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.catalogue import gettext as _
from partnership.core.catalogue import ngettext
from partnership.core.charts import shown
from partnership.core.disclosure import SUPPRESS_BELOW
from partnership.core.enums import Locale
from partnership.core.exports import new_pseudonymiser
from partnership.core.i18n import label_of, local_date, local_datetime
from partnership.core.pdf import render_pdf
from partnership.extensions import db
from partnership.reports.figures import (
    PRESETS,
    REPEAT_NIGHTS,
    REPEAT_SUBJECT_NIGHTS,
    Filters,
    Period,
    Report,
    preset,
)
from partnership.reports.present import (
    Bars,
    PresentedReport,
    SquareRow,
    plan_of_squares,
    present_report,
)
from partnership.venues.models import Area, Venue

TEMPLATE: Final = "reports/pdf/pack.html"
# Without ?range=, the pack is the weekly one: this week's nights (on a Monday, the week
# just gone).
DEFAULT_RANGE: Final = "this_week"
CUSTOM: Final = "custom"
WEEKLY: Final = frozenset({"this_week", "last_week"})
# The producer's notes for the meeting: at most this many characters.
NOTES_LIMIT: Final = 2000
# Hotspot, repeat-subject and place tables print this many rows, busiest first; the report
# page and the exports have the rest.
TOP_ROWS: Final = 20
# Venues named beside a hotspot square, at most.
VENUES_PER_SQUARE: Final = 3
# Blank ruled lines for handwritten notes at the end of the pack.
RULED_LINES: Final = 20
ARROWS: Final = {"up": "\u25b2", "down": "\u25bc", "same": "="}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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
class Pack:
    """What the template prints around the report, in the pack's language: the cover, and
    the presenter's figures (:class:`~partnership.reports.present.PresentedReport`, every
    label and count as on the report page), laid out for paper: bar charts without their
    empty rows, the busiest :data:`TOP_ROWS` of each long table."""

    title: str
    range_title: str
    nights: str
    compared_with: str
    filters: tuple[str, ...]
    produced_by: str
    produced_on: str
    report: PresentedReport
    charts: Mapping[str, Bars]  # the report's bar charts by key, rows with counts only
    squares_shown: tuple[SquareRow, ...]
    venues_in_squares: tuple[str, ...]  # beside each square shown, the venues in it
    square_plan: Markup | None
    meeting_notes: str
    ruled_lines: int
    filtered: bool
    by_place: bool


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


def _venues_by_square(squares: Iterable[SquareRow]) -> tuple[str, ...]:
    """The names of the venues whose point is in each of ``squares``, by name, at most
    :data:`VENUES_PER_SQUARE` of them and how many more."""
    wanted = list(squares)
    if not wanted:
        return ()
    venues = db.session.execute(
        select(Venue.name, Venue.latitude, Venue.longitude)
        .where(Venue.latitude.is_not(None), Venue.longitude.is_not(None))
        .order_by(Venue.name, Venue.id)
    ).all()
    found: list[str] = []
    for square in wanted:
        names = [
            name
            for name, latitude, longitude in venues
            if square.south <= latitude < square.north and square.west <= longitude < square.east
        ]
        places = ", ".join(names[:VENUES_PER_SQUARE])
        if len(names) > VENUES_PER_SQUARE:
            places = _(
                "%(names)s and %(num)d more", names=places, num=len(names) - VENUES_PER_SQUARE
            )
        found.append(str(places))
    return tuple(found)


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
    presented = present_report(report, actor.role, new_pseudonymiser())
    charts = (
        presented.behaviour,
        presented.victim_response,
        presented.action,
        presented.uses_by_reason,
        presented.uses_by_support,
        presented.uses_by_outcome,
        presented.handovers,
        presented.public_behaviour,
    )
    squares = presented.squares[:TOP_ROWS]
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
        report=presented,
        charts={bars.key: bars.counted() for bars in charts},
        squares_shown=squares,
        venues_in_squares=_venues_by_square(squares),
        square_plan=plan_of_squares(squares, TOP_ROWS) if squares else None,
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
            report=pack.report,
            shown=shown,
            arrows=ARROWS,
            top_rows=TOP_ROWS,
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
