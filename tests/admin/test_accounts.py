"""Coordinators and administrators create organisations and accounts, change roles
and deactivate; every change is audited and every bad input explained."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from tests.conftest import events, reload, sign_in

MakeUser = Callable[..., User]
MakeOrg = Callable[..., Organisation]


def count_users(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(User.id))) or 0)


def form(org: Organisation, **overrides: str) -> dict[str, str]:
    data = {
        "name": "Ceri Ellis",
        "email": "ceri@anchor.example",
        "organisation_id": str(org.id),
        "role": "premises_staff",
        "rank": "",
        "locale": "cy",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_an_account_and_sees_a_one_time_link(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_org: MakeOrg
) -> None:
    coordinator = login_as(Role.COORDINATOR)
    venue = make_org(OrgKind.LICENSED_PREMISES, "The Anchor Bar")
    response = client.post("/admin/users/new", data=form(venue))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    link = page.split('id="set-password-link">')[1].split("<")[0]
    assert "/auth/set-password/" in link

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ceri@anchor.example"))
        assert user is not None
        assert (user.role, user.locale, user.password_hash) == ("premises_staff", "cy", None)
    created = [
        e for e in events(app, "user.created") if e.details["email"] == "ceri@anchor.example"
    ]
    assert [e.actor_id for e in created] == [coordinator.id]

    # The link works for the new person, once.
    path = link.split("localhost", 1)[1]
    newcomer = app.test_client()
    password = "a long pass phrase of my own"
    assert (
        newcomer.post(path, data={"new_password": password, "confirm": password}).status_code == 302
    )
    assert (
        newcomer.post(
            "/auth/login", data={"email": "ceri@anchor.example", "password": password}
        ).status_code
        == 302
    )


def test_duplicate_email_is_refused_and_the_form_keeps_what_was_typed(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_user: MakeUser
) -> None:
    login_as(Role.COORDINATOR)
    existing = make_user(Role.PREMISES_STAFF)
    before = count_users(app)
    response = client.post(
        "/admin/users/new",
        data=form(existing.organisation, email=existing.email.upper(), name="Somebody Else"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "An account with this email address already exists" in page
    assert 'value="Somebody Else"' in page
    assert f'value="{existing.email.upper()}"' in page
    assert count_users(app) == before


def test_bad_email_and_missing_fields_are_explained(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_org: MakeOrg
) -> None:
    login_as(Role.ADMIN)
    venue = make_org(OrgKind.LICENSED_PREMISES)
    before = count_users(app)
    page = client.post(
        "/admin/users/new", data=form(venue, email="not-an-email", name="", role="")
    ).get_data(as_text=True)
    assert "Enter an email address in the correct format" in page
    assert "Enter the person" in page
    assert "Choose a role" in page
    assert count_users(app) == before


def test_role_must_fit_the_organisation_and_police_need_a_rank(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_org: MakeOrg
) -> None:
    login_as(Role.ADMIN)
    venue = make_org(OrgKind.LICENSED_PREMISES)
    police = make_org(OrgKind.POLICE)
    before = count_users(app)

    page = client.post("/admin/users/new", data=form(venue, role="officer")).get_data(as_text=True)
    assert "cannot belong to a licensed premises organisation" in page
    page = client.post("/admin/users/new", data=form(police, role="officer")).get_data(as_text=True)
    assert "Choose the officer" in page
    page = client.post(
        "/admin/users/new", data=form(police, role="inspector", rank="sergeant")
    ).get_data(as_text=True)
    assert "needs the rank of inspector or above" in page
    page = client.post(
        "/admin/users/new",
        data=form(police, role="officer", rank="constable", designated_pcso="y"),
    ).get_data(as_text=True)
    assert "Only a PCSO can be designated" in page
    assert count_users(app) == before

    response = client.post(
        "/admin/users/new",
        data=form(police, role="officer", rank="pcso", designated_pcso="y", email="pcso@x.org"),
    )
    assert response.status_code == 200
    with app.app_context():
        pcso = db.session.scalar(select(User).where(User.email == "pcso@x.org"))
        assert pcso is not None and pcso.designated_pcso and pcso.rank == "pcso"


def test_a_coordinator_cannot_make_administrators_or_see_them(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_user: MakeUser
) -> None:
    coordinator = login_as(Role.COORDINATOR)
    admin = make_user(Role.ADMIN)
    before = count_users(app)
    page = client.post(
        "/admin/users/new", data=form(coordinator.organisation, role="admin")
    ).get_data(as_text=True)
    assert "Not a valid choice" in page or "You cannot give this role" in page
    assert count_users(app) == before
    assert client.get(f"/admin/users/{admin.id}").status_code == 404
    assert admin.email not in client.get("/admin/users").get_data(as_text=True)
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code == 404
    assert reload(app, admin).active


def test_nobody_deactivates_or_demotes_themselves(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    admin = login_as(Role.ADMIN)
    client.post(f"/admin/users/{admin.id}/deactivate")
    client.post(f"/admin/users/{admin.id}/role", data={"role": "analyst"})
    fresh = reload(app, admin)
    assert fresh.active and fresh.role == "admin"


def test_deactivate_and_reactivate_are_audited(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_user: MakeUser
) -> None:
    login_as(Role.ADMIN)
    user = make_user(Role.WELFARE)
    # Each button carries the version of the account its page showed.
    client.post(f"/admin/users/{user.id}/deactivate", data={"version": "1"})
    assert not reload(app, user).active
    version = str(reload(app, user).version)
    client.post(f"/admin/users/{user.id}/reactivate", data={"version": version})
    assert reload(app, user).active
    assert [e.action for e in events(app) if e.object_id == str(user.id)][-2:] == [
        "user.deactivated",
        "user.reactivated",
    ]


def test_reset_two_factor_makes_the_user_enrol_again(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_user: MakeUser
) -> None:
    login_as(Role.ADMIN)
    officer = make_user(Role.OFFICER)
    client.post(f"/admin/users/{officer.id}/reset-two-factor", data={"version": "1"})
    assert reload(app, officer).totp_secret is None
    browser = app.test_client()
    response = sign_in(browser, reload(app, officer))
    assert response.headers["Location"].endswith("/auth/two-factor/setup")


def test_unlock_lets_a_locked_user_in(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_user: MakeUser
) -> None:
    login_as(Role.COORDINATOR)
    user = make_user(Role.WELFARE)
    browser = app.test_client()
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        browser.post("/auth/login", data={"email": user.email, "password": "wrong password!"})
    assert reload(app, user).locked_until is not None
    assert "Locked until" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    # Failed sign-ins are not edits of the account: the page's version still holds.
    client.post(f"/admin/users/{user.id}/unlock", data={"version": "1"})
    assert sign_in(app.test_client(), user).status_code == 302


def test_organisations_are_created_once_per_name(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.COORDINATOR)
    response = client.post(
        "/admin/organisations/new", data={"name": "The Lamb", "kind": "licensed_premises"}
    )
    assert response.status_code == 302
    page = client.post(
        "/admin/organisations/new", data={"name": "the lamb ", "kind": "welfare"}
    ).get_data(as_text=True)
    assert "An organisation with this name already exists" in page
    page = client.post("/admin/organisations/new", data={"name": "X", "kind": "pub"}).get_data(
        as_text=True
    )
    assert "Choose the kind of organisation" in page
    with app.app_context():
        names = list(db.session.scalars(select(Organisation.name)))
    assert names.count("The Lamb") == 1 and "X" not in names
    assert [e.details["name"] for e in events(app, "organisation.created")][-1] == "The Lamb"


def test_an_organisation_can_be_renamed_and_deactivated(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_org: MakeOrg
) -> None:
    login_as(Role.ADMIN)
    org = make_org(OrgKind.WELFARE, "Old Name")
    response = client.post(
        f"/admin/organisations/{org.id}/edit", data={"name": "New Name", "version": "1"}
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Organisation, org.id)
        assert saved is not None and saved.name == "New Name" and not saved.active
    (event,) = events(app, "organisation.updated")
    assert event.details["changes"]["name"] == ["Old Name", "New Name"]


def test_the_accounts_list_searches_and_pages(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_user: MakeUser
) -> None:
    login_as(Role.ADMIN)
    for _number in range(55):
        make_user(Role.WELFARE)
    first = client.get("/admin/users").get_data(as_text=True)
    assert "56 accounts" in first or "57 accounts" in first
    assert "?page=2" in first
    second = client.get("/admin/users?page=2")
    assert second.status_code == 200
    only = client.get("/admin/users?q=nobody-matches-this").get_data(as_text=True)
    assert "No accounts match." in only
    assert client.get("/admin/users?page=abc").status_code == 200
