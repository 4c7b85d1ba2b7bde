"""Who sees which Safe Space use and welfare note (DESIGN.md section 2): the author's
organisation, police, coordinators and an organisation it was handed over to; nobody else.
A record someone may not see answers 404; a role with no business there gets 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.venues.models import Venue
from tests.conftest import events
from tests.welfare.answers import note_answers, safe_space_answers
from tests.welfare.conftest import record_id

Browser = Callable[[User], FlaskClient]


@dataclass
class People:
    author: User  # of the organisation that wrote the record
    colleague: User
    same_kind_elsewhere: User  # the author's role, another organisation
    pastor_a: User  # Street Pastors A: the record is handed to A
    pastor_b: User
    welfare_team: User
    premises: User
    officer: User
    inspector: User
    coordinator: User
    analyst: User
    admin: User


@pytest.fixture
def orgs(make_org: Callable[..., Organisation]) -> dict[str, Organisation]:
    return {
        "bar": make_org(OrgKind.LICENSED_PREMISES, "Anchor Bars Ltd"),
        "other_bar": make_org(OrgKind.LICENSED_PREMISES, "Castle Leisure"),
        "pastors_a": make_org(OrgKind.STREET_PASTORS, "Swansea Street Pastors"),
        "pastors_b": make_org(OrgKind.STREET_PASTORS, "Neath Street Pastors"),
        "team": make_org(OrgKind.WELFARE, "Wind Street Welfare Hub"),
    }


def people(
    make_user: Callable[..., User], orgs: dict[str, Organisation], author_role: Role, home: str
) -> People:
    elsewhere = {"bar": "other_bar", "team": "pastors_b"}[home]
    return People(
        author=make_user(author_role, orgs[home]),
        colleague=make_user(author_role, orgs[home]),
        same_kind_elsewhere=make_user(author_role, orgs[elsewhere]),
        pastor_a=make_user(Role.WELFARE, orgs["pastors_a"]),
        pastor_b=make_user(Role.WELFARE, orgs["pastors_b"]),
        welfare_team=make_user(Role.WELFARE, orgs["team"]),
        premises=make_user(Role.PREMISES_STAFF, orgs["other_bar"]),
        officer=make_user(Role.OFFICER),
        inspector=make_user(Role.INSPECTOR),
        coordinator=make_user(Role.COORDINATOR),
        analyst=make_user(Role.ANALYST),
        admin=make_user(Role.ADMIN),
    )


def to_pastors_a(orgs: dict[str, Organisation]) -> dict[str, str]:
    """The answers of a hand-over to Street Pastors A."""
    return {"handed_to": "street_pastors", "handed_to_organisation_id": str(orgs["pastors_a"].id)}


def written(
    author: FlaskClient,
    url: str,
    answers: Callable[..., dict[str, Any]],
    handovers: dict[str, dict[str, str]],
) -> dict[str, int]:
    """Post the form at ``url`` once for each named hand-over; the id of each record."""
    ids = {}
    for record, handover in handovers.items():
        response = author.post(url, data=answers(key=record, **handover))
        assert response.status_code == 302, response.get_data(as_text=True)
        ids[record] = record_id(response.headers["Location"])
    return ids


@pytest.fixture
def who(make_user: Callable[..., User], orgs: dict[str, Organisation]) -> People:
    """Everyone, around a record written by the welfare team."""
    return people(make_user, orgs, Role.WELFARE, "team")


def check(
    browser: Browser,
    url_of: Callable[[int], str],
    list_url: str,
    ids: dict[str, int],
    expected: dict[str, dict[str, int]],
    who: People,
) -> None:
    """Each person's status for each record, and the list shows exactly the ones they see."""
    for name, statuses in expected.items():
        client = browser(getattr(who, name))
        for record, status in statuses.items():
            got = client.get(url_of(ids[record])).status_code
            assert got == status, (name, record, got)
        listed = client.get(list_url)
        if all(status == 403 for status in statuses.values()):
            assert listed.status_code == 403, name
            continue
        page = listed.get_data(as_text=True)
        for record, status in statuses.items():
            assert (f'href="{url_of(ids[record])}"' in page) == (status == 200), (name, record)


