"""The report's figures against a small data set built by hand, whose right answers are
worked out below: the week of Monday 19 to Sunday 25 October 2026 (the clocks go back during
Saturday night), compared with the week before; the night boundaries at 18:00 and 06:00;
the night the clocks go forward in March; hotspot squares either side of Greenwich."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from partnership.auth.models import Organisation, User
from partnership.core.disclosure import Trend, change, suppressed
from partnership.core.enums import OrgKind, Role
from partnership.core.nights import NonexistentTimeError, night_of, to_utc
from partnership.extensions import db
from partnership.orders.breaches.models import Breach
from partnership.reports.figures import (
    GRID_DEGREES,
    HOURS_OF_NIGHT,
    Count,
    Filters,
    Period,
    Report,
    build_report,
    last_completed_night,
    preset,
)
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.sightings.service import SightingData, correct_sighting, record_sighting
from partnership.subjects.models import NoteRenewal, RedFlagNote, Subject, SubjectLink
from partnership.venues.models import Area, Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from tests.orders.factories import (
    add_appeal,
    add_authorisation,
    add_direction,
    add_notice,
)

WEEK = Period(date(2026, 10, 19), date(2026, 10, 25))
# After the week, so every review date in it has passed (see the notes).
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)

# Squares of the hotspot grid (row from latitude -90, column from longitude -180) that the
# points below fall in, worked out by hand: row = floor((lat + 90) / 0.002),
# column = floor((lng + 180) / 0.003).
ANCHOR_SQUARE = (70809, 58686)  # The Anchor at 51.6197, -3.9405
OWN_POINT_SQUARE = (70810, 58686)  # a sighting's own point at 51.6205, -3.9410
NEON_SQUARE = (70810, 58687)  # Neon at 51.6203, -3.9380
WEST_OF_GREENWICH = (70739, 59999)  # the Meridian Bar at 51.4785, -0.0010
EAST_OF_GREENWICH = (70739, 60000)  # a sighting's own point at 51.4785, +0.0010


def local(*parts: int, fold: int | None = None) -> datetime:
    """A Europe/London wall-clock time as a UTC moment (``fold`` 0 or 1 for the hour the
    clocks go back: first in summer time, then in GMT)."""
    return to_utc(datetime(*parts), fold)  # type: ignore[arg-type]


def polygon(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class Data:
    anchor: int
    neon: int
    meridian: int
    wind_street: int
    greenwich: int
    repeat_subject: int  # on two nights of the week
    once_subject: int  # on one night of the week
    previous_repeat_subject: int  # on two nights of the week before


class Builder:
    """Rows made straight in the database, as the features' services would have made them."""

    def __init__(self, author: User) -> None:
        self.author = author

    def sighting(
        self,
        moment: datetime,
        behaviours: list[str],
        victim_response: str,
        action_taken: str,
        *,
        venue: int | None = None,
        area: int | None = None,
        point: tuple[float, float] | None = None,
        details_obtained_at: datetime | None = None,
    ) -> int:
        sighting = Sighting(
            submission_key=uuid.uuid4().hex,
            organisation_id=self.author.organisation_id,
            author_id=self.author.id,
            sharing="partnership",
            occurred_at=moment,
            night=night_of(moment),
            venue_id=venue,
            area_id=area,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            victim_response=victim_response,
            action_taken=action_taken,
            behaviours=[SightingBehaviour(code=code) for code in behaviours],
            details_obtained_at=details_obtained_at,
        )
        db.session.add(sighting)
        db.session.flush()
        return sighting.id

    def use(
        self,
        moment: datetime,
        venue: int,
        reasons: list[str],
        support: list[str],
        handed_to: str,
    ) -> None:
        db.session.add(
            SafeSpaceUse(
                submission_key=uuid.uuid4().hex,
                organisation_id=self.author.organisation_id,
                author_id=self.author.id,
                venue_id=venue,
                arrived_at=moment,
                night=night_of(moment),
                reasons=reasons,
                support=support,
                handed_to=handed_to,
            )
        )

    def welfare_note(self, moment: datetime, venue: int | None, handed_to: str) -> None:
        db.session.add(
            WelfareNote(
                submission_key=uuid.uuid4().hex,
                organisation_id=self.author.organisation_id,
                author_id=self.author.id,
                occurred_at=moment,
                night=night_of(moment),
                venue_id=venue,
                support=["listened"],
                handed_to=handed_to,
            )
        )

    def subject(self, reference: str) -> int:
        subject = Subject(
            reference=reference,
            description="Tall, grey coat",
            organisation_id=self.author.organisation_id,
        )
        db.session.add(subject)
        db.session.flush()
        return subject.id

    def link(self, subject: int, *sightings: int) -> None:
        for sighting in sightings:
            db.session.add(
                SubjectLink(
                    subject_id=subject,
                    sighting_id=sighting,
                    organisation_id=self.author.organisation_id,
                )
            )

    def note(
        self,
        subject: int,
        created_at: datetime,
        review_on: date,
        *renewals: tuple[datetime, date],
    ) -> None:
        """A note created with ``review_on``; each renewal (when, new review date) in turn."""
        note = RedFlagNote(
            subject_id=subject,
            organisation_id=self.author.organisation_id,
            text="Seen following women between bars",
            sharing="partnership",
            review_on=review_on,
            created_at=created_at,
        )
        db.session.add(note)
        db.session.flush()
        for renewed_at, new_review_on in renewals:
            db.session.add(
                NoteRenewal(
                    note_id=note.id,
                    renewed_at=renewed_at,
                    reason="Still seen",
                    previous_review_on=note.review_on,
                    new_review_on=new_review_on,
                )
            )
            note.review_on = new_review_on
        db.session.flush()


