"""Every route, as every role and anonymously: who gets in, who is sent to sign in,
who is refused, and whose records are not found.

The table below is written by hand on purpose: it is the portal's access policy,
and a change to a view's decorator that does not match it fails here. A new route
fails ``test_every_route_is_in_the_matrix`` until it has a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.routing import Rule

from partnership.auth import service as auth_service
from partnership.auth.models import User
from partnership.core.access import view_rule
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from tests.conftest import reload

ANONYMOUS = "anonymous"
EVERYONE = frozenset(Role)
MANAGERS = frozenset({Role.COORDINATOR, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})

PUBLIC = "public"

# endpoint -> PUBLIC, or the roles allowed in.
MATRIX: dict[str, str | frozenset[Role]] = {
    "static": PUBLIC,
    "home.index": PUBLIC,
    "home.healthz": PUBLIC,
    "home.language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.two_factor": PUBLIC,
    "auth.two_factor_setup": PUBLIC,
    "auth.set_password": PUBLIC,
    "home.dashboard": EVERYONE,
    "auth.logout": EVERYONE,
    "auth.account": EVERYONE,
    "auth.account_language": EVERYONE,
    "auth.account_password": EVERYONE,
    "admin.users": MANAGERS,
    "admin.user_create": MANAGERS,
    "admin.user_detail": MANAGERS,
    "admin.user_role": MANAGERS,
    "admin.user_deactivate": MANAGERS,
    "admin.user_reactivate": MANAGERS,
    "admin.user_reset_two_factor": MANAGERS,
    "admin.user_unlock": MANAGERS,
    "admin.user_set_password_link": MANAGERS,
    "admin.organisations": MANAGERS,
    "admin.organisation_create": MANAGERS,
    "admin.organisation_edit": MANAGERS,
    "admin.audit_log": ADMIN,
}

# Pages about one account, requested for a staff member's and an administrator's.
USER_RECORD_PAGES = frozenset(
    {
        "admin.user_detail",
        "admin.user_role",
        "admin.user_deactivate",
        "admin.user_reactivate",
        "admin.user_reset_two_factor",
        "admin.user_unlock",
        "admin.user_set_password_link",
    }
)
# Records that some allowed roles still may not see: (target, role) -> 404.
# Coordinators manage every account except administrators'.
HIDDEN_TARGETS = {("admin_account", Role.COORDINATOR)}


def endpoints(app: Flask) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for rule in app.url_map.iter_rules():
        rules.setdefault(rule.endpoint, rule)
    return rules


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    assert set(endpoints(app)) == set(MATRIX), (
        "classify new routes in MATRIX, remove rows of routes that are gone"
    )


def test_every_route_declares_public_or_its_roles(app: Flask) -> None:
    unclassified = [e for e in endpoints(app) if view_rule(app, e) is None]
    assert unclassified == []


def test_the_declared_rules_match_the_matrix(app: Flask) -> None:
    for endpoint, expected in MATRIX.items():
        assert view_rule(app, endpoint) == expected, endpoint


def test_an_unclassified_view_is_refused_even_when_signed_in(
    other_app: Callable[..., Flask], make_user: Callable[..., User]
) -> None:
    other = other_app()
    other.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    anonymous = other.test_client()
    assert anonymous.get("/forgotten").status_code == 302
    admin = make_user(Role.ADMIN)
    signed_in = other.test_client()
    with signed_in.session_transaction() as session:
        session["_user_id"] = admin.session_token
    response = signed_in.get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data


@dataclass
class Case:
    endpoint: str
    who: str  # a role's value, or "anonymous"
    target: str  # what the URL points at


def cases() -> list[Case]:
    found = []
    for endpoint in MATRIX:
        if endpoint == "static":
            continue
        targets = ("staff_account", "admin_account") if endpoint in USER_RECORD_PAGES else ("-",)
        for target in targets:
            for who in (ANONYMOUS, *[r.value for r in Role]):
                found.append(Case(endpoint, who, target))
    return found


def expected_outcome(case: Case) -> str:
    rule = MATRIX[case.endpoint]
    if rule == PUBLIC:
        return "public"
    if case.who == ANONYMOUS:
        return "sign in"
    role = Role(case.who)
    assert isinstance(rule, frozenset)
    if role not in rule:
        return "forbidden"
    if (case.target, role) in HIDDEN_TARGETS:
        return "not found"
    return "allowed"


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c.endpoint}-{c.who}-{c.target}")
def test_access(
    case: Case,
    app: Flask,
    make_user: Callable[..., User],
    make_org: Callable[..., object],
    login_as: Callable[..., User],
    client: object,
) -> None:
    staff = make_user(Role.PREMISES_STAFF)
    administrator = make_user(Role.ADMIN)
    org = make_org(OrgKind.WELFARE)
    target_user = administrator if case.target == "admin_account" else staff
    with app.test_request_context():
        token = auth_service.create_set_password_link(reload(app, staff), None)
        db.session.commit()
    values = {"user_id": target_user.id, "org_id": org.id, "token": token, "code": "cy"}

    rule = endpoints(app)[case.endpoint]
    url_args = {name: values[name] for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        url = url_for(case.endpoint, **url_args)
    method = "GET" if "GET" in (rule.methods or ()) else "POST"

    if case.who != ANONYMOUS:
        login_as(Role(case.who))
    response = client.open(url, method=method)  # type: ignore[attr-defined]
    location = response.headers.get("Location", "")
    outcome = expected_outcome(case)

    if outcome == "sign in":
        assert response.status_code == 302 and "/auth/login?next=" in location
    elif outcome == "forbidden":
        assert response.status_code == 403
    elif outcome == "not found":
        assert response.status_code == 404
    elif outcome == "allowed":
        assert response.status_code in (200, 302, 400), response.status_code
        assert "/auth/login?next=" not in location
    else:  # public
        assert response.status_code in (200, 302, 400), response.status_code
