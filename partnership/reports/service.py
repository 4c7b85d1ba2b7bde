"""The report's choices, audit events and files: the period and filters asked for
(:class:`ReportChoice`), the figures as spreadsheet rows (from the presenter's
:class:`~partnership.reports.present.PresentedReport`, so a file labels each figure as the
page does), the hotspot squares as GeoJSON, and the record-level export of sightings.

The rules of :mod:`partnership.core.disclosure` hold here as in the presenter: counts of 1
to 4 as "<5" for all but police, people only as pseudonyms from a pseudonymiser made for
the one export. And **no free text about people**: the record-level export holds codes,
dates, places (venue and area names) and pseudonyms: no description, clothing,
distinguishing features, place text, other behaviour, names or author.

Nothing here commits. :func:`record_viewed` and :func:`record_exported` write the audit
event of each disclosure.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Row,
    Select,
    type_coerce,
)

from partnership.core import audit
from partnership.core.catalogue import gettext as _
from partnership.core.disclosure import Shown, shown_count, subject_pseudonym
from partnership.core.enums import Behaviour, Role
from partnership.core.exports import Pseudonymiser, feature, geojson_feature_collection, square
from partnership.extensions import db
from partnership.reports.figures import REPEAT_NIGHTS, Filters, Period, Report, sighting_filters
from partnership.reports.present import PresentedReport, title_of
from partnership.reports.visibility import exportable_sightings
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.subjects.models import SubjectLink
from partnership.venues.models import Area, Venue

if TYPE_CHECKING:
    from partnership.auth.models import User

DEFAULT_RANGE: Final = "this_week"
# The longest custom range (a year, leap day included); the previous period doubles it.
MAX_NIGHTS: Final = 366
# Rows read from the database at a time by the record-level export (a sighting's row for
# each of its behaviour codes and linked subjects).
YIELD_PER: Final = 2000
LIST_SEPARATOR: Final = "; "
# How much of an SQLite database file the record-level export reads through a memory map
# (see _snapshot): more than a county's year of sightings and their indexes.
SQLITE_MMAP_BYTES: Final = 1 << 30


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
        for measure, value in (
            (_("%(pseudonym)s: sightings", pseudonym=subject.pseudonym), subject.sightings),
            (_("%(pseudonym)s: nights", pseudonym=subject.pseudonym), subject.nights),
            (_("%(pseudonym)s: venues", pseudonym=subject.pseudonym), subject.venues),
        ):
            yield (repeat.label, measure, value, "", "")
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
    statement (one snapshot, so every row agrees with its behaviours and subjects), and
    closes it when the last row is read or the generator is closed.

    The statement reads plain columns (no ORM objects): each sighting's own, its venue and
    area names, and its behaviour codes and linked subjects by outer joins, so a sighting
    with two codes comes back as two rows in a row, which are put together here. It is
    streamed :data:`YIELD_PER` rows at a time, so memory stays flat however many rows there
    are, and the number of statements does not grow with them. Each row is numbered in the
    export's own order rather than by the sighting's id (a number that means nothing
    outside the file and needs no memory of the rows before it); linked subjects are codes
    from ``pseudonymise``. Codes only, apart from the venue and area names: no free text.
    """
    statement = (
        exportable_sightings(user)
        .with_only_columns(
            Sighting.id,
            Sighting.night,
            # As the database gives it, without UTCDateTime's call per row: the CSV writes
            # every moment in London time, taking one with no zone (SQLite's) as UTC.
            type_coerce(Sighting.occurred_at, DateTime()),
            Venue.name,
            Area.name,
            Sighting.victim_response,
            Sighting.action_taken,
            Sighting.apparent_sex,
            Sighting.age_band,
            Sighting.height,
            Sighting.build,
            Sighting.details_obtained_at.is_not(None),
            SightingBehaviour.code,
            SubjectLink.subject_id,
            maintain_column_froms=False,
        )
        .select_from(Sighting)
        .outerjoin(Venue, Venue.id == Sighting.venue_id)
        .outerjoin(Area, Area.id == Sighting.area_id)
        .outerjoin(SightingBehaviour, SightingBehaviour.sighting_id == Sighting.id)
        .outerjoin(SubjectLink, SubjectLink.sighting_id == Sighting.id)
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
    carry on meanwhile).

    On SQLite the connection also reads the database file through a memory map
    (:data:`SQLITE_MMAP_BYTES`): the rows come in night order, which is not the order the
    table keeps them in, and through SQLite's small page cache each would cost a read of
    the file; mapped, its pages are read straight from the operating system's cache. The
    map is the file's, shared, not memory of the process's own."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ")
    elif engine.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        connection.exec_driver_sql("BEGIN")
    return connection


def _stream_sighting_rows(
    engine: Engine,
    statement: Select[Any],
    yes_no: tuple[str, str],
    pseudonymise: Pseudonymiser,
) -> Iterator[list[Any]]:
    """The rows of :func:`sighting_rows`, read on a connection of this generator's own: the
    joined rows of each sighting (one per behaviour code and linked subject, side by side
    as the order puts them) made into one."""
    yes, no = yes_no
    number = 0
    with _snapshot(engine) as connection:
        result = connection.execute(statement)
        try:
            joined_rows = chain.from_iterable(result.partitions())
            for _sighting_id, rows in groupby(joined_rows, key=itemgetter(0)):
                row, *more = rows  # a row more for each code or subject after the first
                if more:
                    codes = LIST_SEPARATOR.join(sorted(_present(row, more, 12)))
                    subjects = LIST_SEPARATOR.join(
                        sorted(
                            subject_pseudonym(pseudonymise, id) for id in _present(row, more, 13)
                        )
                    )
                else:
                    codes = row[12] or ""
                    subjects = "" if row[13] is None else subject_pseudonym(pseudonymise, row[13])
                number += 1
                yield [
                    number,
                    row[1],  # night
                    row[2],  # occurred_at
                    row[3] or "",  # venue
                    row[4] or "",  # area
                    codes,
                    *row[5:11],  # victim response, action, sex, age, height, build
                    yes if row[11] else no,  # details obtained
                    subjects,
                ]
        finally:
            result.close()


def _present(row: Row[Any], more: list[Row[Any]], column: int) -> set[Any]:
    """The values of ``column`` in a sighting's joined rows, each once, without NULL."""
    found = {row[column], *(other[column] for other in more)}
    found.discard(None)
    return found
