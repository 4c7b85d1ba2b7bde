"""A session really ends: a copied cookie stops working after sign-out, a password
change or deactivation."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import User
from partnership.core.enums import Role
from tests.conftest import events, reload, sign_in
from tests.factories import PASSWORD

MakeUser = Callable[..., User]
COOKIE = "partnership_session"


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second browser holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value, domain=cookie.domain)
    return thief


def signed_in(client: FlaskClient) -> bool:
    return client.get("/dashboard").status_code == 200


def test_sign_out_ends_every_copy_of_the_session(app: Flask, make_user: MakeUser) -> None:
    user = make_user(Role.WELFARE)
    client = app.test_client()
    sign_in(client, user)
    thief = copy_of(app, client)
    assert signed_in(thief)

    response = client.post("/auth/logout")
    assert response.headers["Location"].endswith("/auth/login")
    assert not signed_in(client)
    assert not signed_in(thief)
    assert [e.actor_id for e in events(app, "auth.logout")] == [user.id]


def test_sign_out_needs_a_post(app: Flask, make_user: MakeUser) -> None:
    client = app.test_client()
    sign_in(client, make_user(Role.WELFARE))
    assert client.get("/auth/logout").status_code == 405
    assert signed_in(client)


def test_password_change_ends_other_sessions_but_keeps_this_one(
    app: Flask, make_user: MakeUser
) -> None:
    user = make_user(Role.PREMISES_STAFF)
    client = app.test_client()
    sign_in(client, user)
    other_device = copy_of(app, client)

    new_password = "a brand new pass phrase"
    response = client.post(
        "/auth/account/password",
        data={"current_password": PASSWORD, "new_password": new_password, "confirm": new_password},
    )
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(other_device)
    assert events(app, "user.password_changed")

    fresh = app.test_client()
    assert sign_in(fresh, user, password=PASSWORD).status_code == 200  # old password refused
    assert sign_in(fresh, user, password=new_password).status_code == 302


def test_password_change_with_a_wrong_current_password_changes_nothing(
    app: Flask, make_user: MakeUser
) -> None:
    user = make_user(Role.PREMISES_STAFF)
    client = app.test_client()
    sign_in(client, user)
    before = reload(app, user).password_hash
    response = client.post(
        "/auth/account/password",
        data={"current_password": "not it at all", "new_password": "x" * 3, "confirm": "x" * 3},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your current password is not correct" in page or "at least 12" in page
    assert reload(app, user).password_hash == before


def test_weak_new_password_is_refused_with_the_reason(app: Flask, make_user: MakeUser) -> None:
    user = make_user(Role.PREMISES_STAFF)
    client = app.test_client()
    sign_in(client, user)
    before = reload(app, user).password_hash
    for weak, reason in [
        ("short", "at least 12 characters"),
        ("password1234", "too easy to guess"),
        (user.email.split("@")[0] + "-2026!", "must not contain your email address"),
    ]:
        response = client.post(
            "/auth/account/password",
            data={"current_password": PASSWORD, "new_password": weak, "confirm": weak},
        )
        assert response.status_code == 400
        assert reason in response.get_data(as_text=True), weak
    assert reload(app, user).password_hash == before
    assert signed_in(client)


def test_deactivation_ends_the_users_sessions_at_once(app: Flask, make_user: MakeUser) -> None:
    user = make_user(Role.PREMISES_STAFF)
    coordinator = make_user(Role.COORDINATOR)
    victim_browser = app.test_client()
    sign_in(victim_browser, user)
    assert signed_in(victim_browser)

    admin_browser = app.test_client()
    sign_in(admin_browser, coordinator)
    response = admin_browser.post(f"/admin/users/{user.id}/deactivate", data={"version": "1"})
    assert response.status_code == 302

    assert not signed_in(victim_browser)
    assert sign_in(app.test_client(), user).status_code == 200  # cannot sign in again
    assert not reload(app, user).active
    (event,) = events(app, "user.deactivated")
    assert event.actor_id == coordinator.id and event.object_id == str(user.id)


def test_deactivating_an_organisation_ends_its_members_sessions(
    app: Flask, make_user: MakeUser
) -> None:
    user = make_user(Role.PREMISES_STAFF)
    admin = make_user(Role.ADMIN)
    browser = app.test_client()
    sign_in(browser, user)
    admin_browser = app.test_client()
    sign_in(admin_browser, admin)
    org_id = user.organisation_id
    response = admin_browser.post(
        f"/admin/organisations/{org_id}/edit",
        data={"name": user.organisation.name, "version": "1"},
    )
    assert response.status_code == 302
    assert not signed_in(browser)
    assert sign_in(app.test_client(), user).status_code == 200  # refused
    admin_browser.post(
        f"/admin/organisations/{org_id}/edit",
        data={"name": user.organisation.name, "active": "y", "version": "2"},
    )
    assert sign_in(app.test_client(), user).status_code == 302


def test_role_change_makes_the_user_sign_in_again(app: Flask, make_user: MakeUser) -> None:
    analyst = make_user(Role.ANALYST)  # in a local authority
    admin = make_user(Role.ADMIN)
    browser = app.test_client()
    sign_in(browser, analyst)
    admin_browser = app.test_client()
    sign_in(admin_browser, admin)

    # A local authority has no police officers: refused, and nothing changes.
    refused = admin_browser.post(
        f"/admin/users/{analyst.id}/role",
        data={"role": "officer", "rank": "constable", "version": "1"},
    )
    assert refused.status_code == 400
    assert "cannot belong to" in refused.get_data(as_text=True)
    assert reload(app, analyst).role == "analyst"
    assert signed_in(browser)

    response = admin_browser.post(
        f"/admin/users/{analyst.id}/role", data={"role": "coordinator", "version": "1"}
    )
    assert response.status_code == 302
    assert reload(app, analyst).role == "coordinator"
    assert not signed_in(browser)  # signs in again, now with two-factor
    (event,) = events(app, "user.role_changed")
    assert event.details["old"]["role"] == "analyst"
    assert event.details["new"]["role"] == "coordinator"
