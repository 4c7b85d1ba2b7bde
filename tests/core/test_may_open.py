"""``may_open``: a page's own access rule, asked by templates and the menu instead of a list
of roles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask_login import login_user

from partnership.auth.models import User
from partnership.core.access import may_open, view_rule
from partnership.core.enums import Role

# Pages and who may open them, as their views declare.
CASES = [
    ("sightings.create", {Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR}),
    ("welfare.safe_space_use_create", {Role.PREMISES_STAFF, Role.OFFICER, Role.INSPECTOR}),
    ("welfare.welfare_note_create", {Role.WELFARE}),
    ("admin.audit_log", {Role.ADMIN}),
    ("home.dashboard", set(Role)),
]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_a_role_may_open_the_pages_its_views_allow(
    app: Flask, make_user: Callable[..., User], role: Role
) -> None:
    user = make_user(role)
    with app.test_request_context():
        for endpoint, allowed in CASES:
            assert may_open(endpoint, user) is (role in allowed), endpoint


def test_the_signed_in_user_by_default(app: Flask, make_user: Callable[..., User]) -> None:
    with app.test_request_context():
        login_user(make_user(Role.WELFARE))
        assert may_open("welfare.welfare_note_create")
        assert not may_open("welfare.safe_space_use_create")


def test_every_rule_agrees_with_the_view(app: Flask, make_user: Callable[..., User]) -> None:
    users = {role: make_user(role) for role in Role}
    with app.test_request_context():
        for endpoint in app.view_functions:
            rule = view_rule(app, endpoint)
            for role, user in users.items():
                if rule == "public":
                    expected = True
                elif rule is None:
                    expected = False
                else:
                    expected = role in rule
                assert may_open(endpoint, user) is expected, (endpoint, role)


def test_public_pages_are_open_to_anyone_and_others_to_no_one_signed_out(app: Flask) -> None:
    with app.test_request_context():
        assert may_open("public.report")
        assert may_open("auth.login")
        assert not may_open("home.dashboard")
        assert not may_open("sightings.create")


def test_an_unknown_page_is_open_to_no_one(app: Flask, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMIN)
    with app.test_request_context():
        assert not may_open("no.such_page", admin)
        assert not may_open("no.such_page")
