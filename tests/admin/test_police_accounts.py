"""Police accounts are made, changed, deactivated, unlocked and reset only by administrators
and by inspectors of the same force (DESIGN.md section 2): a coordinator neither sees them nor
makes any, and makes or changes no police organisation. The access matrix checks every
account page for every role; these check what each page then does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from tests.admin.test_accounts import count_users, form
from tests.conftest import events, reload, update

MakeUser = Callable[..., User]
MakeOrg = Callable[..., Organisation]
ACCOUNT_ACTIONS = ("deactivate", "reactivate", "unlock", "reset-two-factor", "set-password-link")


def organisation_names(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Organisation.name)))


@pytest.fixture
def force(login_as: Callable[..., User], make_org: MakeOrg) -> Organisation:
    """A police force, with the client signed in as a coordinator (of another organisation)."""
    login_as(Role.COORDINATOR)
    return make_org(OrgKind.POLICE, "Dyfed-Powys Police")


def test_a_coordinator_neither_sees_nor_changes_a_police_account(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    force: Organisation,
) -> None:
    police = [
        make_user(Role.OFFICER, force),
        make_user(Role.INSPECTOR, force),
        make_user(Role.ANALYST, force),
    ]
    partner_analyst = make_user(Role.ANALYST)
    listing = client.get("/admin/users").get_data(as_text=True)
    assert partner_analyst.email in listing
    assert "Police accounts are managed by administrators and by the inspectors" in listing
    for account in police:
        assert account.email not in listing
        assert client.get(f"/admin/users/{account.id}").status_code == 404
        changed = client.post(f"/admin/users/{account.id}/role", data={"role": "analyst"})
        assert changed.status_code == 404
        for action in ACCOUNT_ACTIONS:
            assert client.post(f"/admin/users/{account.id}/{action}").status_code == 404
    assert "No accounts match." in client.get("/admin/users?q=Dyfed").get_data(as_text=True)
    assert events(app, "user.deactivated") == []
    assert events(app, "user.two_factor_reset") == []
    assert all(reload(app, account).active for account in police)


def test_a_coordinator_makes_no_account_in_a_police_organisation(
    app: Flask,
    client: FlaskClient,
    force: Organisation,
) -> None:
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "Dyfed-Powys Police" not in page
    assert '<option value="officer">' not in page
    before = count_users(app)
    for role, rank in (("officer", "constable"), ("inspector", "inspector"), ("analyst", "")):
        response = client.post(
            "/admin/users/new", data=form(force, role=role, rank=rank, email=f"{role}@x.org")
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Choose an organisation" in page
        assert f'value="{role}@x.org"' in page  # what was typed comes back
    assert count_users(app) == before
    assert [e for e in events(app, "user.created") if e.actor_id is not None] == []


def test_no_account_is_moved_into_a_police_organisation(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    force: Organisation,
) -> None:
    """Accounts never change organisation: the role form takes no organisation, and a
    partner's account cannot take a police role."""
    analyst = make_user(Role.ANALYST)
    response = client.post(
        f"/admin/users/{analyst.id}/role",
        data={"role": "officer", "rank": "constable", "organisation_id": str(force.id)},
    )
    assert response.status_code == 400
    fresh = reload(app, analyst)
    assert (fresh.organisation_id, fresh.role) == (analyst.organisation_id, "analyst")


