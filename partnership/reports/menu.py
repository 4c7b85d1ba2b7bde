"""The partnership report in the menu and on the dashboard."""

from __future__ import annotations

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, Panel, contribute
from partnership.reports import bp

contribute(
    bp,
    items=[NavItem(80, "reports.report", _l("Reports"), prefix="/reports")],
    panels=[
        Panel(
            70,
            "reports",
            _l("Partnership reports"),
            _l("Hotspots, trends and the weekly meeting pack, exported as PDF, CSV and XLSX."),
            endpoint="reports.report",
        )
    ],
)
