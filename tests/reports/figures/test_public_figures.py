"""Anonymous public reports in the partnership report: counted by the night the person gave,
by behaviour and by place, on the map's squares beside the sightings, narrowed by the
filters, suppressed for everyone but police, and carried by the page, the exports and the
pack."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.exports import new_pseudonymiser
from partnership.extensions import db
from partnership.reports.figures import (
    Count,
    Filters,
    Period,
    PlaceCount,
    build_report,
)
from partnership.reports.present import present_report
from partnership.venues.models import Area, Venue
from tests.conftest import fix_clock
from tests.public.factories import add_public_report
from tests.reports.figures.test_figures import Builder, local, polygon
from tests.reports.test_pack import assert_all_in, text_of

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
WEEK = Period(date(2026, 6, 1), date(2026, 6, 7))  # the week before: 25 to 31 May
PIN = (51.6250, -3.9300)  # in Wind Street, at no venue


@dataclass
class Places:
    anchor: int
    wind_street: int


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fix_clock(monkeypatch, NOW, "partnership.reports.views", "partnership.reports.pack_views")


@pytest.fixture
def places(
    app: Flask, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> Iterator[Places]:
    officer = make_user(Role.OFFICER, make_org(OrgKind.POLICE, "Swansea Police"))
    premises = make_org(OrgKind.LICENSED_PREMISES, "Bars Ltd")
    with app.app_context():
        area = Area(name="Wind Street", geometry=polygon(-3.95, 51.61, -3.92, 51.63))
        anchor = Venue(
            organisation_id=premises.id, name="The Anchor", latitude=51.6197, longitude=-3.9405
        )
        db.session.add_all([area, anchor])
        db.session.flush()
        # One sighting at the Anchor: its square then has both sightings and public reports.
        author = db.session.get(User, officer.id)
        assert author is not None
        Builder(author).sighting(
            local(2026, 6, 2, 23, 0), ["aspb.staring"], "moved_away", "spoke_to", venue=anchor.id
        )
        db.session.commit()
        found = Places(anchor=anchor.id, wind_street=area.id)

    def report(night: date, behaviours: list[str], **where: object) -> None:
        add_public_report(app, night=night, behaviours=behaviours, **where)  # type: ignore[arg-type]

    at_anchor = {"venue_id": found.anchor, "area_id": found.wind_street}
    report(date(2026, 6, 1), ["assb.catcalling", "aspb.following"], **at_anchor)
    report(date(2026, 6, 3), ["assb.catcalling"], **at_anchor)
    report(date(2026, 6, 7), ["aspb.staring"], **at_anchor)  # the last night: in
    report(
        date(2026, 6, 5),
        ["aspb.following"],
        area_id=found.wind_street,
        latitude=PIN[0],
        longitude=PIN[1],
    )
    report(date(2026, 6, 6), ["other"], other_behaviour="Shouting")  # nowhere on the map
    report(date(2026, 5, 31), ["assb.catcalling"], **at_anchor)  # the week before
    report(date(2026, 6, 8), ["assb.catcalling"], **at_anchor)  # the week after: out
    report(date(2026, 5, 24), ["assb.catcalling"], **at_anchor)  # two weeks before: out
    yield found


def test_public_reports_by_night_behaviour_and_place(app: Flask, places: Places) -> None:
    with app.app_context():
        found = build_report(WEEK, now=NOW).public_reports
    assert found.total == Count(5, 1)
    assert found.by_behaviour["assb.catcalling"] == Count(2, 1)
    assert found.by_behaviour["aspb.following"] == Count(2, 0)
    assert found.by_behaviour["aspb.staring"] == Count(1, 0)
    assert found.by_behaviour["other"] == Count(1, 0)
    assert found.by_behaviour["aspb.filming"] == Count(0, 0)
    assert found.by_venue == (PlaceCount(places.anchor, "The Anchor", Count(3, 1)),)
    assert found.by_area == (PlaceCount(places.wind_street, "Wind Street", Count(4, 1)),)
    assert found.unplaced == Count(1, 0)


def test_public_reports_on_the_map_beside_sightings(app: Flask, places: Places) -> None:
    with app.app_context():
        squares = build_report(WEEK, now=NOW).hotspots.squares
    # The Anchor's square: its sighting and its public reports, listed once.
    anchor = [s for s in squares if s.south <= 51.6197 < s.north and s.west <= -3.9405 < s.east]
    assert len(anchor) == 1
    assert anchor[0].sightings == Count(1, 0)
    assert anchor[0].public_reports == Count(3, 1)
    # The pinned report's square has no sightings but is listed, after those that have.
    pinned = [s for s in squares if s.south <= PIN[0] < s.north and s.west <= PIN[1] < s.east]
    assert len(pinned) == 1
    assert pinned[0].sightings == Count(0, 0)
    assert pinned[0].public_reports == Count(1, 0)
    assert squares.index(pinned[0]) > squares.index(anchor[0])
    assert len(squares) == 2


@pytest.mark.parametrize(
    ("which", "expected"),
    [("venue", Count(3, 1)), ("area", Count(4, 1)), ("behaviour", Count(2, 0))],
)
def test_filters_narrow_public_reports(
    app: Flask, places: Places, which: str, expected: Count
) -> None:
    filters = {
        "venue": Filters(venue_id=places.anchor),
        "area": Filters(area_id=places.wind_street),
        "behaviour": Filters(behaviour="aspb.following"),
    }[which]
    with app.app_context():
        assert build_report(WEEK, filters, now=NOW).public_reports.total == expected


def test_small_counts_of_public_reports_are_hidden_from_all_but_police(
    app: Flask, places: Places
) -> None:
    with app.test_request_context():
        report = build_report(WEEK, now=NOW)
        analyst = present_report(report, Role.ANALYST, new_pseudonymiser())
        police = present_report(report, Role.OFFICER, new_pseudonymiser())
    assert (analyst.public_total.value, analyst.public_total.previous) == (5, "<5")
    assert (police.public_total.value, police.public_total.previous) == (5, 1)
    assert ("The Anchor (venue)", "<5", "<5") in analyst.public_places.rows
    assert ("The Anchor (venue)", 3, 1) in police.public_places.rows
    assert ("Wind Street (area)", 4, 1) in police.public_places.rows
    assert {row.public_reports for row in analyst.squares} == {"<5"}


def test_the_page_exports_and_pack_carry_public_reports(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    places: Places,
) -> None:
    login_as(Role.OFFICER)
    week = "?range=last_week"
    page = client.get(f"/reports/{week}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="public-heading"' in html
    assert "The Anchor (venue)" in html
    assert "chart-squares" in html  # the plan of the squares, drawn without JavaScript

    rows = list(csv.reader(io.StringIO(client.get(f"/reports/figures.csv{week}").text)))
    assert ["Anonymous public reports", "Anonymous public reports", "5", "1", ""] in rows
    assert ["Public reports by place", "Wind Street (area)", "4", "1", ""] in rows

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/figures.xlsx{week}").data))
    cells = [list(row) for row in workbook.active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    assert ["Public reports by what happened", "Following someone", 2, 0, None] in cells

    squares = json.loads(client.get(f"/reports/hotspots.geojson{week}").data)["features"]
    assert sorted(f["properties"]["public_reports"] for f in squares) == [1, 3]

    pdf = client.get(f"/reports/pack.pdf{week}")
    assert pdf.status_code == 200
    assert_all_in(
        text_of(pdf.data),
        "Anonymous public reports 5 1 +400%",
        "Following someone 2 0 new",
        "The Anchor (venue) 3 1 +200%",
        "Wind Street (area) 4 1 +300%",
        "not at a venue or in an area: 1",
    )
