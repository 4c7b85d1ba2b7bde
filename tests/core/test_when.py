"""Times as frontline staff give them: quick choices, typed dates and times, clock changes."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask

from partnership.core.when import (
    MAX_AGE,
    WhenError,
    local_parts,
    moment_from_fields,
    read_clock,
    read_date,
    resolve_moment,
)

EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)
# Saturday 7 November 2026, 02:00 in London (GMT, so UTC too).
NOW = datetime(2026, 11, 7, 2, 0, tzinfo=UTC)
CLOCKS_BACK = date(2026, 10, 25)  # 01:00 to 01:59 happened twice
CLOCKS_FORWARD = date(2026, 3, 29)  # 01:00 to 01:59 never happened


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2026-11-16", date(2026, 11, 16)),
        ("16/11/2026", date(2026, 11, 16)),
        (" 6.1.2027 ", date(2027, 1, 6)),
        ("06-01-2027", date(2027, 1, 6)),
    ],
)
def test_a_date_is_read_as_a_picker_or_a_person_writes_it(typed: str, meant: date) -> None:
    assert read_date(typed, EARLIEST, LATEST) == meant


@pytest.mark.parametrize(
    "typed", ["", None, "   ", "31/02/2026", "16/11/26", "tomorrow", "1/1/1899"]
)
def test_what_is_not_a_date_in_range_is_none(typed: str | None) -> None:
    assert read_date(typed, EARLIEST, LATEST) is None


def test_a_date_outside_the_range_given_is_none() -> None:
    assert read_date("2026-11-16", date(2026, 11, 17), LATEST) is None
    assert read_date("2026-11-16", EARLIEST, date(2026, 11, 15)) is None
    assert read_date("2026-11-16", date(2026, 11, 16), date(2026, 11, 16)) == date(2026, 11, 16)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("01:30", time(1, 30)), ("1.30", time(1, 30)), (" 23:05 ", time(23, 5))],
)
def test_a_clock_time_is_read_with_a_colon_or_a_dot(typed: str, meant: time) -> None:
    assert read_clock(typed) == meant


@pytest.mark.parametrize("typed", ["", None, "25:00", "12:60", "noon", "1:2:3", "0130"])
def test_what_is_not_a_clock_time_is_none(typed: str | None) -> None:
    assert read_clock(typed) is None


@pytest.mark.parametrize(("choice", "minutes"), [("now", 0), ("15", 15), ("30", 30), ("60", 60)])
def test_a_quick_choice_counts_back_from_now(choice: str, minutes: int) -> None:
    assert resolve_moment(choice, None, "", None, NOW) == NOW - timedelta(minutes=minutes)


def refused(app: Flask, *args: Any, **kwargs: Any) -> tuple[str, str]:
    with app.test_request_context(), pytest.raises(WhenError) as caught:
        resolve_moment(*args, **kwargs)
    return caught.value.field, str(caught.value.message)


def test_each_problem_is_put_on_the_field_to_fix(app: Flask) -> None:
    assert refused(app, "yesterday", None, "", None, NOW)[0] == "when"
    assert refused(app, "other", None, "01:30", None, NOW)[0] == "day"
    assert refused(app, "other", date(2026, 11, 6), "half one", None, NOW)[0] == "clock"
    assert refused(app, "other", date(2026, 11, 7), "03:00", None, NOW) == (
        "clock",
        "The time cannot be in the future",
    )
    too_old = (NOW - MAX_AGE - timedelta(days=1)).date()
    assert refused(app, "other", too_old, "23:00", None, NOW) == (
        "day",
        "The date must be within the last 31 days",
    )


def test_a_typed_time_is_london_time() -> None:
    summer = resolve_moment("other", date(2026, 10, 20), "23:30", None, NOW)
    assert summer == datetime(2026, 10, 20, 22, 30, tzinfo=UTC)
    winter = resolve_moment("other", date(2026, 11, 6), "23:30", None, NOW)
    assert winter == datetime(2026, 11, 6, 23, 30, tzinfo=UTC)


def test_half_past_one_on_the_night_the_clocks_go_back_must_say_which(app: Flask) -> None:
    now = datetime(2026, 10, 25, 5, 0, tzinfo=UTC)
    field_name, message = refused(app, "other", CLOCKS_BACK, "01:30", None, now)
    assert field_name == "fold" and "happened twice" in message
    first = resolve_moment("other", CLOCKS_BACK, "01:30", "0", now)
    second = resolve_moment("other", CLOCKS_BACK, "01:30", "1", now)
    assert (first, second) == (
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    )


def test_half_past_one_on_the_night_the_clocks_go_forward_never_happened(app: Flask) -> None:
    now = datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    field_name, message = refused(app, "other", CLOCKS_FORWARD, "01:30", None, now)
    assert field_name == "clock" and "there was no 01:30" in message


def test_a_correction_may_keep_an_older_time_but_not_go_further_back(app: Flask) -> None:
    earliest = NOW - timedelta(days=60)
    kept = (earliest + timedelta(hours=1)).date()
    assert resolve_moment("other", kept, "23:00", None, NOW, earliest=earliest) is not None
    field_name, message = refused(
        app, "other", (earliest - timedelta(days=2)).date(), "23:00", None, NOW, earliest=earliest
    )
    assert field_name == "day" and message.startswith("The date cannot be before")


def test_a_moment_comes_back_as_the_date_and_time_a_form_shows() -> None:
    assert local_parts(datetime(2026, 7, 3, 23, 30, tzinfo=UTC)) == (date(2026, 7, 4), "00:30")


@dataclass
class Field:
    data: Any
    errors: list[Any] = field(default_factory=list)


def test_date_and_time_fields_give_the_moment_or_a_message_on_the_field(app: Flask) -> None:
    with app.test_request_context():
        assert moment_from_fields(Field(None), Field(""), Field(None)) is None  # nothing given
        day, clock, fold = Field(date(2026, 11, 6)), Field("23:30"), Field(None)
        assert moment_from_fields(day, clock, fold) == datetime(2026, 11, 6, 23, 30, tzinfo=UTC)

        day, clock, fold = Field(None), Field("23:30"), Field(None)
        assert moment_from_fields(day, clock, fold) is None
        assert [str(e) for e in day.errors] == ["Enter the date, like 27/11/2026"]

        day, clock, fold = Field(date(2026, 11, 6)), Field("late"), Field(None)
        assert moment_from_fields(day, clock, fold) is None
        assert [str(e) for e in clock.errors] == ["Enter the time as hours and minutes, like 01:30"]

        day, clock, fold = Field(CLOCKS_BACK), Field("01:30"), Field(None)
        assert moment_from_fields(day, clock, fold) is None
        assert "happened twice" in str(fold.errors[0])
        fold = Field("1")
        assert moment_from_fields(day, clock, fold) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)

        day, clock, fold = Field(CLOCKS_FORWARD), Field("01:30"), Field(None)
        assert moment_from_fields(day, clock, fold) is None
        assert "there was no 01:30" in str(clock.errors[0])
