"""Public reports to triage in the menu, with how many are new, and on the dashboard."""

from __future__ import annotations

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, Panel, contribute
from partnership.triage import bp
from partnership.triage.service import new_count

contribute(
    bp,
    items=[
        NavItem(
            70,
            "triage.queue",
            _l("Public reports"),
            prefix="/public-reports",
            waiting=new_count,
        )
    ],
    panels=[
        Panel(
            60,
            "triage",
            _l("Public reports to triage"),
            _l("Anonymous reports from the public waiting for review."),
            endpoint="triage.queue",
        )
    ],
)
