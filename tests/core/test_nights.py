from datetime import UTC, date, datetime, timedelta

import pytest

from partnership.core.nights import (
    AmbiguousTimeError,
    NonexistentTimeError,
    clock_changes,
    is_ambiguous,
    is_night_time,
    is_nonexistent,
    night_bounds,
    night_of,
    to_local,
    to_utc,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_summer_time_is_an_hour_ahead_of_utc() -> None:
    assert to_local(utc(2026, 7, 3, 23, 30)).strftime("%Y-%m-%d %H:%M") == "2026-07-04 00:30"
    assert to_utc(datetime(2026, 7, 4, 0, 30)) == utc(2026, 7, 3, 23, 30)


def test_winter_time_is_utc() -> None:
    assert to_utc(datetime(2026, 1, 10, 1, 30)) == utc(2026, 1, 10, 1, 30)


def test_half_past_one_on_saturday_belongs_to_friday_night() -> None:
    # Friday 6 March 2026 (GMT): 01:30 on Saturday is part of Friday night.
    assert night_of(utc(2026, 3, 7, 1, 30)) == date(2026, 3, 6)
    assert night_of(utc(2026, 3, 6, 18, 0)) == date(2026, 3, 6)
    assert night_of(utc(2026, 3, 6, 17, 59)) == date(2026, 3, 6)  # daytime: tonight's night
    assert night_of(utc(2026, 3, 7, 5, 59)) == date(2026, 3, 6)
    assert night_of(utc(2026, 3, 7, 6, 0)) == date(2026, 3, 7)


def test_night_boundaries_follow_local_time_in_summer() -> None:
    # 05:30 BST on Sunday 5 July is 04:30 UTC: still Saturday night.
    assert night_of(utc(2026, 7, 5, 4, 30)) == date(2026, 7, 4)
    # 06:30 BST is 05:30 UTC: the night is over.
    assert night_of(utc(2026, 7, 5, 5, 30)) == date(2026, 7, 5)
    assert is_night_time(utc(2026, 7, 4, 17, 0))  # 18:00 BST
    assert not is_night_time(utc(2026, 7, 4, 16, 59))


def test_clock_changes_2026_are_found_on_the_right_nights() -> None:
    forward, back = clock_changes(2026)
    assert forward.forward and forward.night == date(2026, 3, 28)
    assert forward.at_utc == utc(2026, 3, 29, 1, 0)
    assert not back.forward and back.night == date(2026, 10, 24)
    assert back.at_utc == utc(2026, 10, 25, 1, 0)


def test_half_past_one_happens_twice_when_the_clocks_go_back() -> None:
    wall = datetime(2026, 10, 25, 1, 30)
    assert is_ambiguous(wall)
    with pytest.raises(AmbiguousTimeError):
        to_utc(wall)
    first, second = to_utc(wall, fold=0), to_utc(wall, fold=1)
    assert first == utc(2026, 10, 25, 0, 30)  # still BST
    assert second == utc(2026, 10, 25, 1, 30)  # GMT, an hour later
    assert night_of(first) == night_of(second) == date(2026, 10, 24)
    assert not is_ambiguous(datetime(2026, 10, 25, 2, 30))
    assert not is_ambiguous(datetime(2026, 10, 25, 0, 59))


def test_half_past_one_does_not_exist_when_the_clocks_go_forward() -> None:
    wall = datetime(2026, 3, 29, 1, 30)
    assert is_nonexistent(wall)
    with pytest.raises(NonexistentTimeError):
        to_utc(wall)
    with pytest.raises(NonexistentTimeError):
        to_utc(wall, fold=1)
    assert not is_nonexistent(datetime(2026, 3, 29, 0, 59))
    assert to_utc(datetime(2026, 3, 29, 2, 0)) == utc(2026, 3, 29, 1, 0)


def test_clock_change_nights_are_thirteen_and_eleven_hours_long() -> None:
    assert night_bounds(date(2026, 10, 24)).hours == 13
    assert night_bounds(date(2026, 3, 28)).hours == 11
    normal = night_bounds(date(2026, 3, 6))
    assert normal.hours == 12
    assert normal.start == utc(2026, 3, 6, 18, 0)
    assert normal.end == utc(2026, 3, 7, 6, 0)


def test_every_moment_of_the_autumn_night_maps_to_it() -> None:
    bounds = night_bounds(date(2026, 10, 24))
    moment = bounds.start
    while moment < bounds.end:
        assert night_of(moment) == date(2026, 10, 24)
        moment += timedelta(minutes=15)
    assert night_of(bounds.end) == date(2026, 10, 25)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        to_local(datetime(2026, 1, 1, 12, 0))
    with pytest.raises(ValueError):
        to_utc(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
