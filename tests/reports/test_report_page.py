"""The report page against a small week built by hand: the week of Monday 16 to Sunday 22
November 2026 (GMT, so UK time is UTC), compared with the week before; the clock stands at
noon on Monday 23rd, so "this week" is that week.

What the week holds, and so what the page must show:

- nine sightings: seven at the Anchor on three nights (Monday twice and once after midnight,
  Wednesday twice, Friday twice: a repeat location), two at Neon on Saturday; staring 7,
  catcalling 2; distressed 6, moved away 3; spoke to 6, no action 3 (so 6 interventions);
- the week before: three at the Anchor (staring, distressed, spoke to), on three nights;
- six Safe Space uses at the Anchor (one the week before); one direction given on Saturday;
  details obtained once; one red-flag note added;
- a subject (RF-2026-0001, "Canary Name") linked to sightings on Monday and Wednesday: one
  repeat subject; another linked once.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.nights import night_of
from partnership.extensions import db
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.subjects.models import RedFlagNote, Subject, SubjectLink
from partnership.venues.models import Area, Venue
from partnership.welfare.models import SafeSpaceUse
from tests.conftest import Clock, events, fix_clock, welsh
from tests.orders.factories import add_authorisation, add_direction
from tests.reports.test_runs import wait_for

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
FIRST, LAST = date(2026, 11, 16), date(2026, 11, 22)
POLICE = (Role.OFFICER, Role.INSPECTOR)
NOT_POLICE = (Role.ANALYST, Role.COORDINATOR)
READERS = (*NOT_POLICE, *POLICE)
REFUSED = (Role.PREMISES_STAFF, Role.WELFARE, Role.ADMIN)
# A count of 1 to 4 standing alone between tags: a table cell, a chart label, a figure.
SMALL_COUNT = re.compile(r">\s*[1-4]\s*<")
CANARIES = (
    "CANARY-DESCRIPTION",
    "CANARY-PLACE",
    "CANARY-CLOTHING",
    "CANARY-FEATURES",
    "CANARY-OTHER",
    "Canary Name",
    "RF-2026-0001",
    "RF-2026-0002",
)
PSEUDONYM = re.compile(r"P-[0-9A-HJKMNP-TV-Z]{6,}")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 (GMT: UK time is UTC)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@dataclass
class Week:
    author: User
    wind_street: int
    quay: int
    anchor: int
    neon: int
    repeat_subject: int
    once_subject: int
    sightings: list[int]


def add_sighting(
    author: User,
    moment: datetime,
    behaviour: str,
    victim_response: str,
    action_taken: str,
    venue: int | None,
    area: int | None,
    **values: Any,
) -> int:
    """A sighting with every free-text field holding a canary."""
    columns: dict[str, Any] = {
        "description": "CANARY-DESCRIPTION of the man",
        "place": "CANARY-PLACE by the door",
        "clothing": "CANARY-CLOTHING grey hoodie",
        "distinguishing_features": "CANARY-FEATURES tattoo",
        "other_behaviour": "CANARY-OTHER behaviour",
        "apparent_sex": "male",
        "age_band": "25_34",
        "height": "tall",
        "build": "slim",
        **values,
    }
    sighting = Sighting(
        submission_key=uuid.uuid4().hex,
        organisation_id=author.organisation_id,
        author_id=author.id,
        sharing="partnership",
        occurred_at=moment,
        night=night_of(moment),
        venue_id=venue,
        area_id=area,
        victim_response=victim_response,
        action_taken=action_taken,
        behaviours=[SightingBehaviour(code=behaviour)],
        **columns,
    )
    db.session.add(sighting)
    db.session.flush()
    return sighting.id


def polygon(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def build_week(
    app: Flask,
    author: User,
    premises: Organisation,
    *,
    anchor_name: str = "The Anchor",
    area_name: str = "Wind Street",
) -> Week:
    """The week described in the module's docstring, written straight to the database."""
    with app.app_context():
        wind_street = Area(name=area_name, geometry=polygon(-3.95, 51.61, -3.93, 51.63))
        quay = Area(name="The Quay", geometry=polygon(-3.93, 51.61, -3.92, 51.62))
        anchor = Venue(
            organisation_id=premises.id, name=anchor_name, latitude=51.6197, longitude=-3.9405
        )
        neon = Venue(organisation_id=premises.id, name="Neon", latitude=51.6203, longitude=-3.9380)
        db.session.add_all([wind_street, quay, anchor, neon])
        db.session.flush()
        ws = wind_street.id
        made = []
        for moment, response, action in (
            (at(16, 22), "distressed", "spoke_to"),
            (at(16, 23), "distressed", "spoke_to"),
            (at(17, 1, 30), "distressed", "spoke_to"),  # Monday night
            (at(18, 22), "distressed", "spoke_to"),
            (at(18, 22, 30), "distressed", "spoke_to"),
            (at(20, 23), "distressed", "spoke_to"),
            (at(20, 23, 15), "moved_away", "no_action"),
        ):
            made.append(
                add_sighting(author, moment, "aspb.staring", response, action, anchor.id, ws)
            )
        for minute in (0, 10):
            made.append(
                add_sighting(
                    author,
                    at(21, 22, minute),
                    "assb.catcalling",
                    "moved_away",
                    "no_action",
                    neon.id,
                    ws,
                )
            )
        for day in (9, 10, 12):  # the week before
            add_sighting(
                author, at(day, 22), "aspb.staring", "distressed", "spoke_to", anchor.id, ws
            )
        db.session.get(Sighting, made[0]).details_obtained_at = at(17, 12)  # type: ignore[union-attr]

        for day in (16, 17, 18, 19, 20, 21, 12):  # six in the week, one the week before
            if day == 19:
                continue
            for _copy in range(2 if day == 21 else 1):
                moment = at(day, 23)
                db.session.add(
                    SafeSpaceUse(
                        submission_key=uuid.uuid4().hex,
                        organisation_id=author.organisation_id,
                        author_id=author.id,
                        venue_id=anchor.id,
                        arrived_at=moment,
                        night=night_of(moment),
                        reasons=["intoxicated"],
                        support=["water"],
                        handed_to="friend",
                    )
                )

        repeat = Subject(
            reference="RF-2026-0001",
            description="CANARY-DESCRIPTION of the subject",
            name="Canary Name",
            organisation_id=author.organisation_id,
        )
        once = Subject(
            reference="RF-2026-0002",
            description="Short, red coat",
            organisation_id=author.organisation_id,
        )
        db.session.add_all([repeat, once])
        db.session.flush()
        for subject, sighting in ((repeat, made[0]), (repeat, made[3]), (once, made[7])):
            db.session.add(
                SubjectLink(
                    subject_id=subject.id,
                    sighting_id=sighting,
                    organisation_id=author.organisation_id,
                )
            )
        db.session.add(
            RedFlagNote(
                subject_id=repeat.id,
                organisation_id=author.organisation_id,
                text="CANARY-NOTE following women",
                sharing="partnership",
                review_on=date(2027, 2, 15),
                created_at=at(17, 12),
            )
        )
        db.session.commit()
        week = Week(
            author=author,
            wind_street=ws,
            quay=quay.id,
            anchor=anchor.id,
            neon=neon.id,
            repeat_subject=repeat.id,
            once_subject=once.id,
            sightings=made,
        )
    authorisation = add_authorisation(app, at(21, 20), at(22, 4))
    add_direction(app, authorisation, at(21, 23), at(22, 4))
    return week


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(monkeypatch, NOW, "partnership.reports.views")