@pytest.fixture
def police(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(OrgKind.POLICE, "Swansea Police")


@pytest.fixture
def data(
    app: Flask,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    police: Organisation,
) -> Iterator[Data]:
    officer = make_user(Role.OFFICER, police)
    premises = make_org(OrgKind.LICENSED_PREMISES, "Bars Ltd")
    with app.app_context():
        wind_street = Area(name="Wind Street", geometry=polygon(-3.95, 51.61, -3.93, 51.63))
        greenwich = Area(name="Greenwich", geometry=polygon(-0.01, 51.47, 0.01, 51.49))
        db.session.add_all([wind_street, greenwich])
        venues = [
            Venue(organisation_id=premises.id, name=name, latitude=lat, longitude=lng)
            for name, lat, lng in (
                ("The Anchor", 51.6197, -3.9405),
                ("Neon", 51.6203, -3.9380),
                ("Meridian Bar", 51.4785, -0.0010),
            )
        ]
        db.session.add_all(venues)
        db.session.flush()
        anchor, neon, meridian = (v.id for v in venues)
        ws, gw = wind_street.id, greenwich.id
        make = Builder(officer)

        # The week (nights 19 to 25 October 2026): eleven sightings.
        s1 = make.sighting(  # Monday night, 18:00: the night's first minute
            local(2026, 10, 19, 18, 0),
            ["assb.sexual_comments", "aspb.staring"],
            "distressed",
            "spoke_to",
            venue=anchor,
            area=ws,
            details_obtained_at=datetime(2026, 10, 22, 12, 0, tzinfo=UTC),
        )
        make.sighting(  # 17:59: Monday's night, but daytime (not in the grid)
            local(2026, 10, 19, 17, 59),
            ["aspb.staring"],
            "moved_away",
            "no_action",
            venue=anchor,
            area=ws,
        )
        s3 = make.sighting(  # Tuesday 05:59: still Monday night, the 05 column
            local(2026, 10, 20, 5, 59),
            ["assb.catcalling"],
            "not_known",
            "no_action",
            venue=anchor,
            area=ws,
        )
        make.sighting(  # Tuesday 06:00: Tuesday's night, daytime
            local(2026, 10, 20, 6, 0),
            ["aspb.loitering"],
            "asked_for_help",
            "ejected",
            venue=neon,
            area=ws,
        )
        make.sighting(
            local(2026, 10, 21, 23, 30),
            ["aspb.following"],
            "distressed",
            "police_called",
            venue=anchor,
            area=ws,
        )
        s6 = make.sighting(
            local(2026, 10, 24, 22, 15),
            ["assb.unwanted_touching", "aspb.following"],
            "distressed",
            "ejected",
            venue=neon,
            area=ws,
        )
        make.sighting(  # Sunday 01:30 the first time (summer time): Saturday night
            local(2026, 10, 25, 1, 30, fold=0),
            ["assb.sexual_conduct"],
            "moved_away",
            "spoke_to",
            venue=anchor,
            area=ws,
        )
        make.sighting(  # Sunday 01:30 the second time (GMT): Saturday night, 01 column too
            local(2026, 10, 25, 1, 30, fold=1),
            ["aspb.staring"],
            "no_visible_reaction",
            "refused_entry",
            venue=meridian,
            area=gw,
        )
        make.sighting(  # just east of Greenwich, no venue
            local(2026, 10, 25, 2, 30),
            ["aspb.filming"],
            "not_known",
            "no_action",
            area=gw,
            point=(51.4785, 0.0010),
            details_obtained_at=local(2026, 10, 26, 6, 30),  # the next week: not counted
        )
        make.sighting(  # nowhere on the map
            local(2026, 10, 25, 21, 0), ["other"], "not_known", "safe_space_offered"
        )
        make.sighting(  # at the Anchor, but its own point is in the square north of it
            local(2026, 10, 22, 20, 0),
            ["aspb.repeated_approaches"],
            "moved_away",
            "spoke_to",
            venue=anchor,
            area=ws,
            point=(51.6205, -3.9410),
        )

        # The week before (nights 12 to 18 October): three sightings.
        p1 = make.sighting(
            local(2026, 10, 12, 22, 0),
            ["aspb.staring"],
            "distressed",
            "spoke_to",
            venue=anchor,
            area=ws,
            # 07:00 on Monday 19th: the week's first night's date, so the week's.
            details_obtained_at=local(2026, 10, 19, 7, 0),
        )
        p2 = make.sighting(
            local(2026, 10, 16, 23, 0),
            ["assb.catcalling"],
            "moved_away",
            "no_action",
            venue=neon,
            area=ws,
            # 05:30 on Monday 19th: still Sunday 18th's night, so the week before's.
            details_obtained_at=local(2026, 10, 19, 5, 30),
        )
        p3 = make.sighting(  # Saturday 00:30: Friday night
            local(2026, 10, 17, 0, 30),
            ["aspb.staring", "aspb.loitering"],
            "asked_for_help",
            "police_called",
            venue=neon,
            area=ws,
        )

        # Outside both weeks.
        x1 = make.sighting(
            local(2026, 10, 11, 23, 0),
            ["aspb.staring"],
            "distressed",
            "spoke_to",
            venue=anchor,
            area=ws,
        )
        make.sighting(  # Monday 12th 05:59: Sunday 11th's night
            local(2026, 10, 12, 5, 59),
            ["aspb.staring"],
            "distressed",
            "spoke_to",
            venue=anchor,
            area=ws,
        )
        make.sighting(  # Monday 26th 06:00: Monday 26th's night
            local(2026, 10, 26, 6, 0),
            ["aspb.staring"],
            "distressed",
            "spoke_to",
            venue=anchor,
            area=ws,
        )

        # Subjects: one seen on two nights of the week (Monday twice, Saturday), one once;
        # one seen on two nights of the week before (Friday twice and Monday).
        repeat = make.subject("RF-0001")
        once = make.subject("RF-0002")
        before = make.subject("RF-0003")
        make.link(repeat, s1, s3, s6, x1)
        make.link(once, s1)
        make.link(before, p1, p2, p3)

        # Red-flag notes (review dates are UTC dates, as the notes keep them).
        make.note(repeat, datetime(2026, 9, 1, 12, tzinfo=UTC), date(2026, 11, 30))  # N1
        make.note(  # N2: added in the week
            repeat, datetime(2026, 10, 20, 12, tzinfo=UTC), date(2027, 1, 18)
        )
        make.note(  # N3: review date in the week, not renewed: expired in the week
            once, datetime(2026, 7, 23, 12, tzinfo=UTC), date(2026, 10, 21)
        )
        make.note(  # N4: lapsed on the 14th, renewed on the 16th: both the week before
            once,
            datetime(2026, 7, 16, 12, tzinfo=UTC),
            date(2026, 10, 14),
            (datetime(2026, 10, 16, 10, tzinfo=UTC), date(2027, 1, 14)),
        )
        make.note(  # N5: renewed on its review date in the week: renewed, never expired
            once,
            datetime(2026, 7, 25, 12, tzinfo=UTC),
            date(2026, 10, 23),
            (datetime(2026, 10, 23, 9, tzinfo=UTC), date(2027, 1, 21)),
        )
        make.note(  # N6: expired long before
            before, datetime(2026, 6, 1, 12, tzinfo=UTC), date(2026, 8, 30)
        )
        make.note(  # N7: review date the Sunday before the week: expired the week before
            before, datetime(2026, 7, 20, 12, tzinfo=UTC), date(2026, 10, 18)
        )
        make.note(  # N8: lapsed on the 20th, renewed only in November: expired in the week
            before,
            datetime(2026, 8, 1, 12, tzinfo=UTC),
            date(2026, 10, 20),
            (datetime(2026, 11, 5, 12, tzinfo=UTC), date(2027, 2, 3)),
        )
        make.note(  # N9: added the week before
            before, datetime(2026, 10, 15, 20, tzinfo=UTC), date(2027, 1, 13)
        )

        # Safe Space uses: three in the week, one the week before, one after.
        make.use(
            local(2026, 10, 19, 23, 0),
            anchor,
            ["harassed", "upset"],
            ["water", "listened"],
            "friend",
        )
        make.use(
            local(2026, 10, 25, 1, 30, fold=1),
            neon,
            ["spiking_suspected"],
            ["ambulance", "first_aid"],
            "ambulance",
        )
        make.use(local(2026, 10, 25, 22, 0), meridian, ["separated"], ["phone_charge"], "nobody")
        make.use(local(2026, 10, 16, 22, 0), anchor, ["intoxicated"], ["water"], "taxi")
        make.use(local(2026, 10, 26, 22, 0), anchor, ["upset"], ["water"], "friend")

        # Welfare notes: three in the week (one away from any venue), one the week before.
        make.welfare_note(local(2026, 10, 20, 23, 0), None, "police")
        make.welfare_note(local(2026, 10, 24, 23, 0), anchor, "nobody")
        make.welfare_note(local(2026, 10, 22, 23, 0), neon, "welfare")
        make.welfare_note(local(2026, 10, 13, 23, 0), neon, "friend")
        db.session.commit()
        author_org = officer.organisation_id

    # Orders, as the orders feature would have made them.
    in_week = add_authorisation(app, local(2026, 10, 24, 20, 0), local(2026, 10, 25, 20, 0))
    before_week = add_authorisation(app, local(2026, 10, 15, 20, 0), local(2026, 10, 16, 20, 0))
    # 05:30 on Monday 19th: Sunday night's, so the week before's.
    add_authorisation(app, local(2026, 10, 19, 5, 30), local(2026, 10, 19, 23, 0))
    direction = add_direction(app, in_week, local(2026, 10, 24, 23, 0), local(2026, 10, 26, 23, 0))
    add_direction(app, in_week, local(2026, 10, 25, 1, 30, fold=1), local(2026, 10, 27, 1, 0))
    add_direction(app, before_week, local(2026, 10, 15, 22, 0), local(2026, 10, 17, 22, 0))
    with app.app_context():
        anchor_venue = db.session.get(Venue, anchor)
        assert anchor_venue is not None
        db.session.expunge(anchor_venue)
    notice = add_notice(
        app,
        before,
        [anchor_venue],
        date(2026, 10, 21),
        date(2027, 4, 20),
        issued_at=datetime(2026, 10, 21, 12, tzinfo=UTC),
    )
    add_notice(
        app,
        before,
        [anchor_venue],
        date(2026, 10, 26),
        date(2027, 4, 25),
        issued_at=datetime(2026, 10, 26, 12, tzinfo=UTC),
    )
    add_appeal(app, notice, date(2026, 10, 22))
    add_appeal(app, notice, date(2026, 10, 26))
    add_appeal(app, notice, date(2026, 10, 12))
    with app.app_context():
        for values in (
            {"direction_id": direction, "occurred_at": local(2026, 10, 25, 3, 0)},
            {"notice_id": notice, "occurred_at": local(2026, 10, 23, 22, 0)},
            {"notice_id": notice, "occurred_at": local(2026, 10, 14, 22, 0)},
        ):
            db.session.add(Breach(organisation_id=author_org, outcome="warned", **values))
        db.session.commit()

    yield Data(anchor, neon, meridian, ws, gw, repeat, once, before)


def report(app: Flask, period: Period = WEEK, filters: Filters | None = None) -> Report:
    with app.app_context():
        return build_report(period, filters, now=NOW)


def non_zero(counts: Any) -> dict[str, Count]:
    return {code: count for code, count in counts.items() if count != Count(0, 0)}


def grid(found: Report, side: str) -> dict[tuple[int, int], int]:
    """The when grid's non-zero cells of one side: {(weekday, hour): count}."""
    return {
        (weekday, hour): getattr(found.when.cell(weekday, hour), side)
        for weekday in range(7)
        for hour in HOURS_OF_NIGHT
        if getattr(found.when.cell(weekday, hour), side)
    }


def squares(found: Report) -> list[tuple[tuple[int, int], Count, Count, bool]]:
    return [((s.row, s.column), s.sightings, s.nights, s.repeat) for s in found.hotspots.squares]


def venues(found: Report) -> list[tuple[int, str, Count, Count, bool]]:
    return [(v.venue_id, v.name, v.sightings, v.nights, v.repeat) for v in found.hotspots.venues]


# -- The whole data set, no filters ------------------------------------------------------------


def test_sightings_by_behaviour_response_and_action(app: Flask, data: Data) -> None:
    found = report(app)
    assert found.period == WEEK
    assert found.previous_period == Period(date(2026, 10, 12), date(2026, 10, 18))
    figures = found.sightings
    assert figures.total == Count(11, 3)
    # Every code in the taxonomy's order, zeros included; a sighting counts once per behaviour.
    assert list(figures.by_behaviour)[:2] == ["assb.sexual_conduct", "assb.sexual_comments"]
    assert len(figures.by_behaviour) == 15
    assert non_zero(figures.by_behaviour) == {
        "assb.sexual_conduct": Count(1, 0),
        "assb.sexual_comments": Count(1, 0),
        "assb.catcalling": Count(1, 1),
        "assb.unwanted_touching": Count(1, 0),
        "aspb.loitering": Count(1, 1),
        "aspb.repeated_approaches": Count(1, 0),
        "aspb.following": Count(2, 0),
        "aspb.staring": Count(3, 2),
        "aspb.filming": Count(1, 0),
        "other": Count(1, 0),
    }
    assert figures.by_victim_response == {
        "distressed": Count(3, 1),
        "moved_away": Count(3, 1),
        "asked_for_help": Count(1, 1),
        "no_visible_reaction": Count(1, 0),
        "not_known": Count(3, 0),
    }
    assert figures.by_action == {
        "spoke_to": Count(3, 1),
        "refused_entry": Count(1, 0),
        "ejected": Count(2, 0),
        "safe_space_offered": Count(1, 0),
        "police_called": Count(1, 1),
        "no_action": Count(3, 1),
    }
    assert figures.interventions == Count(8, 2)


def test_hotspots_by_venue_and_square(app: Flask, data: Data) -> None:
    found = report(app)
    assert venues(found) == [
        # Anchor: Monday (three), Wednesday, Thursday, Saturday: four nights, a repeat venue.
        (data.anchor, "The Anchor", Count(6, 1), Count(4, 1), True),
        (data.neon, "Neon", Count(2, 2), Count(2, 1), False),
        (data.meridian, "Meridian Bar", Count(1, 0), Count(1, 0), False),
    ]
    assert squares(found) == [
        # The Anchor's square: Monday (three), Wednesday, Saturday; Thursday's sighting there
        # had its own point, in the square to the north.
        (ANCHOR_SQUARE, Count(5, 1), Count(3, 1), True),
        (NEON_SQUARE, Count(2, 2), Count(2, 1), False),
        (WEST_OF_GREENWICH, Count(1, 0), Count(1, 0), False),
        (EAST_OF_GREENWICH, Count(1, 0), Count(1, 0), False),
        (OWN_POINT_SQUARE, Count(1, 0), Count(1, 0), False),
    ]
    assert found.hotspots.unplaced == Count(1, 0)


def test_squares_have_bounds_either_side_of_greenwich(app: Flask, data: Data) -> None:
    found = report(app)
    by_key = {(s.row, s.column): s for s in found.hotspots.squares}
    west, east = by_key[WEST_OF_GREENWICH], by_key[EAST_OF_GREENWICH]
    assert (west.south, west.west, west.north, west.east) == (51.478, -0.003, 51.48, 0.0)
    assert (east.south, east.west, east.north, east.east) == (51.478, 0.0, 51.48, 0.003)
    anchor = by_key[ANCHOR_SQUARE]
    assert (anchor.south, anchor.west, anchor.north, anchor.east) == (
        51.618,
        -3.942,
        51.62,
        -3.939,
    )
    assert anchor.centre == (51.619, -3.9405)
    # Each square holds the point that put it there, and is one grid step wide.
    for square, (lat, lng) in (
        (west, (51.4785, -0.0010)),
        (east, (51.4785, 0.0010)),
        (anchor, (51.6197, -3.9405)),
        (by_key[OWN_POINT_SQUARE], (51.6205, -3.9410)),
        (by_key[NEON_SQUARE], (51.6203, -3.9380)),
    ):
        assert square.south <= lat < square.north
        assert square.west <= lng < square.east
        assert square.north - square.south == pytest.approx(GRID_DEGREES[0])
        assert square.east - square.west == pytest.approx(GRID_DEGREES[1])


def test_when_grid_by_night_and_local_hour(app: Flask, data: Data) -> None:
    found = report(app)
    assert found.when.hours == (18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5)
    assert grid(found, "current") == {
        (0, 18): 1,  # Monday 18:00
        (0, 5): 1,  # Tuesday 05:59 is Monday night
        (2, 23): 1,
        (3, 20): 1,
        (5, 22): 1,
        (5, 1): 2,  # both 01:30s of the night the clocks went back
        (5, 2): 1,
        (6, 21): 1,
    }
    assert found.when.daytime == Count(2, 0)  # Monday 17:59 and Tuesday 06:00
    assert grid(found, "previous") == {(0, 22): 1, (4, 23): 1, (4, 0): 1}
    assert found.when.weekday_total(5) == Count(4, 0)
    assert found.when.hour_total(1) == Count(2, 0)
    total = sum((found.when.weekday_total(day) for day in range(7)), Count(0, 0))
    assert total + found.when.daytime == found.sightings.total


def test_when_grid_on_the_night_the_clocks_go_forward(
    app: Flask, make_user: Callable[..., User]
) -> None:
    officer = make_user(Role.OFFICER)
    with pytest.raises(NonexistentTimeError):
        local(2026, 3, 29, 1, 30)  # never happened: the clocks went from 01:00 to 02:00
    with app.app_context():
        make = Builder(officer)
        for moment in (
            local(2026, 3, 29, 0, 59),  # GMT
            local(2026, 3, 29, 2, 0),  # summer time, one minute later
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 02:30 summer time
            local(2026, 3, 29, 5, 59),
            local(2026, 3, 29, 6, 0),  # Sunday's night, daytime
            local(2026, 3, 28, 17, 59),  # Saturday's night, daytime
            local(2026, 3, 28, 18, 0),
        ):
            make.sighting(moment, ["aspb.staring"], "not_known", "no_action")
        db.session.commit()
    found = report(app, Period(date(2026, 3, 23), date(2026, 3, 29)))
    assert grid(found, "current") == {(5, 18): 1, (5, 0): 1, (5, 2): 2, (5, 5): 1}
    assert found.when.cell(5, 1) == Count(0, 0)
    assert found.when.daytime == Count(2, 0)
    assert found.sightings.total == Count(7, 0)


def test_repeat_subjects(app: Flask, data: Data) -> None:
    found = report(app)
    subjects = found.repeat_subjects
    # Seen on Monday (twice, at the Anchor) and Saturday (at Neon); the other once only.
    assert [(s.subject_id, s.sightings, s.nights, s.venues) for s in subjects.subjects] == [
        (data.repeat_subject, 3, 2, 2)
    ]
    assert subjects.count == Count(1, 1)  # and one the week before


def test_red_flag_notes(app: Flask, data: Data) -> None:
    notes = report(app).notes
    assert notes.added == Count(1, 1)  # N2; N9
    assert notes.renewed == Count(1, 1)  # N5; N4
    assert notes.expired == Count(2, 2)  # N3, N8; N4, N7
    # At 06:00 on the 26th: N1, N2, N4, N5, N9. At 06:00 on the 19th: N1, N3, N4, N5, N8
    # (its renewal in November had not happened), N9.
    assert notes.active_at_end == Count(5, 6)


def test_a_review_date_not_yet_passed_is_not_an_expiry(app: Flask, data: Data) -> None:
    with app.app_context():
        notes = build_report(WEEK, now=datetime(2026, 10, 21, 12, tzinfo=UTC)).notes
    # N3's review date is today: still active. N8 lapsed on the 20th (renewed in November).
    assert notes.expired == Count(1, 2)


def test_safe_space_uses_welfare_notes_and_handovers(app: Flask, data: Data) -> None:
    welfare = report(app).welfare
    assert welfare.safe_space_uses == Count(3, 1)
    assert non_zero(welfare.uses_by_reason) == {
        "separated": Count(1, 0),
        "intoxicated": Count(0, 1),
        "harassed": Count(1, 0),
        "spiking_suspected": Count(1, 0),
        "upset": Count(1, 0),
    }
    assert non_zero(welfare.uses_by_support) == {
        "water": Count(1, 1),
        "phone_charge": Count(1, 0),
        "first_aid": Count(1, 0),
        "ambulance": Count(1, 0),
        "listened": Count(1, 0),
    }
    assert non_zero(welfare.uses_by_handed_to) == {
        "nobody": Count(1, 0),
        "friend": Count(1, 0),
        "taxi": Count(0, 1),
        "ambulance": Count(1, 0),
    }
    assert welfare.welfare_notes == Count(3, 1)
    assert non_zero(welfare.notes_by_handed_to) == {
        "nobody": Count(1, 0),
        "friend": Count(0, 1),
        "welfare": Count(1, 0),
        "police": Count(1, 0),
    }
    assert welfare.handovers == Count(4, 2)
    assert "nobody" not in welfare.handovers_by_handed_to
    assert non_zero(welfare.handovers_by_handed_to) == {
        "friend": Count(1, 1),
        "taxi": Count(0, 1),
        "welfare": Count(1, 0),
        "ambulance": Count(1, 0),
        "police": Count(1, 0),
    }


def test_orders(app: Flask, data: Data) -> None:
    orders = report(app).orders
    assert orders.authorisations == Count(1, 2)
    assert orders.directions == Count(2, 1)
    assert orders.notices == Count(1, 0)
    assert orders.breaches == Count(2, 1)
    assert orders.direction_breaches == Count(1, 0)
    assert orders.notice_breaches == Count(1, 1)
    assert orders.appeals == Count(1, 1)


def test_performance_measures(app: Flask, data: Data) -> None:
    performance = report(app).performance
    assert performance.intelligence_submitted == Count(11, 3)
    assert performance.dispersals == Count(2, 1)
    # Obtained on the 22nd, and at 07:00 on Monday 19th (for a sighting of the week before);
    # the week before: at 05:30 on Monday 19th, still Sunday's night.
    assert performance.details_obtained == Count(2, 1)
    assert performance.interventions == Count(8, 2)
    assert performance.safe_space_uses == Count(3, 1)


# -- Filters ------------------------------------------------------------------------------------


def test_venue_filter(app: Flask, data: Data) -> None:
    found = report(app, filters=Filters(venue_id=data.anchor))
    assert found.filters == Filters(venue_id=data.anchor)
    assert found.sightings.total == Count(6, 1)
    assert non_zero(found.sightings.by_behaviour) == {
        "assb.sexual_conduct": Count(1, 0),
        "assb.sexual_comments": Count(1, 0),
        "assb.catcalling": Count(1, 0),
        "aspb.repeated_approaches": Count(1, 0),
        "aspb.following": Count(1, 0),
        "aspb.staring": Count(2, 1),
    }
    assert found.sightings.interventions == Count(4, 1)
    assert [v.venue_id for v in found.hotspots.venues] == [data.anchor]
    assert squares(found) == [
        (ANCHOR_SQUARE, Count(5, 1), Count(3, 1), True),
        (OWN_POINT_SQUARE, Count(1, 0), Count(1, 0), False),
    ]
    assert found.hotspots.unplaced == Count(0, 0)
    assert grid(found, "current") == {(0, 18): 1, (0, 5): 1, (2, 23): 1, (3, 20): 1, (5, 1): 1}
    # Subject RF-0001 was at the Anchor on Monday night only.
    assert found.repeat_subjects.subjects == ()
    assert found.repeat_subjects.count == Count(0, 0)
    assert found.performance.details_obtained == Count(2, 0)
    # Safe Space uses and welfare notes at the venue.
    assert found.welfare.safe_space_uses == Count(1, 1)
    assert found.welfare.welfare_notes == Count(1, 0)
    assert found.welfare.handovers == Count(1, 1)
    # Orders and notes are not filtered.
    assert found.orders.directions == Count(2, 1)
    assert found.notes.active_at_end == Count(5, 6)


def test_area_filter(app: Flask, data: Data) -> None:
    found = report(app, filters=Filters(area_id=data.greenwich))
    assert found.sightings.total == Count(2, 0)
    assert non_zero(found.sightings.by_behaviour) == {
        "aspb.staring": Count(1, 0),
        "aspb.filming": Count(1, 0),
    }
    assert [v.venue_id for v in found.hotspots.venues] == [data.meridian]
    assert squares(found) == [
        (WEST_OF_GREENWICH, Count(1, 0), Count(1, 0), False),
        (EAST_OF_GREENWICH, Count(1, 0), Count(1, 0), False),
    ]
    assert grid(found, "current") == {(5, 1): 1, (5, 2): 1}
    assert found.welfare.safe_space_uses == Count(1, 0)  # at the Meridian Bar
    assert found.welfare.welfare_notes == Count(0, 0)

    wind_street = report(app, filters=Filters(area_id=data.wind_street))
    assert wind_street.sightings.total == Count(8, 3)
    assert wind_street.repeat_subjects.count == Count(1, 1)
    # Uses and notes at the Anchor and Neon; the note away from any venue drops out.
    assert wind_street.welfare.safe_space_uses == Count(2, 1)
    assert wind_street.welfare.welfare_notes == Count(2, 1)
    assert wind_street.welfare.handovers == Count(3, 2)  # not the one handed to nobody


def test_behaviour_filter(app: Flask, data: Data) -> None:
    found = report(app, filters=Filters(behaviour="aspb.staring"))
    assert found.sightings.total == Count(3, 2)
    # The other behaviours of the same sightings still show.
    assert non_zero(found.sightings.by_behaviour) == {
        "assb.sexual_comments": Count(1, 0),
        "aspb.loitering": Count(0, 1),
        "aspb.staring": Count(3, 2),
    }
    assert venues(found) == [
        (data.anchor, "The Anchor", Count(2, 1), Count(1, 1), False),
        (data.meridian, "Meridian Bar", Count(1, 0), Count(1, 0), False),
        (data.neon, "Neon", Count(0, 1), Count(0, 1), False),
    ]
    assert grid(found, "current") == {(0, 18): 1, (5, 1): 1}
    assert found.when.daytime == Count(1, 0)
    # Safe Space uses record no behaviour: not filtered by one.
    assert found.welfare.safe_space_uses == Count(3, 1)

    both = report(app, filters=Filters(area_id=data.wind_street, behaviour="aspb.staring"))
    assert both.sightings.total == Count(2, 2)
    nothing = report(app, filters=Filters(behaviour="aspb.spiking_suspected"))
    assert nothing.sightings.total == Count(0, 0)
    assert nothing.hotspots.squares == ()
    assert nothing.sightings.interventions == Count(0, 0)


def test_the_number_of_queries_does_not_grow_with_the_data(app: Flask, data: Data) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            build_report(WEEK, Filters(area_id=data.wind_street), now=NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    # One statement per group of figures (two for the notes' active counts, and one for the
    # names of each kind of place public reports were made about), none per row.
    assert len(statements) <= 27


def test_behaviours_move_with_a_corrected_sighting(
    app: Flask, make_user: Callable[..., User], police: Organisation
) -> None:
    """Behaviours are counted by their own copy of the night: a correction that moves the
    sighting to another night moves them too, and a row added without it takes the
    sighting's."""
    officer = make_user(Role.OFFICER, police)
    with app.app_context():
        author = db.session.get(User, officer.id)
        assert author is not None

        def data_for(moment: datetime) -> SightingData:
            return SightingData(
                occurred_at=moment,
                venue_id=None,
                place="Castle Square",
                latitude=None,
                longitude=None,
                behaviours=["aspb.staring"],
                other_behaviour="",
                victim_response="moved_away",
                action_taken="spoke_to",
            )

        before = local(2026, 10, 14, 23, 0)  # the week before WEEK
        sighting = record_sighting(author, data_for(before), [], uuid.uuid4().hex, NOW)
        db.session.add(SightingBehaviour(sighting_id=sighting.id, code="aspb.following"))
        db.session.flush()
        db.session.expire(sighting, ["behaviours"])
        nights = db.session.scalars(
            select(SightingBehaviour.night).where(SightingBehaviour.sighting_id == sighting.id)
        ).all()
        assert nights == [date(2026, 10, 14), date(2026, 10, 14)]
        found = build_report(WEEK, now=NOW).sightings.by_behaviour
        assert found["aspb.staring"] == Count(0, 1)

        correct_sighting(author, sighting, data_for(local(2026, 10, 23, 1, 30)), NOW)
        db.session.commit()
        found = build_report(WEEK, now=NOW).sightings.by_behaviour
        assert found["aspb.staring"] == Count(1, 0)
        assert found["aspb.following"] == Count(0, 0)  # the corrected form had only staring


def test_an_empty_database_gives_zeros(app: Flask) -> None:
    found = report(app)
    assert found.sightings.total == Count(0, 0)
    assert set(found.sightings.by_action.values()) == {Count(0, 0)}
    assert found.hotspots.venues == ()
    assert found.hotspots.squares == ()
    assert found.when.daytime == Count(0, 0)
    assert found.notes.active_at_end == Count(0, 0)
    assert found.welfare.handovers == Count(0, 0)
    assert found.orders.breaches == Count(0, 0)
    assert found.performance.details_obtained == Count(0, 0)


# -- Showing counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ANALYST, Role.COORDINATOR, Role.ADMIN, Role.WELFARE, None])
def test_small_counts_are_hidden_from_everyone_but_police(role: Role | None) -> None:
    assert [suppressed(n, role) for n in (0, 1, 4, 5, 1234)] == ["0", "<5", "<5", "5", "1234"]
    assert change(3, 10, role) == Trend("withheld")
    assert change(10, 3, role).text == ""
    assert change(12, 10, role) == Trend("up", 2, 20)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.INSPECTOR, "officer"])
