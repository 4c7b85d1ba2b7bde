"""The navigation bar and the dashboard's panels: the machinery only.

Each feature contributes its own entries from its ``menu`` module with :func:`contribute`,
recorded when its blueprint is registered. An entry is shown to whoever may open its page
(:func:`~partnership.core.access.may_open`, the view's own rule), so no entry lists roles;
an entry meant for fewer people than its page names a narrower page's rule (``rule_of``)
or a predicate of the feature's visibility module (``shown_to``). Templates only draw what
:func:`navigation` and :func:`dashboard_panels` return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, current_app, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App
from markupsafe import Markup, escape

from partnership.core.access import may_open
from partnership.core.catalogue import ngettext
from partnership.core.statements import PerReader

if TYPE_CHECKING:
    from partnership.auth.models import User

_EXTENSION = "navigation"


@dataclass(frozen=True)
class NavItem:
    # Where it stands in the menu, lowest first, whichever feature contributes it.
    order: int
    endpoint: str
    label: Any
    # Other endpoints under this item, so it shows as current on them too.
    prefix: str = ""
    # How many things wait there for the user, shown beside the label.
    waiting: Callable[[User], int] | None = None
    # A page whose rule decides who sees the entry, when narrower than its own page's.
    rule_of: str = ""
    # Or the feature's own rule, asked as well as the page's.
    shown_to: Callable[[User], bool] | None = None


@dataclass(frozen=True)
class Panel:
    order: int
    key: str
    title: Any
    body: Any
    endpoint: str
    rule_of: str = ""
    shown_to: Callable[[User], bool] | None = None


@dataclass
class Menu:
    """Every feature's entries, for one application."""

    items: list[NavItem] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)

    def add(self, items: Iterable[NavItem], panels: Iterable[Panel]) -> None:
        self.items = sorted([*self.items, *items], key=lambda item: item.order)
        self.panels = sorted([*self.panels, *panels], key=lambda panel: panel.order)


def menu_of(app: App) -> Menu:
    """The menu the features of ``app`` contributed."""
    menu: Menu = app.extensions.setdefault(_EXTENSION, Menu())
    return menu


def contribute(
    blueprint: Blueprint, items: Iterable[NavItem] = (), panels: Iterable[Panel] = ()
) -> None:
    """Add a feature's menu entries and dashboard panels when ``blueprint`` is registered."""
    items, panels = tuple(items), tuple(panels)

    def record(state: BlueprintSetupState) -> None:
        menu_of(state.app).add(items, panels)

    blueprint.record_once(record)


def _shown(entry: NavItem | Panel, user: User) -> bool:
    if not may_open(entry.rule_of or entry.endpoint, user):
        return False
    return entry.shown_to is None or entry.shown_to(user)


def _entries(user: User, app: Flask, _script_root: str) -> list[tuple[NavItem, str]]:
    """The items ``user`` sees in ``app``'s menu, each with its address."""
    return [(item, url_for(item.endpoint)) for item in menu_of(app).items if _shown(item, user)]


# Which items a reader sees depends only on their role (the rules of the pages and the
# visibility predicates): worked out once per reader, not on every page.
_kept_entries = PerReader(_entries)


def navigation(user: User) -> list[dict[str, Any]]:
    """The items for a govukServiceNavigation, the current page marked: the one item whose
    address or prefix matches most of the path (/venues/areas is Areas, not Venues)."""
    items = []
    matched = []
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for item, href in _kept_entries(user, app, request.script_root):
        exact = len(href) if request.path == href else 0
        prefixed = len(item.prefix) if item.prefix and request.path.startswith(item.prefix) else 0
        matched.append(max(exact, prefixed))
        waiting = item.waiting(user) if item.waiting is not None else 0
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


def dashboard_panels(user: User) -> list[Panel]:
    """The dashboard's panels ``user`` sees, in order."""
    return [panel for panel in menu_of(current_app).panels if _shown(panel, user)]