@pytest.fixture
def week(
    app: Flask, make_user: Callable[..., User], make_org: Callable[..., Organisation]
) -> Iterator[Week]:
    police = make_org(OrgKind.POLICE, "Swansea Police")
    author = make_user(Role.OFFICER, police)
    premises = make_org(OrgKind.LICENSED_PREMISES, "Bars Ltd")
    yield build_week(app, author, premises)


def page_of(client: FlaskClient, query: str = "", status: int = 200) -> str:
    response = client.get(f"/reports/{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def section(page: str, key: str) -> str:
    """The HTML of one summary figure (``data-figure``)."""
    found = re.search(rf'data-figure="{key}">(.*?)</div>\s*</div>', page, re.S)
    assert found, key
    return found.group(1)


def row(page: str, label: str) -> list[str]:
    """The cells after the row header ``label`` in the first table row that has it."""
    header = re.escape(str(escape(label)))
    found = re.search(
        rf'<th scope="row" class="govuk-table__header">{header}</th>(.*?)</tr>', page, re.S
    )
    assert found, label
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def value_of(figure_html: str) -> str:
    found = re.search(r'app-summary-figure__value">(.*?)</p>', figure_html, re.S)
    assert found
    return found.group(1).strip()


@pytest.mark.parametrize("role", READERS)
def test_each_reader_sees_the_week_compared_with_the_week_before(
    client: FlaskClient, login_as: Callable[..., User], week: Week, role: Role
) -> None:
    login_as(role)
    page = page_of(client)
    three = "3" if role in POLICE else "&lt;5"
    assert "Monday 16 November 2026" in page and "Sunday 22 November 2026" in page
    assert "Monday 9 November 2026" in page and "Sunday 15 November 2026" in page
    assert value_of(section(page, "sightings")) == "9"
    assert value_of(section(page, "interventions")) == "6"
    assert value_of(section(page, "safe_space_uses")) == "6"
    assert row(page, "Staring") == ["7", three]
    assert row(page, "Distressed") == ["6", three]
    assert row(page, "Spoke to or warned them") == ["6", three]
    anchor = row(page, "The Anchor")
    assert anchor[:3] == ["7", three, three]
    assert "Repeat location" in anchor[3]
    # The Anchor has its own square and Neon another; the Neon one is no repeat location.
    assert page.count("govuk-tag--red") == 2  # the Anchor's venue row and its square
    if role in POLICE:
        assert row(page, "Neon")[:3] == ["2", "0", "1"]
        assert value_of(section(page, "dispersals")) == "1"
        assert value_of(section(page, "details_obtained")) == "1"
        assert row(page, "Wolf-whistling or cat-calling")[0] == "2"
        assert "Up 6 from 3 (+200%)" in section(page, "sightings")
    else:
        assert row(page, "Neon")[:3] == ["&lt;5", "0", "&lt;5"]
        assert value_of(section(page, "dispersals")) == "&lt;5"
        assert value_of(section(page, "details_obtained")) == "&lt;5"
        assert row(page, "Wolf-whistling or cat-calling")[0] == "&lt;5"
        assert "Too few to compare with the previous period" in section(page, "sightings")


def test_staring_and_its_label_come_from_the_taxonomy(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.OFFICER)
    page = page_of(client)
    figures = page[page.index('id="sightings-heading"') :]
    assert "aspb.staring" not in figures
    # The when grid: Monday night's 22:00, 23:00 and 01:00; Wednesday's 22:00 twice.
    heat = page[page.index('id="when-heading"') :]
    monday = row(heat, "Monday")
    hours = ["18", "19", "20", "21", "22", "23", "00", "01", "02", "03", "04", "05"]
    assert dict(zip(hours, monday, strict=True)) == {
        **dict.fromkeys(hours, "0"),
        "22": "1",
        "23": "1",
        "01": "1",
    }
    assert row(heat, "Wednesday")[4] == "2"


@pytest.mark.parametrize("role", NOT_POLICE)
def test_no_count_from_1_to_4_reaches_anyone_but_police(
    client: FlaskClient, login_as: Callable[..., User], week: Week, role: Role
) -> None:
    login_as(role)
    page = page_of(client)
    assert not SMALL_COUNT.findall(page), SMALL_COUNT.findall(page)
    assert "&lt;5" in page


def test_police_see_the_small_counts(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.INSPECTOR)
    page = page_of(client)
    assert SMALL_COUNT.findall(page)
    assert "&lt;5" not in page


@pytest.mark.parametrize("role", READERS)
def test_repeat_subjects_are_codes_that_change_every_time(
    client: FlaskClient, login_as: Callable[..., User], week: Week, role: Role
) -> None:
    login_as(role)
    first, second = page_of(client), page_of(client)
    codes = []
    for page in (first, second):
        table = page[page.index('data-table="repeat-subjects"') :]
        table = table[: table.index("</table>")]
        found = PSEUDONYM.findall(table)
        assert len(found) == 1
        codes.append(found[0])
        for canary in CANARIES:
            assert canary not in page
    assert codes[0] != codes[1]
    assert value_of(section(first, "repeat_subjects")) == ("1" if role in POLICE else "&lt;5")


def test_filters_narrow_the_figures(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.OFFICER)
    page = page_of(client, f"?range=this_week&venue={week.neon}")
    assert value_of(section(page, "sightings")) == "2"
    page = page_of(client, "?behaviour=aspb.staring")
    assert value_of(section(page, "sightings")) == "7"
    page = page_of(client, f"?area={week.quay}")
    assert value_of(section(page, "sightings")) == "0"
    # Orders are never filtered.
    assert value_of(section(page, "dispersals")) == "1"
    page = page_of(client, "?range=custom&from=2026-11-09&to=15/11/2026")
    assert value_of(section(page, "sightings")) == "3"
    assert "Monday 2 November 2026" in page
    page = page_of(client, "?range=last_4_weeks")
    assert value_of(section(page, "sightings")) == "12"


def test_the_page_and_its_filters_are_audited_once(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    analyst = login_as(Role.ANALYST)
    page_of(client, f"?range=last_week&area={week.wind_street}&behaviour=aspb.staring")
    (event,) = events(app, "report.viewed")
    assert event.actor_id == analyst.id
    assert event.details == {
        "range": "last_week",
        "first_night": "2026-11-09",
        "last_night": "2026-11-15",
        "area_id": week.wind_street,
        "venue_id": None,
        "behaviour": "aspb.staring",
        "path": "/reports/",
    }


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        (
            "?range=custom&from=2026-13-45&to=2026-11-22",
            "Enter the first night as a date",
            "2026-13-45",
        ),
        (
            "?range=custom&from=2026-11-22&to=2026-11-16",
            "The last night must be the same as or after",
            "2026-11-16",
        ),
        ("?range=custom&from=&to=2026-11-16", "Enter the first night", "2026-11-16"),
        ("?range=custom&from=0001-01-01&to=0001-01-02", "Enter the first night as", "0001-01-01"),
        ("?range=custom&from=2025-01-01&to=2026-11-16", "Choose 366 nights or fewer", "2025-01-01"),
        ("?range=fortnight", "Choose which nights to report on", "fortnight"),
        ("?area=999999", "Choose an area from the list", None),
        ("?venue=abc", "Choose a venue from the list", None),
        ("?behaviour=<b>bad</b>", "Choose a behaviour from the list", None),
    ],
)
def test_bad_input_is_explained_and_the_default_range_shown(
    client: FlaskClient,
    login_as: Callable[..., User],
    week: Week,
    query: str,
    message: str,
    kept: str | None,
) -> None:
    login_as(Role.OFFICER)
    page = page_of(client, query, status=400)
    assert "There is a problem" in page
    assert message in page
    assert "<title>Error:" in page
    if kept is not None and "range=custom" in query:
        assert f'value="{kept}"' in page
    assert "<b>bad</b>" not in page
    # The default range, unfiltered, still shows.
    assert "Monday 16 November 2026" in page
    assert value_of(section(page, "sightings")) == "9"


