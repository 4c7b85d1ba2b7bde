"""Coordinators and administrators add, change and deactivate venues; every change is
audited and every bad input explained, with what was typed kept and nothing saved."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from partnership.venues.models import Venue
from tests.conftest import events
from tests.factories import make_venue

MakeOrg = Callable[..., Organisation]
LoginAs = Callable[..., User]


def venue_form(org: Organisation, **overrides: str | None) -> dict[str, str]:
    data: dict[str, str | None] = {
        "name": "The Quay Tavern",
        "organisation_id": str(org.id),
        "address": "1 Wind Street, Swansea",
        "postcode": "sa1 1dp",
        "latitude": "51.6197",
        "longitude": "-3.9405",
        "licence_number": "PL/SWA/0001",
        "has_safe_space": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count_venues(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(Venue.id))) or 0)


def castle_lounge(app: Flask, org: Organisation, name: str = "Castle Lounge") -> int:
    """A venue without a Safe Space, on Wind Street."""
    venue = make_venue(
        app,
        org,
        name,
        safe_space=False,
        address="3 Wind Street, Swansea",
        latitude=51.6205,
        longitude=-3.9410,
        licence_number="PL/SWA/0387",
    )
    return venue.id


def test_a_coordinator_adds_a_venue(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_org: MakeOrg
) -> None:
    coordinator = login_as(Role.COORDINATOR)
    premises = make_org(OrgKind.LICENSED_PREMISES, "The Quay Tavern Ltd")
    page = client.get("/venues/new").get_data(as_text=True)
    assert "The Quay Tavern Ltd" in page
    assert "data-map=" in page and "<script>" not in page

    response = client.post("/venues/new", data=venue_form(premises))
    assert response.status_code == 302
    assert response.headers["Location"] == "/venues"
    with app.app_context():
        venue = db.session.scalar(select(Venue))
        assert venue is not None
        assert (venue.name, venue.postcode, venue.organisation_id) == (
            "The Quay Tavern",
            "SA1 1DP",
            premises.id,
        )
        assert (venue.latitude, venue.longitude) == (51.6197, -3.9405)
        assert venue.has_safe_space and venue.active
        assert venue.licence_number == "PL/SWA/0001"
    (event,) = events(app, "venue.created")
    assert event.actor_id == coordinator.id
    assert event.details["postcode"] == "SA1 1DP"

    listing = client.get("/venues").get_data(as_text=True)
    assert "The Quay Tavern" in listing and "The Quay Tavern is added." in listing


def test_only_licensed_premises_are_offered(
    client: FlaskClient, login_as: LoginAs, make_org: MakeOrg
) -> None:
    login_as(Role.ADMIN)
    make_org(OrgKind.LICENSED_PREMISES, "Offered Bar")
    make_org(OrgKind.STREET_PASTORS, "Not Offered Pastors")
    page = client.get("/venues/new").get_data(as_text=True)
    assert "Offered Bar" in page and "Not Offered Pastors" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter the name of the venue"),
        ({"address": ""}, "Enter the venue's address"),
        ({"postcode": ""}, "Enter the venue's postcode"),
        ({"postcode": "SA1 1D"}, "Enter a real UK postcode, like SA1 1DP"),
        ({"postcode": "90210"}, "Enter a real UK postcode, like SA1 1DP"),
        ({"latitude": ""}, "Enter the latitude of the venue"),
        ({"latitude": "fifty-one"}, "Enter the latitude as a number, like 51.6197"),
        ({"longitude": "nan"}, "Enter the longitude as a number, like -3.9405"),
        ({"latitude": "48.8566", "longitude": "2.3522"}, "The location must be in the UK"),
        ({"latitude": "-3.9405", "longitude": "51.6197"}, "The location must be in the UK"),
        ({"organisation_id": ""}, "Choose the organisation that runs the venue"),
        ({"organisation_id": "999999"}, "Choose a licensed premises organisation"),
        ({"licence_number": "x" * 61}, "Licence number must be 60 characters or fewer"),
    ],
)
def test_bad_venue_input_is_explained_and_nothing_is_saved(
    app: Flask,
    client: FlaskClient,
    login_as: LoginAs,
    make_org: MakeOrg,
    overrides: dict[str, str],
    message: str,
) -> None:
    login_as(Role.COORDINATOR)
    premises = make_org(OrgKind.LICENSED_PREMISES)
    data = venue_form(premises, **overrides)
    response = client.post("/venues/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html.unescape(page)
    assert "There is a problem" in page
    for field in ("name", "postcode", "latitude", "longitude"):
        if data[field]:
            assert f'value="{escape(data[field])}"' in page, field
    assert count_venues(app) == 0
    assert events(app, "venue.created") == []


def test_a_venue_must_belong_to_a_licensed_premises(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_org: MakeOrg
) -> None:
    login_as(Role.COORDINATOR)
    police = make_org(OrgKind.POLICE)
    response = client.post("/venues/new", data=venue_form(police))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose a licensed premises organisation: venues belong to one" in page
    assert 'value="The Quay Tavern"' in page
    assert count_venues(app) == 0


def test_a_venue_is_changed_and_deactivated(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_org: MakeOrg
) -> None:
    admin = login_as(Role.ADMIN)
    premises = make_org(OrgKind.LICENSED_PREMISES)
    venue_id = castle_lounge(app, premises)
    page = client.get(f"/venues/{venue_id}/edit").get_data(as_text=True)
    assert 'value="Castle Lounge"' in page and 'value="51.6205"' in page
    assert "PL/SWA/0387" in page

    # Unticked boxes are not sent: the venue stops being active and gets a Safe Space.
    data = venue_form(
        premises, name="Castle Lounge", postcode="sa1 1eb", latitude="51.6205", longitude="-3.941"
    )
    data["address"] = "3 Wind Street, Swansea"
    data["licence_number"] = "PL/SWA/0387"
    data["version"] = "1"  # the version the page was opened on
    response = client.post(f"/venues/{venue_id}/edit", data=data)
    assert response.status_code == 302
    with app.app_context():
        venue = db.session.get(Venue, venue_id)
        assert venue is not None
        assert (venue.postcode, venue.has_safe_space, venue.active) == ("SA1 1EB", True, False)
    (event,) = events(app, "venue.updated")
    assert event.actor_id == admin.id and event.object_id == str(venue_id)
    assert event.details["changes"] == {
        "postcode": ["SA1 1DP", "SA1 1EB"],
        "has_safe_space": [False, True],
        "active": [True, False],
    }
    listing = client.get("/venues").get_data(as_text=True)
    assert "Inactive" in listing


def test_saving_a_venue_unchanged_writes_no_audit_event(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_org: MakeOrg
) -> None:
    login_as(Role.COORDINATOR)
    premises = make_org(OrgKind.LICENSED_PREMISES)
    venue_id = castle_lounge(app, premises)
    data = venue_form(
        premises,
        name="Castle Lounge",
        address="3 Wind Street, Swansea",
        postcode="SA1 1DP",
        latitude="51.6205",
        longitude="-3.9410",
        licence_number="PL/SWA/0387",
        has_safe_space=None,  # an unticked box is not sent
        active="y",
        version="1",
    )
    assert client.post(f"/venues/{venue_id}/edit", data=data).status_code == 302
    assert events(app, "venue.updated") == []


def test_a_bad_edit_changes_nothing(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_org: MakeOrg
) -> None:
    login_as(Role.COORDINATOR)
    premises = make_org(OrgKind.LICENSED_PREMISES)
    welfare = make_org(OrgKind.WELFARE)
    venue_id = castle_lounge(app, premises)
    response = client.post(
        f"/venues/{venue_id}/edit",
        data=venue_form(welfare, name="Renamed", latitude="55.0", longitude="5.0"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The location must be in the UK" in page
    assert "Choose a licensed premises organisation" in page
    assert 'value="Renamed"' in page
    with app.app_context():
        venue = db.session.get(Venue, venue_id)
        assert venue is not None and venue.name == "Castle Lounge"
    assert events(app, "venue.updated") == []


def test_an_unknown_venue_is_not_found(client: FlaskClient, login_as: LoginAs) -> None:
    login_as(Role.COORDINATOR)
    assert client.get("/venues/999999/edit").status_code == 404


def test_names_reach_the_map_as_data_not_markup(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_org: MakeOrg
) -> None:
    login_as(Role.COORDINATOR)
    premises = make_org(OrgKind.LICENSED_PREMISES)
    castle_lounge(app, premises, name="<script>alert('x')</script>")
    page = client.get("/venues").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "\\u003cscript\\u003ealert(\\u0027x\\u0027)" in page
