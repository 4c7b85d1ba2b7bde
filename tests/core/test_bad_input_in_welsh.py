"""Every bad input of the foundation is explained in the user's language: here, Welsh."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from partnership.auth.models import User
from partnership.core.enums import Role
from tests.conftest import reload, welsh
from tests.factories import PASSWORD

MakeUser = Callable[..., User]


def in_welsh(client: FlaskClient) -> FlaskClient:
    client.get("/language/cy")
    return client


def shows(app: Flask, page: str, message: str, **kwargs: object) -> bool:
    return str(escape(welsh(app, message, **kwargs))) in page


def test_wrong_two_factor_code(app: Flask, make_user: MakeUser) -> None:
    officer = make_user(Role.OFFICER)
    client = in_welsh(app.test_client())
    client.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    good = pyotp.TOTP(officer.totp_secret).now()
    page = client.post(
        "/auth/two-factor", data={"code": f"{(int(good) + 7) % 1_000_000:06d}"}
    ).get_data(as_text=True)
    assert shows(
        app,
        page,
        "The security code is not correct or was already used. Wait for a new code and try again.",
    )
    page = client.post("/auth/two-factor", data={"code": "abc"}).get_data(as_text=True)
    assert shows(app, page, "Enter the security code as 6 digits, like 123456")


def test_duplicate_email(app: Flask, login_as: Callable[..., User], client: FlaskClient) -> None:
    coordinator = login_as(Role.COORDINATOR)
    in_welsh(client)
    page = client.post(
        "/admin/users/new",
        data={
            "name": "Dwbl",
            "email": coordinator.email,
            "organisation_id": str(coordinator.organisation_id),
            "role": "analyst",
            "locale": "cy",
        },
    ).get_data(as_text=True)
    assert shows(app, page, "An account with this email address already exists")
    assert 'value="Dwbl"' in page


def test_weak_password(app: Flask, login_as: Callable[..., User], client: FlaskClient) -> None:
    user = login_as(Role.WELFARE)
    in_welsh(client)
    before = reload(app, user).password_hash
    page = client.post(
        "/auth/account/password",
        data={"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
    ).get_data(as_text=True)
    assert shows(app, page, "Password must be at least %(n)d characters long", n=12)
    assert reload(app, user).password_hash == before


def test_locked_account(app: Flask, make_user: MakeUser) -> None:
    user = make_user(Role.WELFARE)
    client = in_welsh(app.test_client())
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    page = client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).get_data(
        as_text=True
    )
    assert '<html lang="cy"' in page
    assert "Too many failed attempts" not in page
    assert "Ask your coordinator" not in page


def test_role_that_does_not_fit_the_organisation(
    app: Flask, login_as: Callable[..., User], client: FlaskClient
) -> None:
    admin = login_as(Role.ADMIN)
    in_welsh(client)
    page = client.post(
        "/admin/users/new",
        data={
            "name": "Rhywun",
            "email": "rhywun@example.org",
            "organisation_id": str(admin.organisation_id),
            "role": "officer",
            "rank": "constable",
            "locale": "cy",
        },
    ).get_data(as_text=True)
    assert "cannot belong to" not in page
    assert "Ni all" in page
