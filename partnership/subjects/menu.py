"""Red flags and subject access in the menu and on the dashboard."""

from __future__ import annotations

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, Panel, contribute
from partnership.subjects import bp
from partnership.subjects.visibility import is_disclosure_officer

contribute(
    bp,
    items=[
        NavItem(50, "subjects.search", _l("Red flags"), prefix="/subjects"),
        NavItem(
            140,
            "subjects.access_request",
            _l("Subject access"),
            prefix="/subjects/access-request",
            shown_to=is_disclosure_officer,  # police reach it from a red flag's page
        ),
    ],
    panels=[
        Panel(
            40,
            "red_flags",
            _l("Red flags"),
            _l("Notes about people whose behaviour worries the partnership."),
            endpoint="subjects.search",
        )
    ],
)
