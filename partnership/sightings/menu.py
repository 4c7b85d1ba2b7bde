"""Sightings in the menu and on the dashboard."""

from __future__ import annotations

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, Panel, contribute
from partnership.sightings import bp

contribute(
    bp,
    items=[NavItem(20, "sightings.list_sightings", _l("Sightings"), prefix="/sightings")],
    panels=[
        Panel(
            10,
            "log",
            _l("Log what you saw"),
            _l("Record concerning behaviour or a Safe Space use in under a minute."),
            endpoint="sightings.create",
        )
    ],
)
