"""The whole report: every section for a period and the period before it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from partnership.core.models import utcnow
from partnership.reports.figures.common import Filters, Period, Window
from partnership.reports.figures.hotspots import Hotspots, hotspots_of, with_public_reports
from partnership.reports.figures.orders import OrderFigures, order_figures
from partnership.reports.figures.performance import Performance
from partnership.reports.figures.public_reports import PublicReportFigures, public_report_figures
from partnership.reports.figures.sightings import (
    SightingFigures,
    details_obtained_of,
    sighting_figures,
)
from partnership.reports.figures.subjects import (
    NoteFigures,
    RepeatSubjects,
    note_figures,
    repeat_subjects_of,
)
from partnership.reports.figures.welfare import WelfareFigures, welfare_figures
from partnership.reports.figures.when import WhenGrid, when_grid


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
    window = Window(period, period.previous(), filters or Filters())
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done)

    sightings = sighting_figures(window)
    step()
    hotspots = with_public_reports(hotspots_of(window, sightings.total), window)
    step()
    when = when_grid(window)
    step()
    repeat_subjects = repeat_subjects_of(window)
    step()
    notes = note_figures(window, (now or utcnow()).astimezone(UTC).date())
    step()
    welfare = welfare_figures(window)
    step()
    orders = order_figures(window)
    step()
    details_obtained = details_obtained_of(window)
    step()
    public_reports = public_report_figures(window)
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