def test_export_links_carry_the_same_filters(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.ANALYST)
    page = page_of(client, f"?range=custom&from=2026-11-16&to=2026-11-22&venue={week.anchor}")
    args = f"range=custom&amp;from=2026-11-16&amp;to=2026-11-22&amp;venue={week.anchor}"
    for path in ("figures.csv", "figures.xlsx", "hotspots.geojson", "sightings.csv"):
        assert f'href="/reports/{path}?{args}"' in page


def test_coordinators_get_no_record_level_link(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.COORDINATOR)
    page = page_of(client)
    assert "/reports/figures.csv" in page
    assert "/reports/sightings.csv" not in page


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], role: Role
) -> None:
    login_as(role)
    assert client.get("/reports/").status_code == 403
    assert not events(app, "report.viewed")


def test_an_empty_period_shows_zeros_and_no_map(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.ANALYST)
    page = page_of(client)
    assert value_of(section(page, "sightings")) == "0"
    assert "No repeat subjects in this period." in page
    assert "data-map=" not in page


def test_hotspot_squares_are_drawn_on_the_map(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.ANALYST)
    page = page_of(client)
    assert "data-map=" in page and "leaflet.js" in page
    config = re.search(r"data-map='(.*?)'", page, re.S)
    assert config
    text = str(config.group(1))
    assert text.count('"Polygon"') == 2
    assert "&lt;5 sightings" in text or "\\u003c5 sightings" in text


