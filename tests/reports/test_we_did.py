"""The public "You told us, we did" page against a data set built by hand across August,
September and October 2026, with the clock at noon on Tuesday 10 November 2026 (GMT), so
the page shows November 2026 so far and the twelve months from November 2025 to October 2026.

What the months hold, and so what the page must show (counts of 1 to 4 as "fewer than 5"):

- **August**: one sighting (action taken) at 01:00 on Tuesday 1 September, which is the night
  of 31 August; two Safe Space uses. Reports 0, interventions <5, Safe Space <5.
- **September**: nine public reports: five at the Anchor (the fifth made at 01:00 on 1 October,
  the night of 30 September) and four at Neon; five sightings at the Quiet Bar in Wind Street
  (three with action taken, two without); five dispersal directions (the fifth at 01:00 on
  1 October); one exclusion notice (03:00 on 1 October). Reports 9, interventions <5,
  dispersals 5, exclusions <5, Safe Space 0. Named: the Anchor (5), the Quiet Bar (5), Wind
  Street (5); not Neon (4).
- **October**: six sightings in the Castle Quarter with action taken, four of them at Neon; one
  public report at Neon that the police turned into one of those sightings (so Neon has 4, not
  5); five exclusion notices; one direction at 05:59 on 1 November (the night of 31 October);
  seven Safe Space uses (the seventh at 01:30 on 1 November). Reports <5, interventions 6,
  dispersals <5, exclusions 5, Safe Space 7. Named: the Castle Quarter (6); no venue.
- **November** so far: two public reports (<5).
- A public report on the night of 31 October 2025, before the first month shown: nowhere.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.nights import night_of, to_utc
from partnership.extensions import db
from partnership.reports import we_did
from partnership.reports.we_did import (
    CACHE_SECONDS,
    MonthFigures,
    Place,
    build_months,
    forget_complete_months,
    month_periods,
    shown,
)
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.subjects.models import Subject
from partnership.venues.models import Area, Venue
from partnership.welfare.models import SafeSpaceUse
from tests.conftest import events, fix_clock
from tests.orders.factories import add_authorisation, add_direction, add_notice
from tests.public.factories import add_public_report

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
FEWER = "fewer than 5"
MONTHS = [
    "2026-11",
    "2026-10",
    "2026-09",
    "2026-08",
    "2026-07",
    "2026-06",
    "2026-05",
    "2026-04",
    "2026-03",
    "2026-02",
    "2026-01",
    "2025-12",
    "2025-11",
]
ZEROS = {
    "public_reports": "0",
    "interventions": "0",
    "dispersals": "0",
    "exclusions": "0",
    "safe_space_uses": "0",
}
EXPECTED = {
    "2026-11": {**ZEROS, "public_reports": FEWER},
    "2026-10": {
        "public_reports": FEWER,
        "interventions": "6",
        "dispersals": FEWER,
        "exclusions": "5",
        "safe_space_uses": "7",
    },
    "2026-09": {
        "public_reports": "9",
        "interventions": FEWER,
        "dispersals": "5",
        "exclusions": FEWER,
        "safe_space_uses": "0",
    },
    "2026-08": {**ZEROS, "interventions": FEWER, "safe_space_uses": FEWER},
}


def local(*parts: int) -> datetime:
    """A Europe/London wall-clock time as a UTC moment."""
    return to_utc(datetime(*parts))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _counted_afresh() -> Iterator[None]:
    """Each test's data set is new: no complete months kept from another test's."""
    forget_complete_months()
    yield
    forget_complete_months()


class Made:
    venues: dict[str, int]
    areas: dict[str, int]


@pytest.fixture
def months(
    app: Flask,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    monkeypatch: pytest.MonkeyPatch,
) -> Made:
    fix_clock(monkeypatch, NOW, "partnership.reports.we_did_views")
    officer = make_user(Role.OFFICER)
    premises = make_org(OrgKind.LICENSED_PREMISES, "Bars Ltd")
    made = Made()
    with app.app_context():
        places = [Area(name="Wind Street", geometry={}), Area(name="Castle Quarter", geometry={})]
        venues = [
            Venue(organisation_id=premises.id, name=name)
            for name in ("The Anchor", "Neon", "The Quiet Bar")
        ]
        db.session.add_all([*places, *venues])
        db.session.flush()
        made.venues = {v.name: v.id for v in venues}
        made.areas = {a.name: a.id for a in places}
        anchor, neon, quiet = (v.id for v in venues)
        wind_street, castle = (a.id for a in places)

        def sighting(moment: datetime, action: str, venue: int | None, area: int) -> int:
            row = Sighting(
                submission_key=uuid.uuid4().hex,
                organisation_id=officer.organisation_id,
                author_id=officer.id,
                sharing="partnership",
                occurred_at=moment,
                night=night_of(moment),
                venue_id=venue,
                area_id=area,
                victim_response="distressed",
                action_taken=action,
                behaviours=[SightingBehaviour(code="aspb.following")],
                description="CANARY-DESCRIPTION",
            )
            db.session.add(row)
            db.session.flush()
            return row.id

        def use(moment: datetime, venue: int) -> None:
            db.session.add(
                SafeSpaceUse(
                    submission_key=uuid.uuid4().hex,
                    organisation_id=officer.organisation_id,
                    author_id=officer.id,
                    venue_id=venue,
                    arrived_at=moment,
                    night=night_of(moment),
                    reasons=["upset"],
                    support=["water"],
                    handed_to="friend",
                )
            )

        # August: the sighting at 01:00 on 1 September is the night of 31 August.
        sighting(local(2026, 9, 1, 1, 0), "spoke_to", quiet, wind_street)
        use(local(2026, 8, 8, 23, 0), anchor)
        use(local(2026, 8, 15, 23, 0), anchor)

        # September: five sightings at the Quiet Bar, three with action taken.
        for day, action in ((4, "spoke_to"), (11, "ejected"), (18, "refused_entry")):
            sighting(local(2026, 9, day, 23, 0), action, quiet, wind_street)
        for day in (19, 25):
            sighting(local(2026, 9, day, 23, 0), "no_action", quiet, wind_street)

        # October: six sightings with action taken in the Castle Quarter, four at Neon.
        october = [
            sighting(local(2026, 10, day, 22, 0), "police_called", neon, castle)
            for day in (2, 9, 16, 23)
        ]
        for day in (3, 10):
            sighting(local(2026, 10, day, 22, 0), "safe_space_offered", None, castle)
        for day in (1, 3, 5, 7, 9, 11):
            use(local(2026, 10, day, 21, 0), neon)
        use(local(2026, 11, 1, 1, 30), neon)  # the night of 31 October
        db.session.commit()

    # Public reports: nights as the public form gives them.
    for day in (5, 12, 19, 26):
        add_public_report(app, night=date(2026, 9, day), venue_id=anchor)
    add_public_report(app, night=night_of(local(2026, 10, 1, 1, 0)), venue_id=anchor)
    for day in (6, 13, 20, 27):
        add_public_report(app, night=date(2026, 9, day), venue_id=neon)
    add_public_report(app, night=date(2026, 10, 2), venue_id=neon, sighting_id=october[0])
    add_public_report(app, night=date(2026, 11, 6), area_id=castle)
    add_public_report(app, night=date(2026, 11, 7), area_id=castle)
    add_public_report(app, night=date(2025, 10, 31), venue_id=anchor)

    # Orders.
    authorisation = add_authorisation(app, local(2026, 9, 1, 20, 0), local(2026, 9, 3, 20, 0))
    for moment in (
        local(2026, 9, 1, 22, 0),
        local(2026, 9, 8, 22, 0),
        local(2026, 9, 15, 22, 0),
        local(2026, 9, 22, 22, 0),
        local(2026, 10, 1, 1, 0),  # the night of 30 September
        local(2026, 11, 1, 5, 59),  # the night of 31 October
    ):
        add_direction(app, authorisation, moment, local(2026, 11, 20, 0, 0))
    with app.app_context():
        subject = _subject(officer)
        anchor_venue = db.session.get(Venue, anchor)
        assert anchor_venue is not None
        db.session.expunge(anchor_venue)
    for issued_at in (
        local(2026, 10, 1, 3, 0),  # the night of 30 September
        *(local(2026, 10, day, 12, 0) for day in (1, 6, 13, 20, 27)),
    ):
        add_notice(
            app,
            subject,
            [anchor_venue],
            issued_at.date(),
            date(2027, 4, 1),
            issued_at=issued_at,
        )
    return made


def _subject(officer: User) -> int:
    subject = Subject(
        reference="RF-CANARY", description="CANARY-SUBJECT", organisation_id=officer.organisation_id
    )
    db.session.add(subject)
    db.session.commit()
    return subject.id


# -- Reading the page -------------------------------------------------------------------------


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def sections(page: str) -> dict[str, str]:
    """{"2026-10": that month's section} in the order the page shows them."""
    found = re.findall(r'data-month="(\d{4}-\d{2})">(.*?)</section>', page, re.S)
    return dict(found)


def figures(section: str) -> dict[str, str]:
    return {
        key: _text(value)
        for key, value in re.findall(r'data-figure="(\w+)">.*?<dd[^>]*>(.*?)</dd>', section, re.S)
    }


def places(section: str, kind: str) -> list[tuple[str, str]]:
    table = re.search(rf'data-places="{kind}">(.*?)</table>', section, re.S)
    if table is None:
        return []
    rows = re.findall(
        r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>', table.group(1), re.S
    )
    return [(_text(name), _text(value)) for name, value in rows]


def page(client: FlaskClient, query: str = "") -> str:
    response = client.get(f"/safety/we-did{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# -- The figures ------------------------------------------------------------------------------


def by_month(found: list[MonthFigures]) -> dict[str, MonthFigures]:
    return {m.first_night.strftime("%Y-%m"): m for m in found}


def test_the_months_are_by_night_newest_first() -> None:
    periods = month_periods(NOW)
    assert len(periods) == 13
    assert (periods[0].first_night, periods[0].last_night) == (
        date(2025, 11, 1),
        date(2025, 11, 30),
    )
    assert (periods[-1].first_night, periods[-1].last_night) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    assert periods[3].last_night == date(2026, 2, 28)
    # 05:00 on 1 December is still the night of 30 November: November is the current month.
    assert month_periods(local(2026, 12, 1, 5, 0))[-1].first_night == date(2026, 11, 1)
    assert month_periods(local(2026, 12, 1, 6, 0))[-1].first_night == date(2026, 12, 1)
    # A year ends and another begins.
    assert month_periods(local(2027, 1, 15, 12, 0))[0].first_night == date(2026, 1, 1)


def test_known_counts_month_by_month(app: Flask, months: Made) -> None:
    with app.app_context():
        found = build_months(NOW)
    assert [m.first_night.strftime("%Y-%m") for m in found] == MONTHS
    assert [m.so_far for m in found] == [True] + [False] * 12
    counts = {
        key: (m.public_reports, m.interventions, m.dispersals, m.exclusions, m.safe_space_uses)
        for key, m in by_month(found).items()
    }
    assert counts["2026-11"] == (2, 0, 0, 0, 0)
    assert counts["2026-10"] == (1, 6, 1, 5, 7)
    assert counts["2026-09"] == (9, 3, 5, 1, 0)
    assert counts["2026-08"] == (0, 1, 0, 0, 2)
    # The report of 31 October 2025 is before the first month shown.
    assert all(c == (0, 0, 0, 0, 0) for k, c in counts.items() if k not in EXPECTED)


def test_places_with_five_or_more_are_named_and_no_others(app: Flask, months: Made) -> None:
    with app.app_context():
        found = by_month(build_months(NOW))
    # September: the Anchor's five reports (one made at 01:00 on 1 October) and the Quiet
    # Bar's five sightings; Neon's four reports are not enough.
    assert found["2026-09"].venues == (Place("The Anchor", 5), Place("The Quiet Bar", 5))
    assert found["2026-09"].areas == (Place("Wind Street", 5),)
    # October: Neon's four sightings and the report that became one of them count as four.
    assert found["2026-10"].venues == ()
    assert found["2026-10"].areas == (Place("Castle Quarter", 6),)
    # August's one sighting at the Quiet Bar (at 01:00 on 1 September) is not September's.
    assert all(
        not m.venues and not m.areas for k, m in found.items() if k not in ("2026-09", "2026-10")
    )


def _statements(app: Flask, now: datetime = NOW) -> tuple[list[MonthFigures], list[str]]:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", seen)
        try:
            found = build_months(now)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    return found, statements


def test_each_figure_is_one_query(app: Flask, months: Made) -> None:
    _found, statements = _statements(app)
    # Reports, interventions, Safe Space uses, directions, notices, venues, areas.
    assert len(statements) == 7
    assert all("GROUP BY" in statement for statement in statements)


def test_complete_months_are_kept_and_the_current_one_counted_every_time(
    app: Flask, months: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _statements_made = _statements(app)
    # Something late for October and something new for November.
    add_public_report(app, night=date(2026, 10, 20), venue_id=months.venues["Neon"])
    add_public_report(app, night=date(2026, 11, 8), venue_id=months.venues["Neon"])
    again, statements = _statements(app)
    assert len(statements) == 7  # the current month only, one query per figure again
    assert by_month(again)["2026-11"].public_reports == 3
    assert by_month(again)["2026-10"].public_reports == 1  # as kept
    assert again[1:] == first[1:]
    assert [m.so_far for m in again] == [True] + [False] * 12
    # Once the kept months are too old, they are counted again.
    later = we_did.monotonic() + CACHE_SECONDS + 1
    monkeypatch.setattr(we_did, "monotonic", lambda: later)
    fresh, _statements_made = _statements(app)
    assert by_month(fresh)["2026-10"].public_reports == 2
    assert by_month(fresh)["2026-11"].public_reports == 3
    # A new month counts every month afresh: October is now complete and kept anew.
    december, _statements_made = _statements(app, local(2026, 12, 1, 6, 0))
    assert [m.first_night for m in december][:2] == [date(2026, 12, 1), date(2026, 11, 1)]
    assert by_month(december)["2026-11"].public_reports == 3
    assert not by_month(december)["2026-11"].so_far


def test_small_counts_by_the_reports_rule() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 1234)] == ["0", FEWER, FEWER, "5", "1,234"]


# -- The page ---------------------------------------------------------------------------------


def test_the_page_shows_each_month_suppressed(
    app: Flask, client: FlaskClient, months: Made
) -> None:
    shown_page = page(client)
    found = sections(shown_page)
    assert list(found) == MONTHS
    for key, section in found.items():
        assert figures(section) == EXPECTED.get(key, ZEROS), key
    assert "November 2026 (so far)" in _text(found["2026-11"])
    assert "October 2026" in _text(found["2026-10"])
    assert "(so far)" not in _text(found["2026-10"])
    assert places(found["2026-09"], "venues") == [("The Anchor", "5"), ("The Quiet Bar", "5")]
    assert places(found["2026-09"], "areas") == [("Wind Street", "5")]
    assert places(found["2026-10"], "venues") == []
    assert places(found["2026-10"], "areas") == [("Castle Quarter", "6")]
    assert 'data-places="none"' in found["2026-08"]
    # Neon (four reports in September, four in October) is never named.
    assert "Neon" not in shown_page
    # No count of 1 to 4 stands alone anywhere, and nothing typed about anyone shows.
    assert not re.search(r">\s*[1-4]\s*<", shown_page)
    for canary in ("CANARY", "RF-CANARY", "kebab shop", "followed us"):
        assert canary not in shown_page


def test_anyone_may_read_it_without_signing_in_and_nothing_is_recorded(
    app: Flask, client: FlaskClient, months: Made
) -> None:
    before = len(events(app))
    response = client.get("/safety/we-did")
    assert response.status_code == 200
    assert "You told us, we did" in response.get_data(as_text=True)
    assert len(events(app)) == before


def test_the_page_in_welsh(app: Flask, client: FlaskClient, months: Made) -> None:
    welsh_page = page(client, "?lang=cy")
    assert '<html lang="cy"' in welsh_page
    found = sections(welsh_page)
    assert list(found) == MONTHS
    # Month names come from the Welsh calendar.
    assert "Hydref 2026" in _text(found["2026-10"])
    assert "Medi 2026" in _text(found["2026-09"])
    assert places(found["2026-09"], "venues") == [("The Anchor", "5"), ("The Quiet Bar", "5")]


def test_an_empty_partnership_shows_every_month_as_nothing(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fix_clock(monkeypatch, NOW, "partnership.reports.we_did_views")
    found = sections(page(client))
    assert list(found) == MONTHS
    assert all(figures(section) == ZEROS for section in found.values())
    assert all('data-places="none"' in section for section in found.values())
