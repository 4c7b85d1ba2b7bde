"""Accounts, organisations and the audit log in the menu and on the dashboard."""

from __future__ import annotations

from partnership.admin import bp
from partnership.admin.visibility import manages_own_force_only
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, Panel, contribute

contribute(
    bp,
    items=[
        NavItem(90, "admin.users", _l("Accounts"), prefix="/admin/users"),
        NavItem(100, "admin.organisations", _l("Organisations"), prefix="/admin/organisations"),
        NavItem(130, "admin.audit_log", _l("Audit log"), prefix="/admin/audit"),
    ],
    panels=[
        Panel(
            80,
            "accounts",
            _l("Accounts and organisations"),
            _l("Add members, change roles and deactivate accounts."),
            endpoint="admin.users",
            rule_of="admin.organisations",  # for those who manage organisations too
        ),
        Panel(
            90,
            "force_accounts",
            _l("Your force's accounts"),
            _l(
                "Add officers and police analysts, change roles and ranks, and deactivate accounts."
            ),
            endpoint="admin.users",
            shown_to=manages_own_force_only,
        ),
        Panel(
            100,
            "audit",
            _l("Audit log"),
            _l("Who looked at or changed what, and why."),
            endpoint="admin.audit_log",
        ),
    ],
)