def test_the_page_shows_the_busiest_squares_only(
    client: FlaskClient,
    login_as: Callable[..., User],
    week: Week,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("partnership.reports.present.SQUARES_ON_PAGE", 1)
    login_as(Role.OFFICER)
    page = page_of(client)
    assert "Showing the 1 busiest of 2 squares." in page
    config = re.search(r"data-map='(.*?)'", page, re.S)
    assert config and str(config.group(1)).count('"Polygon"') == 1
    squares = page[page.index("Centre (latitude, longitude)") :]
    assert row(squares, "51.6190, -3.9405")[0] == "7"
    assert "51.6210, -3.9375" not in squares


def test_reports_are_in_the_navigation_and_the_dashboard(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.ANALYST)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/reports/"' in dashboard
    assert 'href="/reports/"' in dashboard.split('data-panel="reports"')[1][:600]


def test_the_page_in_welsh(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.ANALYST)
    page = page_of(client, "?lang=cy")
    assert '<html lang="cy"' in page
    assert "Dydd Llun" in page  # the when grid's nights
    assert welsh(app, "Staring") in page
    assert "Monday 16 November 2026" not in page
    assert not SMALL_COUNT.findall(page)


def test_a_long_range_is_allowed_up_to_a_year(
    client: FlaskClient, login_as: Callable[..., User], week: Week
) -> None:
    login_as(Role.ANALYST)
    last = LAST
    first = last - timedelta(days=365)
    # Longer than a quarter: worked out as a run (tests/reports/test_runs.py).
    run = client.get(f"/reports/?range=custom&from={first.isoformat()}&to={last.isoformat()}")
    assert run.status_code == 303
    wait_for(client, run.headers["Location"], "done")
    page = client.get(run.headers["Location"]).get_data(as_text=True)
    assert value_of(section(page, "sightings")) == "12"
