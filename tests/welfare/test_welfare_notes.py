"""Writing welfare notes on patrol: the form's rules, hand-overs, and nothing lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from partnership.venues.models import Venue
from partnership.welfare.models import WelfareNote
from tests.conftest import events
from tests.welfare.answers import note_answers
from tests.welfare.conftest import NOW, count, rows

MakeVenue = Callable[..., Venue]
LoginAs = Callable[..., User]


def test_a_street_pastor_writes_a_note_at_a_described_place(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    pastor = login_as(Role.WELFARE)
    page = client.get("/welfare/notes/new").get_data(as_text=True)
    assert 'name="submission_key"' in page and "Just now" in page

    response = client.post("/welfare/notes/new", data=note_answers())
    assert response.status_code == 302, response.get_data(as_text=True)
    (saved,) = rows(app, WelfareNote)
    assert (saved.author_id, saved.organisation_id) == (pastor.id, pastor.organisation_id)
    assert (saved.venue_id, saved.place) == (None, "Bus stop on Kingsway")
    assert saved.occurred_at == NOW
    assert saved.night == date(2026, 11, 27)
    assert saved.support == ["listened", "water"]
    assert (saved.age_band, saved.gender, saved.handed_to) == ("under_18", "not_given", "taxi")
    (created,) = events(app, "welfare_note.created")
    assert (created.object_type, created.object_id) == ("welfare_note", str(saved.id))

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for text in (
        "Bus stop on Kingsway",
        "Under 18",
        "Not given",
        "Water",
        "Somewhere quiet and someone to talk to",
        "A taxi",
        "Lost her friends; waited with her for the taxi",
        "28 November 2026, 00:45",
    ):
        assert text in page, text
    assert events(app, "welfare_note.viewed")[0].object_id == str(saved.id)


def test_a_note_at_a_venue_handed_to_a_welfare_team(
    app: Flask,
    client: FlaskClient,
    login_as: LoginAs,
    make_org: Callable[..., Organisation],
    make_venue: MakeVenue,
) -> None:
    login_as(Role.WELFARE)
    venue = make_venue(make_org(OrgKind.LICENSED_PREMISES), name="Castle Lounge", safe_space=False)
    team = make_org(OrgKind.WELFARE, "Wind Street Welfare Hub")
    page = client.get("/welfare/notes/new").get_data(as_text=True)
    assert "Castle Lounge" in page and "Wind Street Welfare Hub (Welfare)" in page
    data = note_answers(
        venue,
        when="other",
        day="2026-11-27",
        clock="23:40",
        handed_to="welfare",
        handed_to_organisation_id=str(team.id),
    )
    response = client.post("/welfare/notes/new", data=data)
    assert response.status_code == 302
    (saved,) = rows(app, WelfareNote)
    assert (saved.venue_id, saved.handed_to_organisation_id) == (venue.id, team.id)
    assert saved.occurred_at == datetime(2026, 11, 27, 23, 40, tzinfo=UTC)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Castle Lounge" in page
    assert "A welfare team: Wind Street Welfare Hub" in page


def test_the_same_form_sent_twice_makes_one_note(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.WELFARE)
    first = client.post("/welfare/notes/new", data=note_answers(key="same-key"))
    second = client.post("/welfare/notes/new", data=note_answers(key="same-key"))
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, WelfareNote) == 1
    assert len(events(app, "welfare_note.created")) == 1


def test_a_database_failure_brings_the_note_back_filled_and_saves_nothing(
    app: Flask, client: FlaskClient, login_as: LoginAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    login_as(Role.WELFARE)

    def locked(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("INSERT INTO audit_events", {}, Exception("database is locked"))

    monkeypatch.setattr("partnership.welfare.service.audit.record", locked)
    response = client.post("/welfare/notes/new", data=note_answers())
    page = response.get_data(as_text=True)
    # The database did not answer: the same form, kept, as a 503 (see core/outage.py).
    assert response.status_code == 503
    assert "we could not save this just now, so nothing was saved" in page
    assert 'value="Bus stop on Kingsway"' in page
    assert "Lost her friends; waited with her for the taxi" in page
    assert 'value="listened" checked' in page
    assert count(app, WelfareNote) == 0


def test_missing_answers_are_explained_and_kept(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_org: Callable[..., Organisation]
) -> None:
    login_as(Role.WELFARE)
    response = client.post(
        "/welfare/notes/new",
        data=note_answers(place="", handed_to="street_pastors", age_band="25_34"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a venue or describe the place" in page
    assert "Choose which Street Pastors group you handed them to" in page
    assert 'value="25_34" checked' in page
    assert "Lost her friends" in page
    team = make_org(OrgKind.WELFARE)
    page = client.post(
        "/welfare/notes/new",
        data=note_answers(handed_to="street_pastors", handed_to_organisation_id=str(team.id)),
    ).get_data(as_text=True)
    assert "Choose which Street Pastors group you handed them to" in page
    page = client.post("/welfare/notes/new", data=note_answers(handed_to="")).get_data(as_text=True)
    assert "Choose who you handed them over to" in page
    page = client.post(
        "/welfare/notes/new", data=note_answers(when="other", day="2026-11-28", clock="01:00")
    ).get_data(as_text=True)
    assert "The time cannot be in the future" in page
    assert count(app, WelfareNote) == 0


@pytest.mark.parametrize(
    "role",
    [Role.PREMISES_STAFF, Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR, Role.ANALYST, Role.ADMIN],
)
def test_only_welfare_users_write_notes(
    app: Flask, client: FlaskClient, login_as: LoginAs, role: Role
) -> None:
    login_as(role)
    assert client.get("/welfare/notes/new").status_code == 403
    assert client.post("/welfare/notes/new", data=note_answers()).status_code == 403
    assert count(app, WelfareNote) == 0


def test_the_note_list_pages_and_filters_by_night(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    pastor = login_as(Role.WELFARE)
    with app.app_context():
        for number in range(27):
            moment = NOW - timedelta(days=number)
            db.session.add(
                WelfareNote(
                    submission_key=f"bulk{number}",
                    organisation_id=pastor.organisation_id,
                    author_id=pastor.id,
                    occurred_at=moment,
                    night=(moment - timedelta(hours=6)).date(),
                    place=f"Place {number}",
                    handed_to="nobody",
                )
            )
        db.session.commit()
    page = client.get("/welfare/notes/").get_data(as_text=True)
    assert page.count('class="app-record"') == 25
    assert page.index("Place 0<") < page.index("Place 1<")
    cursor = page.split('href="/welfare/notes/?after=')[1].split('"')[0]
    older = client.get(f"/welfare/notes/?after={cursor}").get_data(as_text=True)
    assert older.count('class="app-record"') == 2
    assert "Place 26<" in older
    night = client.get("/welfare/notes/?night_from=2026-11-20").get_data(as_text=True)
    assert night.count('class="app-record"') == 1 and "Place 7<" in night
    bad = client.get("/welfare/notes/?night_from=soon&after=rubbish")
    assert bad.status_code == 200
    assert "Not a valid date value" in bad.get_data(as_text=True)
