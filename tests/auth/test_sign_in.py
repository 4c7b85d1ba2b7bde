"""Signing in: passwords, lockout, throttling and two-factor codes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.core.models import utcnow
from tests.conftest import events, reload, sign_in, update, welsh
from tests.factories import PASSWORD

MakeUser = Callable[..., User]


def is_signed_in(client: FlaskClient) -> bool:
    return client.get("/dashboard").status_code == 200


def test_premises_staff_sign_in_with_a_password_alone(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user(Role.PREMISES_STAFF)
    response = client.post("/auth/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    assert is_signed_in(client)
    assert [e.actor_id for e in events(app, "auth.login")] == [user.id]
    assert reload(app, user).last_login_at is not None


def test_wrong_password_says_so_keeps_the_email_and_signs_nobody_in(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user(Role.PREMISES_STAFF)
    response = client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The email address or password is not correct" in page
    assert f'value="{user.email}"' in page
    assert "wrong password" not in page
    assert not is_signed_in(client)
    failed = events(app, "auth.login_failed")
    assert [e.actor_id for e in failed] == [user.id]
    assert reload(app, user).failed_logins == 1


def test_wrong_password_message_in_welsh(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user(Role.PREMISES_STAFF)
    response = client.post(
        "/auth/login?lang=cy", data={"email": user.email, "password": "wrong password"}
    )
    page = response.get_data(as_text=True)
    assert '<html lang="cy"' in page
    assert escape(welsh(app, "The email address or password is not correct")) in page


def test_unknown_email_gets_the_same_answer_and_is_audited(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/auth/login", data={"email": "nobody@example.org", "password": "whatever it is"}
    )
    assert "The email address or password is not correct" in response.get_data(as_text=True)
    (event,) = events(app, "auth.login_failed")
    assert event.actor_id is None and event.details["email"] == "nobody@example.org"


def test_empty_form_names_each_missing_field(client: FlaskClient) -> None:
    page = client.post("/auth/login", data={}).get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert 'href="#email"' in page  # the error summary links to the field


def test_account_locks_after_repeated_failures_without_locking_others(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user(Role.PREMISES_STAFF)
    colleague = make_user(Role.PREMISES_STAFF)
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    locked = reload(app, user)
    assert locked.locked_until is not None and locked.locked_until > utcnow()

    # The right password is refused while locked, with a message that says why.
    page = client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).get_data(
        as_text=True
    )
    assert "This account is locked until" in page
    assert not is_signed_in(client)
    assert events(app, "auth.login_refused_locked")

    # Someone else signs in from the same address.
    other = app.test_client()
    assert sign_in(other, colleague).status_code == 302
    assert is_signed_in(other)

    # Once the lock has passed, the right password works again.
    update(app, User, user.id, locked_until=utcnow() - timedelta(seconds=1))
    assert sign_in(client, user).status_code == 302
    assert is_signed_in(client)
    assert reload(app, user).failed_logins == 0


def test_an_address_is_throttled_after_many_failures_but_others_are_not(
    app: Flask, make_user: MakeUser
) -> None:
    user = make_user(Role.PREMISES_STAFF)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    limit = int(app.config["LOGIN_ADDRESS_LIMIT"].split()[0])
    for number in range(limit):
        response = attacker.post(
            "/auth/login", data={"email": f"guess{number}@example.org", "password": "guess guess"}
        )
        assert response.status_code == 200
    throttled = attacker.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.get_data(as_text=True)

    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert sign_in(colleague, user).status_code == 302


def test_successful_sign_ins_do_not_use_up_the_address_allowance(
    app: Flask, make_user: MakeUser
) -> None:
    client = app.test_client()
    limit = int(app.config["LOGIN_ADDRESS_LIMIT"].split()[0])
    for _number in range(limit + 2):
        user = make_user(Role.PREMISES_STAFF)
        assert sign_in(client, user).status_code == 302
        client.post("/auth/logout")


def test_police_need_a_code_after_the_password(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    officer = make_user(Role.OFFICER)
    response = client.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/auth/two-factor")
    assert not is_signed_in(client)  # the password alone is not enough
    assert not events(app, "auth.login")

    code = pyotp.TOTP(officer.totp_secret).now()
    response = client.post("/auth/two-factor", data={"code": code})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert [e.actor_id for e in events(app, "auth.login")] == [officer.id]


def test_every_role_with_powers_needs_two_factor(client: FlaskClient, make_user: MakeUser) -> None:
    for role in (Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR, Role.ADMIN):
        user = make_user(role)
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.headers["Location"].endswith("/auth/two-factor"), role
        assert not is_signed_in(client)
    for role in (Role.PREMISES_STAFF, Role.WELFARE, Role.ANALYST):
        user = make_user(role)
        client.post("/auth/logout")
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.headers["Location"].endswith("/dashboard"), role


def test_a_wrong_code_is_refused_and_counts_as_a_failure(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    officer = make_user(Role.OFFICER)
    client.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    good = pyotp.TOTP(officer.totp_secret).now()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post("/auth/two-factor", data={"code": wrong})
    assert response.status_code == 200
    assert "The security code is not correct" in response.get_data(as_text=True)
    assert not is_signed_in(client)
    assert reload(app, officer).failed_logins == 1


def test_a_malformed_code_gets_a_clear_message(client: FlaskClient, make_user: MakeUser) -> None:
    officer = make_user(Role.OFFICER)
    client.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    page = client.post("/auth/two-factor", data={"code": "12ab"}).get_data(as_text=True)
    assert "Enter the security code as 6 digits" in page
    assert 'value="12ab"' in page


def test_a_code_cannot_be_used_twice(app: Flask, make_user: MakeUser) -> None:
    officer = make_user(Role.OFFICER)
    code = pyotp.TOTP(officer.totp_secret).now()
    first = app.test_client()
    first.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    assert first.post("/auth/two-factor", data={"code": code}).status_code == 302

    # Someone who saw the code tries it with the password from another browser.
    second = app.test_client()
    step = second.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    assert step.headers["Location"].endswith("/auth/two-factor"), step.get_data(as_text=True)
    response = second.post("/auth/two-factor", data={"code": code})
    assert response.status_code == 200, response.headers.get("Location")
    assert "already used" in response.get_data(as_text=True)
    assert not is_signed_in(second)


def test_two_factor_page_needs_the_password_step_first(client: FlaskClient) -> None:
    response = client.post("/auth/two-factor", data={"code": "123456"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")


def test_first_sign_in_sets_up_an_authenticator(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    coordinator = make_user(Role.COORDINATOR, two_factor=False)
    response = client.post("/auth/login", data={"email": coordinator.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/auth/two-factor/setup")
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn on the server
    secret = page.split('id="totp-secret">')[1].split("<")[0].replace(" ", "")

    wrong = client.post("/auth/two-factor/setup", data={"code": "000000"})
    assert wrong.status_code == 200 and reload(app, coordinator).totp_secret is None

    response = client.post("/auth/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert reload(app, coordinator).totp_secret == secret
    assert events(app, "auth.two_factor_enrolled")
