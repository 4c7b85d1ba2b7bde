"""Anonymous public reports: how many, what happened, where."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from partnership.core.enums import Behaviour
from partnership.extensions import db
from partnership.public.models import PublicReport, PublicReportBehaviour
from partnership.reports.figures.common import (
    ZERO,
    Count,
    Window,
    counts,
    in_order,
    names_of,
    public_report_conditions,
)
from partnership.venues.models import Area, Venue


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


def _places(
    rows: Iterable[tuple[int | None, Count]], model: type[Venue] | type[Area]
) -> tuple[PlaceCount, ...]:
    found: dict[int, Count] = defaultdict(lambda: ZERO)
    for place_id, number in rows:
        if place_id is not None:
            found[place_id] += number
    if not found:
        return ()
    names = names_of(model, list(found))
    return tuple(
        sorted(
            (
                PlaceCount(place_id, names.get(place_id, ""), number)
                for place_id, number in found.items()
            ),
            key=lambda p: (-p.reports.current, -p.reports.previous, p.name, p.place_id),
        )
    )


def public_report_figures(window: Window) -> PublicReportFigures:
    current, previous = window.split_nights(PublicReport.night)
    rows = db.session.execute(
        select(PublicReport.venue_id, PublicReport.area_id, current, previous)
        .where(*public_report_conditions(window))
        .group_by(PublicReport.venue_id, PublicReport.area_id)
    ).all()
    counted = [
        (venue_id, area_id, Count(int(now), int(before))) for venue_id, area_id, now, before in rows
    ]
    behaviours = db.session.execute(
        select(PublicReportBehaviour.code, current, previous)
        .join(PublicReport, PublicReport.id == PublicReportBehaviour.report_id)
        .where(*public_report_conditions(window))
        .group_by(PublicReportBehaviour.code)
    ).all()
    return PublicReportFigures(
        total=sum((number for _venue, _area, number in counted), ZERO),
        by_behaviour=in_order((b.value for b in Behaviour), counts(behaviours)),
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
