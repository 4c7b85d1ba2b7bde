"""Hotspots: the venues and the squares of the grid with sightings (and public reports)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Integer, case, func, literal, select, union_all

from partnership.extensions import db
from partnership.public.models import PublicReport
from partnership.reports.figures.common import (
    GRID_DEGREES,
    REPEAT_NIGHTS,
    ZERO,
    Count,
    Window,
    names_of,
    public_report_conditions,
    sighting_conditions,
    square_of,
)
from partnership.sightings.models import Sighting
from partnership.venues.models import Venue


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
    public_reports: Count = ZERO

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


def hotspots_of(window: Window, total: Count) -> Hotspots:
    """Venues and squares from one read of the sightings, in one statement.

    The sightings are first counted per night, venue and point of their own (most have
    none, placed at their venue), in the order of the (night, venue, latitude, longitude)
    index, which holds all it needs: no sort and no row is read. Each such count is given
    the square of its own point; the venue's square is then filled in for the rest, and the
    small result summed per venue and per square, a night counting once however many
    counts it has.
    """
    points = (
        select(
            Sighting.night.label("night"),
            Sighting.venue_id.label("venue_id"),
            Sighting.latitude.label("latitude"),
            Sighting.longitude.label("longitude"),
            func.count().label("n"),
        )
        .where(*sighting_conditions(window))
        .group_by(Sighting.night, Sighting.venue_id, Sighting.latitude, Sighting.longitude)
        .subquery()
    )
    own_row, own_col = square_of(points.c.latitude, points.c.longitude)
    grouped = select(
        points.c.venue_id,
        points.c.night,
        own_row.label("row"),
        own_col.label("col"),
        points.c.n,
    ).cte("per_night")
    venue_row, venue_col = square_of(Venue.latitude, Venue.longitude)
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
    names = names_of(Venue, [r[1] for r in venue_rows])
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


def with_public_reports(hotspots: Hotspots, window: Window) -> Hotspots:
    """``hotspots`` with each square's public reports (placed as sightings are), and the
    squares that have public reports but no sightings after the others."""
    own_row, own_col = square_of(PublicReport.latitude, PublicReport.longitude)
    venue_row, venue_col = square_of(Venue.latitude, Venue.longitude)
    placed = (
        select(
            PublicReport.night.label("night"),
            func.coalesce(own_row, venue_row).label("row"),
            func.coalesce(own_col, venue_col).label("col"),
        )
        .select_from(PublicReport)
        .outerjoin(Venue, Venue.id == PublicReport.venue_id)
        .where(*public_report_conditions(window))
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
