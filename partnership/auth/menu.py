"""The signed-in user's own account in the menu."""

from __future__ import annotations

from partnership.auth import bp
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.navigation import NavItem, contribute

contribute(bp, items=[NavItem(150, "auth.account", _l("Your account"), prefix="/auth/account")])
