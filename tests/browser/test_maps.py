"""The venue and area maps in Chromium: clicking sets a venue's point, clicking corners
draws an area into the GeoJSON box, and without JavaScript the fields still do the work.
check_page fails on any console error, so a Content-Security-Policy violation fails too."""

from __future__ import annotations

import json
import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from partnership.demo import DEMO_PASSWORD

from .conftest import DESKTOP, PHONE, Authenticator, Browsing
from .test_pages import COORDINATOR, CheckPage, path_is, sign_in

pytestmark = pytest.mark.browser

MAP = ".app-map"


def click_map(page: Page, x: int, y: int) -> None:
    page.locator(MAP).click(position={"x": x, "y": y})


def test_clicking_corners_draws_an_area_that_saves(
    browsing: Browsing, authenticator: Authenticator, check_page: CheckPage
) -> None:
    page = browsing.new_page(viewport=DESKTOP)
    sign_in(page, COORDINATOR, DEMO_PASSWORD, authenticator, check_page)
    page.goto("/venues/areas/new?lang=en")
    expect(page.locator("[data-map-panel]")).to_be_visible()
    check_page(page)

    name = f"Drawn zone {secrets.token_hex(3)}"
    page.get_by_label("Name of the area").fill(name)
    finish = page.get_by_role("button", name="Finish shape")
    status = page.locator("[data-map-status]")
    geometry = page.locator("#geometry")

    click_map(page, 200, 120)
    click_map(page, 420, 140)
    finish.click()
    expect(status).to_contain_text("at least 3 corners")
    expect(geometry).to_have_value("")

    click_map(page, 320, 300)
    click_map(page, 150, 260)
    page.get_by_role("button", name="Undo last corner").click()
    finish.click()
    expect(status).to_contain_text("The shape is in the GeoJSON box")
    drawn = json.loads(geometry.input_value())
    assert drawn["type"] == "Polygon"
    (ring,) = drawn["coordinates"]
    assert len(ring) == 4 and ring[0] == ring[-1]
    for longitude, latitude in ring:
        assert 51.5 < latitude < 51.7 and -4.1 < longitude < -3.8, ring
    check_page(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(path_is("/venues/areas"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(name)
    expect(page.get_by_role("link", name=name)).to_be_visible()
    check_page(page)


def test_clear_empties_the_shape(
    browsing: Browsing, authenticator: Authenticator, check_page: CheckPage
) -> None:
    page = browsing.new_page(viewport=PHONE)
    sign_in(page, COORDINATOR, DEMO_PASSWORD, authenticator, check_page)
    page.goto("/venues/areas?lang=en")
    with page.expect_navigation():
        page.locator("main table a").first.click()
    geometry = page.locator("#geometry")
    assert json.loads(geometry.input_value())["type"] == "Polygon"
    page.get_by_role("button", name="Clear").click()
    expect(geometry).to_have_value("")
    expect(page.locator("[data-map-status]")).to_contain_text("The shape is cleared")
    check_page(page)


def test_clicking_the_map_sets_a_venues_location(
    browsing: Browsing, authenticator: Authenticator, check_page: CheckPage
) -> None:
    page = browsing.new_page(viewport=PHONE)
    sign_in(page, COORDINATOR, DEMO_PASSWORD, authenticator, check_page)
    page.goto("/venues/new?lang=en")
    latitude, longitude = page.locator("#latitude"), page.locator("#longitude")
    expect(latitude).to_have_value("")
    click_map(page, 150, 100)
    expect(latitude).to_have_value(re.compile(r"^51\.\d{6}$"))
    expect(longitude).to_have_value(re.compile(r"^-3\.\d{6}$"))
    expect(page.locator("[data-map-status]")).to_contain_text("filled in from the map")
    check_page(page)


def test_without_javascript_the_fields_do_the_work(
    browsing: Browsing, authenticator: Authenticator, check_page: CheckPage
) -> None:
    page = browsing.new_page(viewport=PHONE, javascript=False)
    sign_in(page, COORDINATOR, DEMO_PASSWORD, authenticator, check_page)
    page.goto("/venues/areas/new?lang=en")
    expect(page.locator("[data-map-panel]")).to_be_hidden()
    expect(page.locator("#geometry")).to_be_visible()
    check_page(page)

    page.get_by_label("Name of the area").fill(f"Typed zone {secrets.token_hex(3)}")
    page.locator("#geometry").fill('{"type": "LineString", "coordinates": [[-3.94, 51.62]]}')
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("must be a Polygon or a MultiPolygon, not a LineString")
    expect(page.locator("#geometry")).to_have_value(
        '{"type": "LineString", "coordinates": [[-3.94, 51.62]]}'
    )
    check_page(page)