def test_police_see_small_counts(role: Role | str) -> None:
    assert [suppressed(n, role) for n in (0, 1, 4, 5)] == ["0", "1", "4", "5"]
    assert change(3, 10, role) == Trend("down", -7, -70)


def test_suppression_of_the_report(app: Flask, data: Data) -> None:
    found = report(app)
    distressed = found.sightings.by_victim_response["distressed"]
    assert suppressed(distressed.current, Role.ANALYST) == "<5"
    assert suppressed(distressed.current, Role.OFFICER) == "3"
    assert suppressed(found.sightings.total.current, Role.ANALYST) == "11"
    assert found.sightings.total.trend(Role.ANALYST) == Trend("withheld")  # 3 the week before
    assert found.sightings.total.trend(Role.INSPECTOR).text == "+267%"


def test_trends(app: Flask) -> None:
    police = Role.OFFICER
    assert change(0, 0, police) == Trend("same", 0, 0)
    assert change(0, 0, police).text == "0%"
    assert change(6, 0, police) == Trend("new", 6)
    with app.test_request_context():
        assert change(6, 0, police).text == "new"
    assert change(0, 8, police).text == "\u2212100%"
    assert change(8, 8, police) == Trend("same", 0, 0)
    assert change(9, 8, police).text == "+13%"  # 12.5 rounds away from zero
    assert change(7, 8, police).text == "\u221213%"
    assert change(200, 8, police).text == "+2400%"


