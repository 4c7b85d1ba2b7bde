"""When something happened, as frontline staff say it at 01:30: "just now", "half an hour
ago", or a date and time, with the two clock-change nights handled (DESIGN.md section 6)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import format_date
from wtforms.fields.choices import SelectChoice

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.nights import (
    AmbiguousTimeError,
    NonexistentTimeError,
    to_local,
    to_utc,
)

_DAY_MONTH_YEAR = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*")
# As people also type them: a two-digit year (27/11/26, 27.11.26) and ISO without zeros.
_DAY_MONTH_SHORT_YEAR = re.compile(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{2})\s*")
_UNPADDED_ISO = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")
# A two-digit year below this is in the 2000s, from it in the 1900s (as strptime's %y).
_CENTURY_PIVOT = 69


def _day_month_year(text: str, as_typed: bool) -> date | None:
    found = _DAY_MONTH_YEAR.fullmatch(text)
    if found is not None:
        number, month, year = (int(part) for part in found.groups())
    elif as_typed and (found := _DAY_MONTH_SHORT_YEAR.fullmatch(text)) is not None:
        number, month, short = (int(part) for part in found.groups())
        year = short + (2000 if short < _CENTURY_PIVOT else 1900)
    elif as_typed and (found := _UNPADDED_ISO.fullmatch(text)) is not None:
        year, month, number = (int(part) for part in found.groups())
    else:
        return None
    try:
        return date(year, month, number)
    except ValueError:
        return None


def read_date(
    text: str | None, earliest: date, latest: date, *, as_typed: bool = False
) -> date | None:
    """A date typed as ``2026-11-16`` (what a date picker sends) or ``16/11/2026`` (also with
    dots or dashes), from ``earliest`` to ``latest``; None when it is neither.

    With ``as_typed``, also the shorter forms people type: a two-digit year after slashes
    or dots (``27/11/26``, ``27.11.26``: 00 to 68 in the 2000s, 69 to 99 in the 1900s) and
    an ISO date without leading zeros (``2026-11-7``)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day: date | None = date.fromisoformat(text)
    except ValueError:
        day = _day_month_year(text, as_typed)
    if day is None:
        return None
    return day if earliest <= day <= latest else None


# Quick choices, minutes before now.
QUICK = {"now": 0, "15": 15, "30": 30, "60": 60}
OTHER = "other"
MAX_AGE = timedelta(days=31)


def when_choices() -> list[SelectChoice]:
    return [
        SelectChoice("now", _l("Just now")),
        SelectChoice("15", _l("About 15 minutes ago")),
        SelectChoice("30", _l("About 30 minutes ago")),
        SelectChoice("60", _l("About an hour ago")),
        SelectChoice(OTHER, _l("Earlier: I'll give the date and time")),
    ]


def fold_choices() -> list[SelectChoice]:
    return [
        SelectChoice("0", _l("The first time: before the clocks went back (BST)")),
        SelectChoice("1", _l("The second time: after the clocks went back (GMT)")),
    ]


class WhenError(ValueError):
    """A time that cannot be used, with the field to show the message on."""

    def __init__(self, field: str, message: Any) -> None:
        super().__init__(str(field))
        self.field = field
        self.message = message


def resolve_moment(
    choice: str,
    day: date | None,
    clock: str,
    fold: str | None,
    now: datetime,
    *,
    earliest: datetime | None = None,
) -> datetime:
    """The UTC moment the user meant, or :class:`WhenError` saying what to fix.

    ``clock`` is "HH:MM" local time. On the night the clocks go back a time
    between 01:00 and 01:59 happened twice, and ``fold`` ("0" or "1") must say
    which; on the night they go forward it never happened. It may be at most
    :data:`MAX_AGE` ago, or as far back as ``earliest`` when that is older: the time a
    record being corrected already had, or the night a public report it is made from
    was about.
    """
    if choice in QUICK:
        return now - timedelta(minutes=QUICK[choice])
    if choice != OTHER:
        raise WhenError("when", _l("Choose when it happened"))
    if day is None:
        raise WhenError("day", _l("Enter the date it happened, like 27/11/2026"))
    wall_time = read_clock(clock)
    if wall_time is None:
        raise WhenError("clock", _l("Enter the time as hours and minutes, like 01:30"))
    wall = datetime.combine(day, wall_time)
    try:
        moment = to_utc(wall, fold=int(fold) if fold in ("0", "1") else None)
    except AmbiguousTimeError:
        raise WhenError(
            "fold",
            _l(
                "The clocks went back that night, so %(time)s happened twice. "
                "Choose which one you mean.",
                time=wall_time.strftime("%H:%M"),
            ),
        ) from None
    except NonexistentTimeError:
        raise WhenError(
            "clock",
            _l(
                "The clocks went forward that night, so there was no %(time)s. "
                "Check the time: 01:00 became 02:00.",
                time=wall_time.strftime("%H:%M"),
            ),
        ) from None
    if moment > now + timedelta(minutes=5):
        raise WhenError("clock", _l("The time cannot be in the future"))
    oldest = now - MAX_AGE
    if moment < oldest and (earliest is None or moment < earliest):
        if earliest is None or earliest >= oldest:
            raise WhenError("day", _l("The date must be within the last 31 days"))
        raise WhenError(
            "day",
            _l(
                "The date cannot be before %(date)s",
                date=format_date(to_local(earliest).date(), "d MMMM yyyy"),
            ),
        )
    return moment


def local_parts(moment: datetime) -> tuple[date, str]:
    """A UTC moment as the date and "HH:MM" a form shows."""
    local = to_local(moment)
    return local.date(), local.strftime("%H:%M")


def read_clock(raw: str | None) -> time | None:
    """ "HH:MM" (or "HH.MM") as a time, or None if it is not one."""
    try:
        hours, minutes = (int(part) for part in (raw or "").strip().replace(".", ":").split(":"))
        return time(hours, minutes)
    except ValueError:
        return None


def moment_from_fields(day_field: Any, clock_field: Any, fold_field: Any) -> datetime | None:
    """The UTC moment entered in London time as a date, a 24-hour time and, on the night
    the clocks go back, which of the two 01:30s (``fold_field``, "0" or "1").

    None if neither date nor time was given (the caller says whether it is needed) or if
    it cannot be used, in which case the problem is put on its field: a missing date, a
    time that is not one, a time that happened twice, or one that never happened.
    """
    day: date | None = day_field.data
    clock = (clock_field.data or "").strip()
    if day_field.errors or clock_field.errors or (day is None and not clock):
        return None
    if day is None:
        day_field.errors = [*day_field.errors, _l("Enter the date, like 27/11/2026")]
        return None
    wall_time = read_clock(clock)
    if wall_time is None:
        clock_field.errors = [
            *clock_field.errors,
            _l("Enter the time as hours and minutes, like 01:30"),
        ]
        return None
    fold = fold_field.data
    try:
        return to_utc(
            datetime.combine(day, wall_time), fold=int(fold) if fold in ("0", "1") else None
        )
    except AmbiguousTimeError:
        fold_field.errors = [
            *fold_field.errors,
            _l(
                "The clocks went back that night, so %(time)s happened twice. "
                "Choose which one you mean.",
                time=wall_time.strftime("%H:%M"),
            ),
        ]
    except NonexistentTimeError:
        clock_field.errors = [
            *clock_field.errors,
            _l(
                "The clocks went forward that night, so there was no %(time)s. "
                "Check the time: 01:00 became 02:00.",
                time=wall_time.strftime("%H:%M"),
            ),
        ]
    return None
