"""When: sightings by the night of the week and the hour of the night."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from partnership.core.nights import night_of, to_local
from partnership.extensions import db
from partnership.reports.figures.common import (
    HOURS_OF_NIGHT,
    ZERO,
    Count,
    Window,
    dialect,
    sighting_conditions,
)
from partnership.sightings.models import Sighting


@dataclass(frozen=True)
class WhenGrid:
    """Sightings by weekday of the night (rows, 0 Monday) and local hour (columns, in the
    order of :data:`HOURS_OF_NIGHT`)."""

    cells: tuple[tuple[Count, ...], ...]
    daytime: Count  # 06:00 to 17:59: not in the grid
    hours: tuple[int, ...] = HOURS_OF_NIGHT

    def cell(self, weekday: int, hour: int) -> Count:
        return self.cells[weekday][HOURS_OF_NIGHT.index(hour)]

    def weekday_total(self, weekday: int) -> Count:
        return sum(self.cells[weekday], ZERO)

    def hour_total(self, hour: int) -> Count:
        column = HOURS_OF_NIGHT.index(hour)
        return sum((row[column] for row in self.cells), ZERO)


def _utc_hour(column: Any) -> Any:
    """The UTC hour a moment falls in, for grouping: a string on SQLite, a timestamp on
    PostgreSQL (see :func:`_hour_start`)."""
    if dialect() == "sqlite":
        # SQLite keeps a moment as text, "YYYY-MM-DD HH:MM:SS.ffffff" (as SQLAlchemy
        # writes it), so the hour is its first 13 characters: strftime() would parse and
        # write again each of a year's rows for the same answer.
        return func.substr(column, 1, 13)
    return func.date_trunc("hour", func.timezone("UTC", column))


def _hour_start(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%d %H").replace(tzinfo=UTC)


def when_grid(window: Window) -> WhenGrid:
    # Grouped by the UTC hour, then placed by its local hour in Python: London's offset is a
    # whole hour and changes on the hour (01:00 UTC), so every UTC hour is one local hour of
    # one night, and the hour that happens twice in October stays two UTC hours.
    hours = (
        select(_utc_hour(Sighting.occurred_at).label("hour"))
        .where(*sighting_conditions(window))
        .subquery()
    )
    rows = db.session.execute(select(hours.c.hour, func.count()).group_by(hours.c.hour)).all()
    cells = [[[0, 0] for _hour in HOURS_OF_NIGHT] for _day in range(7)]
    daytime = [0, 0]
    for value, number in rows:
        start = _hour_start(value)
        night = night_of(start)
        side = 0 if night in window.current else 1
        hour = to_local(start).hour
        if hour in HOURS_OF_NIGHT:
            cells[night.weekday()][HOURS_OF_NIGHT.index(hour)][side] += int(number)
        else:
            daytime[side] += int(number)
    return WhenGrid(
        cells=tuple(tuple(Count(*cell) for cell in day) for day in cells),
        daytime=Count(*daytime),
    )
