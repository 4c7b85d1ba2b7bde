"""Coordinators and administrators draw or paste areas; bad shapes are explained with
what was typed kept, nothing is saved, and every change is audited."""

from __future__ import annotations

import html
import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.extensions import db
from partnership.venues.models import Area
from tests.conftest import events
from tests.factories import SQUARE, make_area, polygon

LoginAs = Callable[..., User]

SMALLER = [[-3.945, 51.615], [-3.935, 51.615], [-3.935, 51.625], [-3.945, 51.615]]
BOW_TIE = [[-3.95, 51.61], [-3.93, 51.63], [-3.93, 51.61], [-3.95, 51.63], [-3.95, 51.61]]


def area_form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Kingsway zone",
        "description": "The Kingsway between Castle Street and Dillwyn Street.",
        "geometry": json.dumps(polygon(SQUARE)),
    }
    data.update(overrides)
    return data


def count_areas(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(Area.id))) or 0)


def test_a_coordinator_adds_an_area(app: Flask, client: FlaskClient, login_as: LoginAs) -> None:
    coordinator = login_as(Role.COORDINATOR)
    page = client.get("/venues/areas/new").get_data(as_text=True)
    assert 'data-map=\'{"areas": [], "mode": "polygon"' in page
    assert "Finish shape" in page and "<script>" not in page

    feature = {"type": "Feature", "properties": {}, "geometry": polygon(SQUARE[:-1])}
    response = client.post("/venues/areas/new", data=area_form(geometry=json.dumps(feature)))
    assert response.status_code == 302
    assert response.headers["Location"] == "/venues/areas"
    with app.app_context():
        area = db.session.scalar(select(Area))
        assert area is not None
        assert area.name == "Kingsway zone" and area.active
        assert area.geometry == polygon(SQUARE)  # the bare geometry, its ring closed
    (event,) = events(app, "area.created")
    assert event.actor_id == coordinator.id
    assert event.details["geometry"] == polygon(SQUARE)

    listing = client.get("/venues/areas").get_data(as_text=True)
    assert "Kingsway zone" in listing and "Kingsway zone is added." in listing


BAD_SHAPES = [
    ("", "Draw the area on the map, or paste its GeoJSON"),
    ('{"type": "Polygon", "coordinates": [[[-3.95, 51.61],', "The GeoJSON is not valid JSON"),
    (
        json.dumps({"type": "LineString", "coordinates": SQUARE}),
        "The area must be a Polygon or a MultiPolygon, not a LineString",
    ),
    (
        json.dumps(polygon(BOW_TIE)),
        "The area's outline crosses itself near latitude 51.62, longitude -3.94",
    ),
    (
        json.dumps(polygon([[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]])),
        "Every point of the area must be in the UK, and [2.35, 48.85] is not",
    ),
    (json.dumps(polygon(SQUARE[:2])), "The area needs at least 3 different points"),
]


@pytest.mark.parametrize(("geometry", "message"), BAD_SHAPES)
def test_a_bad_shape_is_explained_and_nothing_is_saved(
    app: Flask, client: FlaskClient, login_as: LoginAs, geometry: str, message: str
) -> None:
    login_as(Role.ADMIN)
    response = client.post("/venues/areas/new", data=area_form(geometry=geometry))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert message in page
    assert 'value="Kingsway zone"' in page
    assert f">{geometry}</textarea>" in page  # what was typed, to mend
    assert count_areas(app) == 0
    assert events(app, "area.created") == []


def test_a_duplicate_name_is_refused_in_any_case(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.COORDINATOR)
    make_area(app, "Kingsway Zone")
    response = client.post("/venues/areas/new", data=area_form(name="kingsway zone"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "An area with this name already exists" in page
    assert 'value="kingsway zone"' in page
    assert count_areas(app) == 1
    assert len(events(app, "area.created")) == 1  # the first one's only


def test_a_missing_name_is_explained(app: Flask, client: FlaskClient, login_as: LoginAs) -> None:
    login_as(Role.COORDINATOR)
    response = client.post("/venues/areas/new", data=area_form(name=""))
    assert response.status_code == 400
    assert "Enter the name of the area" in response.get_data(as_text=True)
    assert count_areas(app) == 0


def test_an_area_is_renamed_redrawn_and_deactivated(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    admin = login_as(Role.ADMIN)
    area_id = make_area(app)
    page = client.get(f"/venues/areas/{area_id}/edit").get_data(as_text=True)
    assert 'value="Wind Street zone"' in page
    assert f">{json.dumps(polygon(SQUARE))}</textarea>" in html.unescape(page)

    response = client.post(
        f"/venues/areas/{area_id}/edit",
        data=area_form(
            name="Wind Street",
            description="",
            geometry=json.dumps(polygon(SMALLER)),
            version="1",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        area = db.session.get(Area, area_id)
        assert area is not None
        assert (area.name, area.active, area.geometry) == ("Wind Street", False, polygon(SMALLER))
    (event,) = events(app, "area.updated")
    assert event.actor_id == admin.id and event.object_id == str(area_id)
    assert event.details["changes"] == {
        "name": ["Wind Street zone", "Wind Street"],
        "geometry": [polygon(SQUARE), polygon(SMALLER)],
        "active": [True, False],
    }


def test_an_area_keeps_its_own_name_but_not_anothers(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.COORDINATOR)
    area_id = make_area(app, "Wind Street zone")
    make_area(app, "Kingsway zone", SMALLER)
    same = area_form(name="Wind Street zone", description="Now described", active="y", version="1")
    assert client.post(f"/venues/areas/{area_id}/edit", data=same).status_code == 302
    (event,) = events(app, "area.updated")
    assert event.details["changes"] == {"description": ["", "Now described"]}

    taken = area_form(name="KINGSWAY ZONE", active="y", version="2")
    response = client.post(f"/venues/areas/{area_id}/edit", data=taken)
    assert response.status_code == 400
    assert "An area with this name already exists" in response.get_data(as_text=True)
    with app.app_context():
        area = db.session.get(Area, area_id)
        assert area is not None and area.name == "Wind Street zone"
    assert len(events(app, "area.updated")) == 1


@pytest.mark.parametrize(("geometry", "message"), BAD_SHAPES[2:4])
def test_a_bad_redraw_changes_nothing(
    app: Flask, client: FlaskClient, login_as: LoginAs, geometry: str, message: str
) -> None:
    login_as(Role.COORDINATOR)
    area_id = make_area(app)
    response = client.post(
        f"/venues/areas/{area_id}/edit", data=area_form(geometry=geometry, active="y")
    )
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        area = db.session.get(Area, area_id)
        assert area is not None and area.geometry == polygon(SQUARE)
        assert area.name == "Wind Street zone"
    assert events(app, "area.updated") == []


def test_an_unknown_area_is_not_found(client: FlaskClient, login_as: LoginAs) -> None:
    login_as(Role.COORDINATOR)
    assert client.get("/venues/areas/999999/edit").status_code == 404
