"""A sighting logged in one step from a Safe Space use or a welfare note."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.sightings.models import Sighting
from partnership.venues.models import Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from tests.conftest import events
from tests.welfare.answers import note_answers, safe_space_answers
from tests.welfare.conftest import record_id, rows


def sighting_answers(source: str) -> dict[str, object]:
    return {
        "submission_key": "s" * 32,
        "source": source,
        "venue_id": "",
        "place": "Near the taxi rank",
        "when": "now",
        "behaviours": ["aspb.following"],
        "victim_response": "asked_for_help",
        "action_taken": "safe_space_offered",
        "sharing": "partnership",
    }


def test_a_safe_space_use_becomes_a_sighting_in_one_step(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_venue: Callable[..., Venue],
) -> None:
    staff = login_as(Role.PREMISES_STAFF)
    venue = make_venue(staff.organisation)
    location = client.post("/welfare/safe-space/new", data=safe_space_answers(venue)).headers[
        "Location"
    ]
    use_id = record_id(location)
    detail = client.get(location).get_data(as_text=True)
    assert f"/sightings/new?source=safe_space_use:{use_id}" in detail

    form = client.get(f"/sightings/new?source=safe_space_use:{use_id}").get_data(as_text=True)
    assert f'value="safe_space_use:{use_id}"' in form
    assert f'<option value="{venue.id}" selected' in form

    # The form carries the version of the record it is logged from (1: unchanged since).
    response = client.post(
        "/sightings/new", data={**sighting_answers(f"safe_space_use:{use_id}"), "version": "1"}
    )
    assert response.status_code == 302
    (sighting,) = rows(app, Sighting)
    (use,) = rows(app, SafeSpaceUse)
    assert use.sighting_id == sighting.id
    assert events(app, "safe_space_use.sighting_linked")
    assert f"/sightings/{sighting.id}" in client.get(location).get_data(as_text=True)


def test_a_welfare_note_concern_becomes_a_sighting(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.WELFARE)
    location = client.post("/welfare/notes/new", data=note_answers()).headers["Location"]
    note_id = record_id(location)
    form = client.get(f"/sightings/new?source=welfare_note:{note_id}").get_data(as_text=True)
    assert 'value="Bus stop on Kingsway"' in form
    client.post(
        "/sightings/new", data={**sighting_answers(f"welfare_note:{note_id}"), "version": "1"}
    )
    (note,) = rows(app, WelfareNote)
    (sighting,) = rows(app, Sighting)
    assert note.sighting_id == sighting.id


def test_a_record_someone_may_not_see_is_not_linked(
    app: Flask,
    make_user: Callable[..., User],
    login_as: Callable[..., User],
    client: FlaskClient,
) -> None:
    from tests.conftest import sign_in

    pastor = make_user(Role.WELFARE)
    other = app.test_client()
    sign_in(other, pastor)
    location = other.post("/welfare/notes/new", data=note_answers()).headers["Location"]
    note_id = record_id(location)

    login_as(Role.PREMISES_STAFF)  # another organisation: may not see the note
    form = client.get(f"/sightings/new?source=welfare_note:{note_id}").get_data(as_text=True)
    assert "Bus stop on Kingsway" not in form
    client.post("/sightings/new", data=sighting_answers(f"welfare_note:{note_id}"))
    (note,) = rows(app, WelfareNote)
    assert note.sighting_id is None