def test_a_coordinator_makes_and_changes_no_police_organisation(
    app: Flask,
    client: FlaskClient,
    force: Organisation,
) -> None:
    assert 'value="police"' not in client.get("/admin/organisations/new").get_data(as_text=True)
    response = client.post(
        "/admin/organisations/new", data={"name": "Fake Police", "kind": "police"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose the kind of organisation" in page and 'value="Fake Police"' in page
    assert "Fake Police" not in organisation_names(app)
    assert "Dyfed-Powys Police" not in client.get("/admin/organisations").get_data(as_text=True)
    edit = client.post(f"/admin/organisations/{force.id}/edit", data={"name": "Renamed"})
    assert edit.status_code == 404
    assert client.get(f"/admin/organisations/{force.id}/edit").status_code == 404
    with app.app_context():
        saved = db.session.get(Organisation, force.id)
        assert saved is not None and (saved.name, saved.active) == ("Dyfed-Powys Police", True)
    assert [e for e in events(app) if e.action.startswith("organisation.") and e.actor_id] == []


def test_an_administrator_makes_a_police_force_and_its_accounts(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.ADMIN)
    response = client.post("/admin/organisations/new", data={"name": "Gwent", "kind": "police"})
    assert response.status_code == 302
    with app.app_context():
        force = db.session.scalar(select(Organisation).where(Organisation.name == "Gwent"))
        assert force is not None and force.kind == "police"
    made = client.post(
        "/admin/users/new",
        data=form(force, role="inspector", rank="inspector", email="insp@gwent.example"),
    )
    assert made.status_code == 200


def test_an_inspector_manages_the_accounts_of_their_own_force_only(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_user: MakeUser,
    make_org: MakeOrg,
) -> None:
    force = make_org(OrgKind.POLICE, "South Wales Police")
    inspector = login_as(Role.INSPECTOR, org=force)
    colleague = make_user(Role.OFFICER, force)
    police_analyst = make_user(Role.ANALYST, force)
    elsewhere = make_user(Role.OFFICER, make_org(OrgKind.POLICE, "Gwent Police"))
    partner = make_user(Role.PREMISES_STAFF)
    coordinator = make_user(Role.COORDINATOR)

    listing = client.get("/admin/users").get_data(as_text=True)
    for shown in (inspector, colleague, police_analyst):
        assert shown.email in listing
    for hidden in (elsewhere, partner, coordinator):
        assert hidden.email not in listing
        assert client.get(f"/admin/users/{hidden.id}").status_code == 404
        for action in ACCOUNT_ACTIONS:
            assert client.post(f"/admin/users/{hidden.id}/{action}").status_code == 404

    # Locked out, reset, deactivated and back: all audited with the inspector as actor.
    update(app, User, colleague.id, failed_logins=5)
    for action in ("unlock", "reset-two-factor", "deactivate", "reactivate"):
        version = str(reload(app, colleague).version)
        sent = client.post(f"/admin/users/{colleague.id}/{action}", data={"version": version})
        assert sent.status_code == 302
    promoted = client.post(
        f"/admin/users/{colleague.id}/role",
        data={
            "role": "officer",
            "rank": "sergeant",
            "version": str(reload(app, colleague).version),
        },
    )
    assert promoted.status_code == 302
    assert reload(app, colleague).rank == "sergeant"
    link = client.post(f"/admin/users/{colleague.id}/set-password-link")
    assert "/auth/set-password/" in link.get_data(as_text=True)
    mine = [e for e in events(app) if e.object_type == "user" and e.object_id == str(colleague.id)]
    assert [e.action for e in mine if e.actor_id == inspector.id] == [
        "user.unlocked",
        "user.two_factor_reset",
        "user.deactivated",
        "user.reactivated",
        "user.role_changed",
        "user.set_password_link_created",
    ]

    # New accounts go in the inspector's own force, with a police organisation's roles.
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "South Wales Police" in page and "Gwent Police" not in page
    assert 'value="coordinator"' not in page and 'value="admin"' not in page
    made = client.post(
        "/admin/users/new",
        data=form(force, role="officer", rank="pcso", email="pcso@south-wales.example"),
    )
    assert made.status_code == 200
    before = count_users(app)
    other_force = elsewhere.organisation
    refused = client.post(
        "/admin/users/new",
        data=form(other_force, role="officer", rank="constable", email="pc@gwent.example"),
    )
    assert refused.status_code == 400 and "Choose an organisation" in refused.get_data(as_text=True)
    staff = client.post("/admin/users/new", data=form(partner.organisation, email="s@x.org"))
    assert staff.status_code == 400
    coordinator_made = client.post(
        "/admin/users/new", data=form(force, role="coordinator", email="c@x.org")
    )
    refused_role = coordinator_made.get_data(as_text=True)
    assert "Not a valid choice" in refused_role or "You cannot give this role" in refused_role
    assert count_users(app) == before

    # Organisations stay the partnership's (and administrators') to manage.
    assert client.get("/admin/organisations").status_code == 403
    assert client.get(f"/admin/organisations/{force.id}/edit").status_code == 403
