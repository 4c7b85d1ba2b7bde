"""The dashboard's entry in the menu."""

from __future__ import annotations

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, contribute
from partnership.home import bp

contribute(bp, items=[NavItem(10, "home.dashboard", _l("Dashboard"))])
