"""Who may reach which page: login required by default, then a role rule per view.

Record-level visibility (which sighting, which note) is decided by each feature's
visibility-scoped query; this module decides only who may open a page at all.
Every view must be classified, either :func:`public` or :func:`roles_required`:
``tests/core/test_access_matrix.py`` fails on a route that is neither. Templates and menus ask
:func:`may_open` rather than list roles.

The role groups every feature shares are imported from here. Police, frontline,
two-factor and all roles are declared beside :class:`Role` in ``core/enums.py``, whose own
properties need them (that module cannot import this one, which imports it); groups of one
feature live in its ``visibility`` module.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, abort, current_app, g, request
from flask_login import current_user

from partnership.core import audit
from partnership.core.enums import ALL_ROLES as ALL_ROLES
from partnership.core.enums import FRONTLINE_ROLES as FRONTLINE_ROLES
from partnership.core.enums import POLICE_ROLES as POLICE_ROLES
from partnership.core.enums import TWO_FACTOR_ROLES as TWO_FACTOR_ROLES
from partnership.core.enums import Role

if TYPE_CHECKING:
    from partnership.auth.models import User

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

# Frontline members who are not police: bar and door staff, and welfare workers.
FRONTLINE_MEMBERS = FRONTLINE_ROLES - POLICE_ROLES
# Partnership managers: coordinators and administrators (venues, areas, organisations).
MANAGERS = frozenset({Role.COORDINATOR, Role.ADMIN})

# Flask's own static route (our CSS and JS, and the npm-built vendor folder).
_BUILT_IN_PUBLIC = {"static"}


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow a view to signed-in users with one of ``roles``; others get 403 (audited)."""
    allowed = frozenset(roles)
    if not allowed:
        raise ValueError("roles_required needs at least one role")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                deny(reason="role")
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def signed_in(view: F) -> F:
    """Allow a view to every signed-in user, whatever their role."""
    return roles_required(*ALL_ROLES)(view)


def deny(reason: str, status: int = 403) -> None:
    """Refuse the request, leaving an audit event of the attempt."""
    actor = current_user if current_user.is_authenticated else None
    audit.record(
        "access.denied",
        actor=actor,
        reason=reason,
        method=request.method,
        endpoint=request.endpoint,
    )
    g.commit_on_error = True
    abort(status)


def view_rule(app: Flask, endpoint: str) -> str | frozenset[Role] | None:
    """``"public"``, the set of roles allowed, or None if the view is unclassified."""
    if endpoint in _BUILT_IN_PUBLIC:
        return "public"
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    if getattr(view, "is_public", False):
        return "public"
    roles: frozenset[Role] | None = getattr(view, "allowed_roles", None)
    return roles


def may_open(endpoint: str, user: User | None = None) -> bool:
    """Whether ``user`` (by default the signed-in user) may open the page ``endpoint``, by
    the rule its view declares: anyone for a public page, the roles of
    :func:`roles_required` otherwise; no one for an unclassified view or an unknown
    endpoint. A template asks ``may_open('sightings.create')`` instead of listing roles."""
    rule = view_rule(current_app, endpoint)
    if rule == "public":
        return True
    reader = user if user is not None else current_user
    if rule is None or not reader.is_authenticated:
        return False
    return reader.role_enum in rule


def require_login() -> Any:
    """``before_request`` hook: every page needs a signed-in user unless it is public.

    An unclassified view is refused outright, so a forgotten decorator fails closed.
    """
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404 handler answer
        return None
    rule = view_rule(current_app, endpoint)
    if rule == "public":
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if rule is None:
        current_app.logger.error("view %s has no access rule", endpoint)
        abort(403)
    return None


def actor() -> User:
    """The signed-in user as a model instance, for service functions."""
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def get_or_404(record: T | None) -> T:
    """``record``, or 404 when there is none or the reader may not see it.

    Both answer the same, so a record someone may not see is never told to exist.
    Pass what a feature's ``find_visible_*`` function returned.
    """
    if record is None:
        abort(404)
    return record
