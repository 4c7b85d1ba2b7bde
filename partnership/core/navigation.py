"""The navigation bar and the dashboard's panels, by role.

Features add their entries here; templates only draw what these functions return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup, escape

from partnership.core.enums import ALL_ROLES, Role
from partnership.core.lazy import lazy_gettext as _l

ADMINS = frozenset({Role.COORDINATOR, Role.ADMIN})
# Inspectors manage their own force's accounts (never a partnership manager).
ACCOUNT_MANAGERS = ADMINS | {Role.INSPECTOR}


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    roles: frozenset[Role]
    # Other endpoints under this item, so it shows as current on them too.
    prefix: str = ""
    # How many things wait there for the signed-in user, shown beside the label.
    waiting: Callable[[], int] | None = None


def _new_public_reports() -> int:
    from partnership.triage import service as triage

    return triage.new_count(current_user._get_current_object())


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("home.dashboard", _l("Dashboard"), ALL_ROLES),
    NavItem(
        "sightings.list_sightings",
        _l("Sightings"),
        frozenset({Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR}),
        prefix="/sightings",
    ),
    NavItem(
        "welfare.safe_space_uses",
        _l("Safe Space"),
        frozenset(
            {Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR}
        ),
        prefix="/welfare/safe-space",
    ),
    NavItem(
        "welfare.welfare_notes",
        _l("Welfare notes"),
        frozenset({Role.WELFARE, Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR}),
        prefix="/welfare/notes",
    ),
    NavItem(
        "subjects.search",
        _l("Red flags"),
        frozenset(
            {Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR}
        ),
        prefix="/subjects",
    ),
    NavItem(
        "orders.tonight",
        _l("Exclusions"),
        frozenset(
            {Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR}
        ),
        prefix="/orders",
    ),
    NavItem(
        "triage.queue",
        _l("Public reports"),
        frozenset({Role.OFFICER, Role.INSPECTOR}),
        prefix="/public-reports",
        waiting=_new_public_reports,
    ),
    NavItem(
        "reports.report",
        _l("Reports"),
        frozenset({Role.ANALYST, Role.COORDINATOR, Role.OFFICER, Role.INSPECTOR}),
        prefix="/reports",
    ),
    NavItem("admin.users", _l("Accounts"), ACCOUNT_MANAGERS, prefix="/admin/users"),
    NavItem("admin.organisations", _l("Organisations"), ADMINS, prefix="/admin/organisations"),
    NavItem("venues.venues", _l("Venues"), ADMINS, prefix="/venues"),
    NavItem("venues.areas", _l("Areas"), ADMINS, prefix="/venues/areas"),
    NavItem("admin.audit_log", _l("Audit log"), frozenset({Role.ADMIN}), prefix="/admin/audit"),
    NavItem(
        "subjects.access_request",
        _l("Subject access"),
        frozenset({Role.ADMIN}),
        prefix="/subjects/access-request",
    ),
    NavItem("auth.account", _l("Your account"), ALL_ROLES, prefix="/auth/account"),
)


def navigation(role: Role) -> list[dict[str, Any]]:
    """The items for a govukServiceNavigation, the current page marked: the one item whose
    address or prefix matches most of the path (/venues/areas is Areas, not Venues)."""
    items = []
    matched = []
    for item in NAV_ITEMS:
        if role not in item.roles:
            continue
        href = url_for(item.endpoint)
        exact = len(href) if request.path == href else 0
        prefixed = len(item.prefix) if item.prefix and request.path.startswith(item.prefix) else 0
        matched.append(max(exact, prefixed))
        waiting = item.waiting() if item.waiting is not None else 0
        if waiting:
            hidden = ngettext("%(num)d new", "%(num)d new", waiting)
            html = Markup(
                '{} <span class="app-badge" aria-hidden="true">{}</span>'
                '<span class="govuk-visually-hidden"> ({})</span>'
            ).format(item.label, waiting, escape(hidden))
            items.append({"href": href, "html": html, "current": False})
        else:
            items.append({"href": href, "text": str(item.label), "current": False})
    best = max(matched, default=0)
    for entry, length in zip(items, matched, strict=True):
        entry["current"] = best > 0 and length == best
    return items


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    body: Any
    roles: frozenset[Role]
    endpoint: str


FRONTLINE = frozenset({Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR})
POLICE = frozenset({Role.OFFICER, Role.INSPECTOR})

PANELS: tuple[Panel, ...] = (
    Panel(
        "log",
        _l("Log what you saw"),
        _l("Record concerning behaviour or a Safe Space use in under a minute."),
        FRONTLINE,
        endpoint="sightings.create",
    ),
    Panel(
        "welfare",
        _l("Welfare notes"),
        _l("Write a quick welfare note and hand someone over to another team."),
        frozenset({Role.WELFARE}),
        endpoint="welfare.welfare_notes",
    ),
    Panel(
        "exclusions",
        _l("Excluded tonight"),
        _l("People excluded from member venues, and active dispersal areas."),
        frozenset(
            {Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR}
        ),
        endpoint="orders.tonight",
    ),
    Panel(
        "red_flags",
        _l("Red flags"),
        _l("Notes about people whose behaviour worries the partnership."),
        FRONTLINE | {Role.COORDINATOR},
        endpoint="subjects.search",
    ),
    Panel(
        "orders",
        _l("Dispersal and directions"),
        _l("Section 34 authorisations and Section 35 directions, with printable notices."),
        POLICE,
        endpoint="orders.tonight",
    ),
    Panel(
        "triage",
        _l("Public reports to triage"),
        _l("Anonymous reports from the public waiting for review."),
        POLICE,
        endpoint="triage.queue",
    ),
    Panel(
        "reports",
        _l("Partnership reports"),
        _l("Hotspots, trends and the weekly meeting pack, exported as PDF, CSV and XLSX."),
        frozenset({Role.COORDINATOR, Role.ANALYST, Role.OFFICER, Role.INSPECTOR}),
        endpoint="reports.report",
    ),
    Panel(
        "accounts",
        _l("Accounts and organisations"),
        _l("Add members, change roles and deactivate accounts."),
        ADMINS,
        endpoint="admin.users",
    ),
    Panel(
        "force_accounts",
        _l("Your force's accounts"),
        _l("Add officers and police analysts, change roles and ranks, and deactivate accounts."),
        frozenset({Role.INSPECTOR}),
        endpoint="admin.users",
    ),
    Panel(
        "audit",
        _l("Audit log"),
        _l("Who looked at or changed what, and why."),
        frozenset({Role.ADMIN}),
        endpoint="admin.audit_log",
    ),
)


def dashboard_panels(role: Role) -> list[Panel]:
    return [p for p in PANELS if role in p.roles]