# -- Periods -------------------------------------------------------------------------------------


def test_periods() -> None:
    assert WEEK.nights == 7
    assert WEEK.previous() == Period(date(2026, 10, 12), date(2026, 10, 18))
    month = Period(date(2026, 10, 1), date(2026, 10, 28))
    assert month.previous() == Period(date(2026, 9, 3), date(2026, 9, 30))
    assert date(2026, 10, 25) in WEEK
    assert date(2026, 10, 26) not in WEEK
    # From 06:00 on the first night's date (summer time) to 06:00 after the last (GMT).
    assert WEEK.utc_bounds() == (
        datetime(2026, 10, 19, 5, tzinfo=UTC),
        datetime(2026, 10, 26, 6, tzinfo=UTC),
    )
    assert WEEK.previous().utc_bounds()[1] == WEEK.utc_bounds()[0]
    with pytest.raises(ValueError):
        Period(date(2026, 10, 25), date(2026, 10, 19))


def test_presets() -> None:
    # Monday 2 November 2026 at 10:00: the last completed night is Sunday 1st.
    monday = datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert last_completed_night(monday) == date(2026, 11, 1)
    assert preset("this_week", monday) == Period(date(2026, 10, 26), date(2026, 11, 1))
    assert preset("last_week", monday) == Period(date(2026, 10, 19), date(2026, 10, 25))
    assert preset("last_4_weeks", monday) == Period(date(2026, 10, 5), date(2026, 11, 1))
    assert preset("quarter", monday) == Period(date(2026, 8, 3), date(2026, 11, 1))
    assert preset("quarter", monday).nights == 91
    # 02:00 on Tuesday: Monday night is not over yet.
    assert preset("this_week", local(2026, 11, 3, 2, 0)) == Period(
        date(2026, 10, 26), date(2026, 11, 1)
    )
    # 20:00 on Tuesday: Monday night is over, so this week is the new one.
    assert preset("this_week", local(2026, 11, 3, 20, 0)) == Period(
        date(2026, 11, 2), date(2026, 11, 8)
    )
    # A date: the night that began the evening before it.
    assert preset("last_4_weeks", date(2026, 11, 3)) == Period(date(2026, 10, 6), date(2026, 11, 2))
    with pytest.raises(ValueError):
        preset("fortnight", monday)
