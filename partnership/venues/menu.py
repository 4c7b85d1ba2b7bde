"""Venues and areas in the menu."""

from __future__ import annotations

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, contribute
from partnership.venues import bp

contribute(
    bp,
    items=[
        NavItem(110, "venues.venues", _l("Venues"), prefix="/venues"),
        NavItem(120, "venues.areas", _l("Areas"), prefix="/venues/areas"),
    ],
)
