"""Safe Space uses and welfare notes in the menu and on the dashboard."""

from __future__ import annotations

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, Panel, contribute
from partnership.welfare import bp
from partnership.welfare.visibility import browses_welfare_notes

contribute(
    bp,
    items=[
        NavItem(30, "welfare.safe_space_uses", _l("Safe Space"), prefix="/welfare/safe-space"),
        NavItem(
            40,
            "welfare.welfare_notes",
            _l("Welfare notes"),
            prefix="/welfare/notes",
            shown_to=browses_welfare_notes,
        ),
    ],
    panels=[
        Panel(
            20,
            "welfare",
            _l("Welfare notes"),
            _l("Write a quick welfare note and hand someone over to another team."),
            endpoint="welfare.welfare_notes",
            rule_of="welfare.welfare_note_create",  # for those who write them
        )
    ],
)
