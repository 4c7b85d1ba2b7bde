"""Local time in Europe/London, nights (18:00 to 06:00, named by the date they start)
and the two nights a year when the clocks change.

Everything is stored in UTC. A local wall-clock time entered on a form is turned
into UTC with :func:`to_utc`, which refuses a time that happened twice (the night
the clocks go back) unless told which, and a time that never happened (the night
they go forward).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
NIGHT_STARTS = time(18, 0)
NIGHT_ENDS = time(6, 0)


class AmbiguousTimeError(ValueError):
    """The local time happened twice (clocks went back): say which, with ``fold``."""


class NonexistentTimeError(ValueError):
    """The local time never happened (clocks went forward)."""


def to_local(moment: datetime) -> datetime:
    """An aware moment as Europe/London wall-clock time."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: expected an aware UTC moment")
    return moment.astimezone(LONDON)


def is_nonexistent(wall: datetime) -> bool:
    """True if this naive London wall-clock time was skipped when the clocks went forward."""
    local = wall.replace(tzinfo=LONDON)
    round_trip = local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
    return round_trip != wall.replace(tzinfo=None, fold=0)


def is_ambiguous(wall: datetime) -> bool:
    """True if this naive London wall-clock time happened twice when the clocks went back."""
    first = wall.replace(tzinfo=LONDON, fold=0).utcoffset()
    second = wall.replace(tzinfo=LONDON, fold=1).utcoffset()
    return first != second and not is_nonexistent(wall)


def to_utc(wall: datetime, fold: int | None = None) -> datetime:
    """A naive London wall-clock time as an aware UTC moment.

    ``fold`` chooses between the two occurrences of an ambiguous time: 0 the
    first (still on summer time, BST), 1 the second (GMT). Without it an
    ambiguous time raises :class:`AmbiguousTimeError`; a time that does not
    exist always raises :class:`NonexistentTimeError`.
    """
    if wall.tzinfo is not None:
        raise ValueError("expected a naive wall-clock time")
    if is_nonexistent(wall):
        raise NonexistentTimeError(wall.isoformat())
    if is_ambiguous(wall):
        if fold is None:
            raise AmbiguousTimeError(wall.isoformat())
        wall = wall.replace(fold=fold)
    return wall.replace(tzinfo=LONDON).astimezone(UTC)


def night_of(moment: datetime) -> date:
    """The night an aware moment belongs to, named by the date the night starts.

    A night runs 18:00 to 06:00 local time; the hours from 06:00 to 18:00 are
    given to the night that starts that evening, so every moment has a night.
    01:30 on Saturday belongs to the night of Friday.
    """
    local = to_local(moment)
    if local.time() < NIGHT_ENDS:
        return local.date() - timedelta(days=1)
    return local.date()


def is_night_time(moment: datetime) -> bool:
    """True between 18:00 and 06:00 local time."""
    t = to_local(moment).time()
    return t >= NIGHT_STARTS or t < NIGHT_ENDS


@dataclass(frozen=True)
class NightBounds:
    night: date
    start: datetime  # aware UTC, 18:00 local on the night's date
    end: datetime  # aware UTC, 06:00 local the next morning

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def night_bounds(night: date) -> NightBounds:
    """The UTC start and end of a night; 11 or 13 hours long when the clocks change."""
    start = datetime.combine(night, NIGHT_STARTS).replace(tzinfo=LONDON).astimezone(UTC)
    end_wall = datetime.combine(night + timedelta(days=1), NIGHT_ENDS)
    end = end_wall.replace(tzinfo=LONDON).astimezone(UTC)
    return NightBounds(night=night, start=start, end=end)


def nights_range_utc(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC interval [start of ``first``, end of ``last``) for filtering by night."""
    return night_bounds(first).start, night_bounds(last).end


@dataclass(frozen=True)
class ClockChange:
    night: date  # the night (named by its start date) on which the change happens
    at_utc: datetime  # the moment of the change
    forward: bool  # True in March (an hour is lost), False in October (an hour repeats)


def clock_changes(year: int) -> list[ClockChange]:
    """The two clock changes of a year in Europe/London, found from the tz database."""
    changes: list[ClockChange] = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(LONDON).utcoffset()
    step = timedelta(hours=1)
    while moment < end:
        nxt = moment + step
        new_offset = nxt.astimezone(LONDON).utcoffset()
        if new_offset is not None and offset is not None and new_offset != offset:
            changes.append(
                ClockChange(night=night_of(nxt), at_utc=nxt, forward=new_offset > offset)
            )
            offset = new_offset
        moment = nxt
    return changes
