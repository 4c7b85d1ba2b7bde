"""Maps: the tile server is optional, its host joins the Content-Security-Policy, and
the map data reaches the page as a data- attribute, never as inline script."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import User
from partnership.config import ConfigError
from partnership.core.enums import Role
from partnership.core.security import tile_source

OSM_STYLE = "https://{s}.tile.example.org/{z}/{x}/{y}.png"


def map_data(page: str) -> dict[str, Any]:
    found = re.search(r"data-map='([^']*)'", page)
    assert found, "no map on the page"
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


def sign_in_as_coordinator(app: Flask, make_user: Callable[..., User]) -> FlaskClient:
    client = app.test_client()
    user = make_user(Role.COORDINATOR)
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
    return client


@pytest.mark.parametrize(
    ("url", "source"),
    [
        (OSM_STYLE, "https://*.tile.example.org"),
        ("https://tiles.example.org:8443/osm/{z}/{x}/{y}.png", "https://tiles.example.org:8443"),
        ("http://127.0.0.1:8080/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_the_tile_host_is_what_the_policy_allows(url: str, source: str | None) -> None:
    assert tile_source(url) == source


@pytest.mark.parametrize(
    "url", ["ftp://tiles.example.org/{z}/{x}/{y}.png", "https://a.{s}.example.org/{z}", "tiles"]
)
def test_a_tile_url_the_policy_cannot_allow_stops_the_start(
    url: str, other_app: Callable[..., Flask]
) -> None:
    with pytest.raises(ConfigError, match="MAP_TILE_URL"):
        other_app(MAP_TILE_URL=url)


def test_without_tiles_the_map_still_has_its_shapes_and_markers(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.COORDINATOR)
    response = client.get("/venues/areas")
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy
    page = response.get_data(as_text=True)
    data = map_data(page)
    assert data["tiles"] is None and data["mode"] == "view"
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "/static/vendor/leaflet/leaflet.css" in page
    assert "/static/map.js" in page
    assert "<script>" not in page


def test_a_tile_server_is_allowed_by_the_policy_and_given_to_the_map(
    other_app: Callable[..., Flask], make_user: Callable[..., User]
) -> None:
    attribution = '&copy; <a href="https://example.org/copyright">Example</a>'
    app = other_app(MAP_TILE_URL=OSM_STYLE, MAP_TILE_ATTRIBUTION=attribution)
    client = sign_in_as_coordinator(app, make_user)
    response = client.get("/venues")
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tile.example.org;" in policy
    data = map_data(response.get_data(as_text=True))
    assert data["tiles"] == {"url": OSM_STYLE, "attribution": attribution}
