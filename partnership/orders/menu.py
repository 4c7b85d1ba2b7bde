"""Exclusions, dispersal and directions in the menu and on the dashboard."""

from __future__ import annotations

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, Panel, contribute
from partnership.orders import bp

contribute(
    bp,
    items=[NavItem(60, "orders.tonight", _l("Exclusions"), prefix="/orders")],
    panels=[
        Panel(
            30,
            "exclusions",
            _l("Excluded tonight"),
            _l("People excluded from member venues, and active dispersal areas."),
            endpoint="orders.tonight",
        ),
        Panel(
            50,
            "orders",
            _l("Dispersal and directions"),
            _l("Section 34 authorisations and Section 35 directions, with printable notices."),
            endpoint="orders.tonight",
            rule_of="orders.directions",  # for those who give directions
        ),
    ],
)