def test_who_sees_safe_space_uses(
    app: Flask,
    browser: Browser,
    make_user: Callable[..., User],
    make_venue: Callable[..., Venue],
    orgs: dict[str, Organisation],
) -> None:
    who = people(make_user, orgs, Role.PREMISES_STAFF, "bar")
    venue = make_venue(orgs["bar"])
    ids = written(
        browser(who.author),
        "/welfare/safe-space/new",
        partial(safe_space_answers, venue),
        {
            "to_pastors_a": to_pastors_a(orgs),
            "to_team": {"handed_to": "welfare", "handed_to_organisation_id": str(orgs["team"].id)},
            "to_friend": {"handed_to": "friend"},
        },
    )

    every = {"to_pastors_a": 200, "to_team": 200, "to_friend": 200}
    expected = {
        "author": every,
        "colleague": every,
        "same_kind_elsewhere": {"to_pastors_a": 404, "to_team": 404, "to_friend": 404},
        "pastor_a": {"to_pastors_a": 200, "to_team": 404, "to_friend": 404},
        "pastor_b": {"to_pastors_a": 404, "to_team": 404, "to_friend": 404},
        "welfare_team": {"to_pastors_a": 404, "to_team": 200, "to_friend": 404},
        "officer": every,
        "inspector": every,
        "coordinator": every,
        "analyst": {"to_pastors_a": 403, "to_team": 403, "to_friend": 403},
        "admin": {"to_pastors_a": 403, "to_team": 403, "to_friend": 403},
    }
    check(browser, lambda i: f"/welfare/safe-space/{i}", "/welfare/safe-space/", ids, expected, who)


def test_who_sees_welfare_notes(
    app: Flask,
    browser: Browser,
    orgs: dict[str, Organisation],
    who: People,
) -> None:
    ids = written(
        browser(who.author),
        "/welfare/notes/new",
        note_answers,
        {"to_pastors_a": to_pastors_a(orgs), "to_ambulance": {"handed_to": "ambulance"}},
    )

    every = {"to_pastors_a": 200, "to_ambulance": 200}
    nothing = {"to_pastors_a": 404, "to_ambulance": 404}
    expected = {
        "author": every,
        "colleague": every,
        "same_kind_elsewhere": nothing,  # a Street Pastor of B
        "pastor_a": {"to_pastors_a": 200, "to_ambulance": 404},
        "pastor_b": nothing,
        "welfare_team": every,  # the author's organisation
        "premises": nothing,  # may open the list, sees only notes handed to them
        "officer": every,
        "inspector": every,
        "coordinator": every,
        "analyst": {"to_pastors_a": 403, "to_ambulance": 403},
        "admin": {"to_pastors_a": 403, "to_ambulance": 403},
    }
    check(browser, lambda i: f"/welfare/notes/{i}", "/welfare/notes/", ids, expected, who)


def test_a_record_out_of_sight_is_not_audited_as_seen(
    app: Flask,
    browser: Browser,
    orgs: dict[str, Organisation],
    who: People,
) -> None:
    response = browser(who.author).post("/welfare/notes/new", data=note_answers())
    note = record_id(response.headers["Location"])
    assert browser(who.pastor_b).get(f"/welfare/notes/{note}").status_code == 404
    assert browser(who.pastor_b).get("/welfare/notes/999999").status_code == 404
    assert events(app, "welfare_note.viewed") == []


@pytest.mark.parametrize(
    ("role", "safe_space", "notes"),
    [
        (Role.PREMISES_STAFF, True, False),
        (Role.WELFARE, True, True),
        (Role.OFFICER, True, True),
        (Role.INSPECTOR, True, True),
        (Role.COORDINATOR, True, True),
        (Role.ANALYST, False, False),
        (Role.ADMIN, False, False),
    ],
)
def test_the_menu_offers_what_each_role_may_open(
    client: FlaskClient, login_as: Callable[..., User], role: Role, safe_space: bool, notes: bool
) -> None:
    login_as(role)
    page = client.get("/dashboard").get_data(as_text=True)
    assert ('href="/welfare/safe-space/"' in page) == safe_space
    assert ('href="/welfare/notes/"' in page) == notes


@pytest.mark.parametrize("locale", ["en", "cy"])
def test_every_page_renders_without_inline_script(
    app: Flask,
    browser: Browser,
    make_user: Callable[..., User],
    make_venue: Callable[..., Venue],
    orgs: dict[str, Organisation],
    locale: str,
) -> None:
    staff = make_user(Role.PREMISES_STAFF, orgs["bar"], locale=locale)
    pastor = make_user(Role.WELFARE, orgs["pastors_a"], locale=locale)
    venue = make_venue(orgs["bar"])
    staff_browser, pastor_browser = browser(staff), browser(pastor)
    use = staff_browser.post("/welfare/safe-space/new", data=safe_space_answers(venue))
    note = pastor_browser.post("/welfare/notes/new", data=note_answers())
    for client, url in [
        (staff_browser, "/welfare/safe-space/new"),
        (staff_browser, "/welfare/safe-space/"),
        (staff_browser, use.headers["Location"]),
        (pastor_browser, "/welfare/notes/new"),
        (pastor_browser, "/welfare/notes/"),
        (pastor_browser, note.headers["Location"]),
    ]:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert f'<html lang="{locale}"' in page
        assert page.count("<script") == 1 and '<script type="module" src=' in page, url
        assert ' style="' not in page and " onclick=" not in page, url
