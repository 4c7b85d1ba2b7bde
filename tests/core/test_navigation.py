"""The menu and the dashboard's panels each role sees: exactly these entries, in this order.

Written against the menu as it was when every entry listed its roles in core, so that
features contributing their own entries (each shown by its view's access rule) is seen
to change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from partnership.auth.models import User
from partnership.core.enums import Role

Menu = list[tuple[str, str, bool]]

DASHBOARD = ("/dashboard", "Dashboard")
SIGHTINGS = ("/sightings/", "Sightings")
SAFE_SPACE = ("/welfare/safe-space/", "Safe Space")
WELFARE_NOTES = ("/welfare/notes/", "Welfare notes")
RED_FLAGS = ("/subjects/", "Red flags")
EXCLUSIONS = ("/orders/tonight", "Exclusions")
PUBLIC_REPORTS = ("/public-reports/", "Public reports")
REPORTS = ("/reports/", "Reports")
ACCOUNTS = ("/admin/users", "Accounts")
ORGANISATIONS = ("/admin/organisations", "Organisations")
VENUES = ("/venues", "Venues")
AREAS = ("/venues/areas", "Areas")
AUDIT_LOG = ("/admin/audit", "Audit log")
SUBJECT_ACCESS = ("/subjects/access-request", "Subject access")
YOUR_ACCOUNT = ("/auth/account", "Your account")

MENUS: dict[Role, list[tuple[str, str]]] = {
    Role.PREMISES_STAFF: [DASHBOARD, SIGHTINGS, SAFE_SPACE, RED_FLAGS, EXCLUSIONS, YOUR_ACCOUNT],
    Role.WELFARE: [
        DASHBOARD,
        SIGHTINGS,
        SAFE_SPACE,
        WELFARE_NOTES,
        RED_FLAGS,
        EXCLUSIONS,
        YOUR_ACCOUNT,
    ],
    Role.OFFICER: [
        DASHBOARD,
        SIGHTINGS,
        SAFE_SPACE,
        WELFARE_NOTES,
        RED_FLAGS,
        EXCLUSIONS,
        PUBLIC_REPORTS,
        REPORTS,
        YOUR_ACCOUNT,
    ],
    Role.INSPECTOR: [
        DASHBOARD,
        SIGHTINGS,
        SAFE_SPACE,
        WELFARE_NOTES,
        RED_FLAGS,
        EXCLUSIONS,
        PUBLIC_REPORTS,
        REPORTS,
        ACCOUNTS,
        YOUR_ACCOUNT,
    ],
    Role.COORDINATOR: [
        DASHBOARD,
        SAFE_SPACE,
        WELFARE_NOTES,
        RED_FLAGS,
        EXCLUSIONS,
        REPORTS,
        ACCOUNTS,
        ORGANISATIONS,
        VENUES,
        AREAS,
        YOUR_ACCOUNT,
    ],
    Role.ANALYST: [DASHBOARD, REPORTS, YOUR_ACCOUNT],
    Role.ADMIN: [
        DASHBOARD,
        ACCOUNTS,
        ORGANISATIONS,
        VENUES,
        AREAS,
        AUDIT_LOG,
        SUBJECT_ACCESS,
        YOUR_ACCOUNT,
    ],
}

LOG = ("log", "/sightings/new", "Log what you saw")
WELFARE = ("welfare", "/welfare/notes/", "Welfare notes")
EXCLUDED = ("exclusions", "/orders/tonight", "Excluded tonight")
FLAGS = ("red_flags", "/subjects/", "Red flags")
ORDERS = ("orders", "/orders/tonight", "Dispersal and directions")
TRIAGE = ("triage", "/public-reports/", "Public reports to triage")
PARTNERSHIP_REPORTS = ("reports", "/reports/", "Partnership reports")
ACCOUNTS_PANEL = ("accounts", "/admin/users", "Accounts and organisations")
FORCE_ACCOUNTS = ("force_accounts", "/admin/users", "Your force's accounts")
AUDIT = ("audit", "/admin/audit", "Audit log")

PANELS: dict[Role, list[tuple[str, str, str]]] = {
    Role.PREMISES_STAFF: [LOG, EXCLUDED, FLAGS],
    Role.WELFARE: [LOG, WELFARE, EXCLUDED, FLAGS],
    Role.OFFICER: [LOG, EXCLUDED, FLAGS, ORDERS, TRIAGE, PARTNERSHIP_REPORTS],
    Role.INSPECTOR: [LOG, EXCLUDED, FLAGS, ORDERS, TRIAGE, PARTNERSHIP_REPORTS, FORCE_ACCOUNTS],
    Role.COORDINATOR: [EXCLUDED, FLAGS, PARTNERSHIP_REPORTS, ACCOUNTS_PANEL],
    Role.ANALYST: [PARTNERSHIP_REPORTS],
    Role.ADMIN: [ACCOUNTS_PANEL, AUDIT],
}


def menu_of(page: str) -> Menu:
    """The menu's entries: address, words and whether it is marked as the current page."""
    start = page.index('<ul class="govuk-service-navigation__list"')
    block = page[start : page.index("</ul>", start)]
    entries = []
    for item in block.split("<li ")[1:]:
        opening, rest = item.split(">", 1)
        href = re.search(r'href="([^"]+)"', rest)
        assert href is not None
        words = " ".join(re.sub(r"<[^>]+>", " ", rest).split())
        entries.append((href.group(1), words, "--active" in opening))
    return entries


def panels_of(page: str) -> list[tuple[str, str, str]]:
    """The dashboard's panels: key, address of its heading's link, and its title."""
    return [
        (key, href, title.strip())
        for key, href, title in re.findall(
            r'data-panel="([^"]+)">\s*<h2[^>]*>\s*<a class="govuk-link" href="([^"]+)">([^<]*)</a>',
            page,
        )
    ]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_sees_its_menu_and_panels(
    client: FlaskClient, login_as: Callable[..., User], role: Role
) -> None:
    login_as(role)
    page = client.get("/dashboard").get_data(as_text=True)
    assert menu_of(page) == [(href, words, href == "/dashboard") for href, words in MENUS[role]]
    assert panels_of(page) == PANELS[role]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/venues/areas", "/venues/areas"),  # the longest prefix wins: Areas, not Venues
        ("/venues/new", "/venues"),
        ("/welfare/notes/", "/welfare/notes/"),
        ("/welfare/safe-space/", "/welfare/safe-space/"),
        ("/admin/users/new", "/admin/users"),
        ("/auth/account", "/auth/account"),
    ],
)
def test_the_current_page_is_the_entry_matching_most_of_the_address(
    client: FlaskClient, login_as: Callable[..., User], path: str, current: str
) -> None:
    login_as(Role.COORDINATOR)
    page = client.get(path)
    assert page.status_code == 200
    marked = [href for href, _words, active in menu_of(page.get_data(as_text=True)) if active]
    assert marked == [current]


def test_the_menu_and_panels_are_in_welsh(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.COORDINATOR)
    page = client.get("/dashboard?lang=cy").get_data(as_text=True)
    words = [w for _href, w, _active in menu_of(page)]
    assert "Dashboard" not in words
    assert len(words) == len(MENUS[Role.COORDINATOR])
    assert [key for key, _href, _title in panels_of(page)] == [
        key for key, _href, _title in PANELS[Role.COORDINATOR]
    ]
