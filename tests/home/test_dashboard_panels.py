"""The dashboard by role: orders in force for police, this week against last week for the
coordinator and analyst, neither for bar and door staff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.home.service import DASHBOARD_ORDERS, this_week
from partnership.venues.models import Venue
from tests.conftest import sign_in, welsh
from tests.home.test_dashboard import add_records
from tests.orders.factories import add_authorisation, add_breach, add_direction, add_notice
from tests.subjects.factories import add_subject

# Saturday 00:45 GMT: the night of Friday 27 November, in the week of Monday 23 November.
NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("partnership.home.views.utcnow", lambda: NOW)


def section(page: str, heading_id: str) -> str:
    """The text of one section of the dashboard, from its heading to the section's end."""
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_police_see_the_orders_in_force(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_venue: Callable[..., Venue],
) -> None:
    officer = make_user(Role.OFFICER)
    venue = make_venue(make_org(OrgKind.LICENSED_PREMISES, "Anchor Ltd"), "The Anchor Bar")
    in_force = add_authorisation(app, NOW - timedelta(hours=2), NOW + timedelta(hours=5))
    ended = add_authorisation(
        app,
        NOW - timedelta(hours=6),
        NOW + timedelta(hours=5),
        ended_at=NOW - timedelta(hours=1),
        reference="S34-2026-ENDED",
    )
    active = add_direction(
        app, in_force, NOW - timedelta(minutes=30), NOW + timedelta(hours=20), reference="S35-NOW"
    )
    old = add_direction(
        app, ended, NOW - timedelta(hours=6), NOW - timedelta(hours=1), reference="S35-OLD"
    )
    add_direction(
        app,
        in_force,
        NOW - timedelta(minutes=40),
        NOW + timedelta(hours=20),
        reference="S35-WITHDRAWN",
        withdrawn_at=NOW - timedelta(minutes=10),
    )
    subject_id, _reference = add_subject(app, officer)
    notice = add_notice(
        app, subject_id, [venue], date(2026, 11, 1), date(2027, 2, 1), reference="PEN-NOW"
    )
    add_notice(
        app, subject_id, [venue], date(2026, 5, 1), date(2026, 8, 1), reference="PEN-EXPIRED"
    )
    add_breach(app, officer.organisation_id, NOW - timedelta(days=2), direction_id=old)
    add_breach(app, officer.organisation_id, NOW - timedelta(days=9), notice_id=notice)

    sign_in(client, officer)
    page = client.get("/dashboard").get_data(as_text=True)
    orders = section(page, "orders-heading")
    assert "1 dispersal authorisation in force now" in orders
    assert f"/orders/authorisations/{in_force}" in orders
    assert "S34-2026-ENDED" not in orders
    assert "1 direction active now" in orders
    assert f"/orders/directions/{active}" in orders and "S35-NOW" in orders
    assert "S35-WITHDRAWN" not in orders
    assert "1 partnership notice active today" in orders
    assert f"/orders/notices/{notice}" in orders and "PEN-EXPIRED" not in orders
    # The breach two days ago counts; the one nine days ago does not.
    assert "1 breach in the last 7 days" in orders
    assert f"/orders/directions/{old}" in orders and "S35-OLD" in orders
    assert "/orders/tonight" in orders
    assert 'id="week-heading"' not in page


def test_police_lists_are_counted_in_full_but_short(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    officer = make_user(Role.INSPECTOR)
    authorisation = add_authorisation(app, NOW - timedelta(hours=2), NOW + timedelta(hours=5))
    for number in range(DASHBOARD_ORDERS + 2):
        add_direction(
            app,
            authorisation,
            NOW - timedelta(minutes=30),
            NOW + timedelta(hours=10 + number),
            reference=f"S35-MANY-{number:02d}",
        )
    sign_in(client, officer)
    orders = section(client.get("/dashboard").get_data(as_text=True), "orders-heading")
    assert f"{DASHBOARD_ORDERS + 2} directions active now" in orders
    assert orders.count("S35-MANY-") == DASHBOARD_ORDERS
    assert "S35-MANY-00" in orders and f"S35-MANY-{DASHBOARD_ORDERS + 1:02d}" not in orders


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ANALYST])
def test_coordinator_and_analyst_see_this_week_against_last_week(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_venue: Callable[..., Venue],
    role: Role,
) -> None:
    org = make_org(OrgKind.LICENSED_PREMISES, "Anchor Ltd")
    staff = make_user(Role.PREMISES_STAFF, org)
    venue = make_venue(org, "The Anchor Bar")
    for number in range(2):  # this week: 2 sightings and 2 Safe Space uses
        add_records(app, staff, venue, NOW - timedelta(minutes=20 + number), f"now{number}")
    for number in range(6):  # last week: 6 of each
        add_records(app, staff, venue, NOW - timedelta(days=7, minutes=number), f"before{number}")

    sign_in(client, make_user(role))
    page = client.get("/dashboard").get_data(as_text=True)
    week = section(page, "week-heading")
    sightings = week.split('data-figure="sightings"')[1].split("data-figure=")[0]
    assert "&lt;5" in sightings and "Last week: 6" in sightings
    assert "Too few to compare with the previous period" in sightings
    uses = week.split('data-figure="safe_space_uses"')[1].split("data-figure=")[0]
    assert "&lt;5" in uses and "Last week: 6" in uses
    dispersals = week.split('data-figure="dispersals"')[1]
    assert "Last week: 0" in dispersals
    assert "/reports/" in week
    assert 'id="orders-heading"' not in page

    # Police would see the numbers themselves, and how they moved.
    with app.test_request_context():
        _period, police = this_week(Role.OFFICER.value, NOW)
        _period, others = this_week(role.value, NOW)
    shown = {figure.key: (figure.value, figure.previous) for figure in police}
    assert shown["sightings"] == (2, 6) and shown["safe_space_uses"] == (2, 6)
    assert police[0].movement["direction"] == "down"
    assert {figure.key: figure.value for figure in others}["sightings"] == "<5"


def test_premises_staff_see_neither_section(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    officer = make_user(Role.OFFICER)
    authorisation = add_authorisation(app, NOW - timedelta(hours=2), NOW + timedelta(hours=5))
    add_direction(app, authorisation, NOW - timedelta(minutes=30), NOW + timedelta(hours=20))
    assert officer.id
    sign_in(client, make_user(Role.PREMISES_STAFF))
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="tonight-heading"' in page
    assert 'id="orders-heading"' not in page and 'id="week-heading"' not in page
    assert "S35-" not in page


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COORDINATOR])
def test_the_dashboard_renders_in_welsh(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], role: Role
) -> None:
    authorisation = add_authorisation(app, NOW - timedelta(hours=2), NOW + timedelta(hours=5))
    add_direction(app, authorisation, NOW - timedelta(minutes=30), NOW + timedelta(hours=20))
    sign_in(client, make_user(role))
    client.get("/language/cy")
    response = client.get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert welsh(app, "Dashboard") in page
    assert 'id="orders-heading"' in page or 'id="week-heading"' in page
