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

One module per section (:mod:`.sightings`, :mod:`.hotspots`, :mod:`.when`, :mod:`.subjects`,
:mod:`.welfare`, :mod:`.orders`, :mod:`.performance`, :mod:`.public_reports`), what they share
in :mod:`.common`, and :mod:`.report`, which builds the whole :class:`Report`. What a viewer
may see of a count is :mod:`partnership.core.disclosure`'s rule, applied by
:mod:`partnership.reports.present`.
"""

from __future__ import annotations

from partnership.reports.figures.common import (
    GRID_DEGREES,
    HOURS_OF_NIGHT,
    NO_ACTION,
    NOT_HANDED,
    PRESETS,
    REPEAT_NIGHTS,
    REPEAT_SUBJECT_NIGHTS,
    ZERO,
    Count,
    Filters,
    Period,
    last_completed_night,
    preset,
    sighting_filters,
)
from partnership.reports.figures.hotspots import GridSquare, Hotspots, VenueHotspot
from partnership.reports.figures.orders import OrderFigures
from partnership.reports.figures.performance import Performance
from partnership.reports.figures.public_reports import PlaceCount, PublicReportFigures
from partnership.reports.figures.report import BUILD_STEPS, Report, build_report
from partnership.reports.figures.sightings import SightingFigures
from partnership.reports.figures.subjects import (
    NoteFigures,
    RepeatSubject,
    RepeatSubjects,
)
from partnership.reports.figures.welfare import WelfareFigures
from partnership.reports.figures.when import WhenGrid

__all__ = [
    "BUILD_STEPS",
    "GRID_DEGREES",
    "HOURS_OF_NIGHT",
    "NOT_HANDED",
    "NO_ACTION",
    "PRESETS",
    "REPEAT_NIGHTS",
    "REPEAT_SUBJECT_NIGHTS",
    "ZERO",
    "Count",
    "Filters",
    "GridSquare",
    "Hotspots",
    "NoteFigures",
    "OrderFigures",
    "Performance",
    "Period",
    "PlaceCount",
    "PublicReportFigures",
    "RepeatSubject",
    "RepeatSubjects",
    "Report",
    "SightingFigures",
    "VenueHotspot",
    "WelfareFigures",
    "WhenGrid",
    "build_report",
    "last_completed_night",
    "preset",
    "sighting_filters",
]
