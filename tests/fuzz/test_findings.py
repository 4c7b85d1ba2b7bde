"""The malformed inputs found on main, one by one (NUL bytes PostgreSQL cannot store, ids
beyond 64 bits, dates past the year 9999 once 48 hours are added): each now comes back
with the form and a message on the field, and nothing is written. The fuzz tests in this
folder look for more of the same; these name the ones that were found."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select

from partnership.core.forms import CONTROL_MESSAGE, DATE_MESSAGE
from partnership.core.models import AuditEvent
from partnership.extensions import db
from tests.fuzz.harness import Body, Visit, baseline, learn_form
from tests.public.helpers import answers as report_answers

HUGE = "99999999999999999999999"
NOT_ONE_OF_THEM = "Not a valid choice."

# endpoint, field, value sent, status, the message on the field
CASES = [
    ("auth.login", "email", "ann\x00@example.org", 200, CONTROL_MESSAGE),
    ("venues.venue_create", "name", "The\x00Anchor", 400, CONTROL_MESSAGE),
    ("venues.area_create", "name", "Wind\x00Street", 400, CONTROL_MESSAGE),
    ("admin.organisation_create", "name", "Pastors\x00", 400, CONTROL_MESSAGE),
    ("subjects.access_request", "reference", "RF-2026-\x000001", 400, CONTROL_MESSAGE),
    ("sightings.create", "venue_id", HUGE, 400, NOT_ONE_OF_THEM),
    (
        "venues.venue_create",
        "organisation_id",
        HUGE,
        400,
        "Choose a licensed premises organisation: venues belong to one",
    ),
    (
        "orders.authorisation_create",
        "area_id",
        HUGE,
        400,
        "Choose one of the areas listed, or draw the locality on the map",
    ),
    (
        "orders.direction_create",
        "authorisation_id",
        HUGE,
        400,
        "Choose the authorisation the direction is given under",
    ),
    ("orders.direction_create", "given_day", "9999-12-31", 400, DATE_MESSAGE),
    ("orders.direction_create", "date_of_birth", "0001-01-01", 400, DATE_MESSAGE),
]


def _events(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.mark.parametrize(("endpoint", "name", "value", "status", "message"), CASES)
def test_a_malformed_answer_found_on_main_comes_back_with_a_message(
    endpoint: str,
    name: str,
    value: str,
    status: int,
    message: object,
    app: Flask,
    client: FlaskClient,
    found: Visit,
) -> None:
    answers = baseline(learn_form(client, found), found.good)
    answers[name] = [value]
    pairs = [(key.encode(), v.encode()) for key, values in answers.items() for v in values]
    body, content_type = Body(pairs).encode()
    found.sign_in()
    before = _events(app)
    response = client.post(found.url, data=body, content_type=content_type)
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert 'class="govuk-error-summary' in page
    assert str(escape(str(message))) in page
    assert _events(app) == before  # nothing written, not even a failed sign-in


def test_an_unknown_behaviour_sent_after_the_public_session_ended(
    app: Flask, other_app: Callable[..., Flask]
) -> None:
    """With the session gone the form token fails, and the step comes back unchecked: an
    unknown behaviour code in it is left out of the summary rather than failing it."""
    client = other_app(WTF_CSRF_ENABLED=True).test_client()
    data = report_answers(behaviours=["assb.nonsense", "aspb.following"], csrf_token="stale")
    response = client.post("/safety/report", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "Your session ended, so nothing has been sent yet." in page
    assert "assb.nonsense" not in page.split('class="govuk-summary-list')[1].split("</dl>")[0]
