"""Submission keys on every form that has one (sightings, Safe Space uses, welfare notes,
public reports): a missing or malformed key, or a key sent again with other answers, gets
a message and the form back with a fresh key, and nothing is saved until the next send;
the same answers sent twice make one record; one person's key never blocks another's."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select

from partnership.auth.models import User
from partnership.core import submissions
from partnership.core.enums import Role
from partnership.extensions import db
from partnership.public.models import PublicReport
from partnership.sightings.models import Sighting
from partnership.venues.models import Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from tests.public.helpers import answers as report_answers
from tests.welfare.answers import note_answers, safe_space_answers


@dataclass(frozen=True)
class Keyed:
    """A form with a submission key: where it posts, who sends it, good answers, a change
    to one of them, what it saves and how it says it saved."""

    url: str
    role: Role | None
    answers: Callable[[Venue], dict[str, Any]]
    changed: dict[str, Any]
    model: type
    saved: int  # the status of a send that saved (a receipt page for public reports)


def _sighting(venue: Venue) -> dict[str, Any]:
    return {
        "venue_id": str(venue.id),
        "when": "now",
        "behaviours": ["aspb.following"],
        "victim_response": "moved_away",
        "action_taken": "ejected",
        "description": "Followed her from the bar to the door",
        "sharing": "partnership",
    }


FORMS = {
    "sighting": Keyed(
        "/sightings/new",
        Role.PREMISES_STAFF,
        _sighting,
        {"description": "Another night, another man"},
        Sighting,
        302,
    ),
    "safe_space_use": Keyed(
        "/welfare/safe-space/new",
        Role.PREMISES_STAFF,
        safe_space_answers,
        {"notes": "Her friends came back for her"},
        SafeSpaceUse,
        302,
    ),
    "welfare_note": Keyed(
        "/welfare/notes/new",
        Role.WELFARE,
        lambda _venue: note_answers(),
        {"notes": "Walked her to the taxi rank"},
        WelfareNote,
        302,
    ),
    "public_report": Keyed(
        "/safety/report",
        None,
        lambda _venue: report_answers(),
        {"description": "Someone else followed me"},
        PublicReport,
        200,
    ),
}
KEY = "a" * 32


@pytest.fixture(params=sorted(FORMS))
def keyed(request: pytest.FixtureRequest) -> Keyed:
    return FORMS[request.param]


@pytest.fixture
def send(
    keyed: Keyed, make_user: Callable[..., User], make_venue: Callable[..., Venue]
) -> Callable[[FlaskClient], Callable[..., Any]]:
    """``send(client)`` makes a new author (no one, for a public report) signed in on
    ``client``, and returns how to send the form as them: ``post(key, **changes)``, where
    a key of None sends none."""

    def sender(client: FlaskClient) -> Callable[..., Any]:
        author = make_user(keyed.role) if keyed.role else None
        venue = make_venue(author.organisation if author else make_user().organisation)
        if author is not None:
            with client.session_transaction() as session:
                session["_user_id"] = author.session_token

        def post(key: str | None, **changes: Any) -> Any:
            data = {**keyed.answers(venue), **changes}
            data.pop("submission_key", None)
            if key is not None:
                data["submission_key"] = key
            return client.post(keyed.url, data=data)

        return post

    return sender


def saved(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def shows(response: Any, message: Any) -> bool:
    return str(escape(str(message))) in response.get_data(as_text=True)


def key_on(response: Any) -> str:
    """The submission key the page's form holds."""
    tag = re.search(r'<input[^>]*name="submission_key"[^>]*>', response.get_data(as_text=True))
    assert tag is not None, "no submission key on the page"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    assert value is not None
    return value.group(1)


def refused(app: Flask, keyed: Keyed, response: Any, message: Any, sent: str | None) -> str:
    """The form came back (400) with ``message``, the answers typed, a fresh key unlike
    ``sent``, and nothing saved; the fresh key is returned."""
    assert response.status_code == 400, response.get_data(as_text=True)
    assert shows(response, message)
    fresh = key_on(response)
    assert re.fullmatch(r"[0-9a-f]{32}", fresh)
    assert fresh != sent
    return fresh


@pytest.mark.parametrize(
    "key",
    [None, "", " ", "k" * 65, "has space", "caf\u00e9-key", "tab\tkey", "nul\x00key", "\x1b"],
    ids=["missing", "empty", "blank", "too_long", "space", "not_ascii", "tab", "nul", "escape"],
)
def test_a_missing_or_malformed_key_is_refused_with_a_fresh_one(
    keyed: Keyed, key: str | None, app: Flask, client: FlaskClient, send: Any
) -> None:
    post = send(client)
    response = post(key)
    fresh = refused(app, keyed, response, submissions.MALFORMED, key)
    assert not shows(response, "invisible control characters")  # one message, not two
    assert saved(app, keyed.model) == 0
    assert post(fresh).status_code == keyed.saved  # sent again, it is saved
    assert saved(app, keyed.model) == 1


def test_the_same_answers_sent_twice_make_one_record(
    keyed: Keyed, app: Flask, client: FlaskClient, send: Any
) -> None:
    post = send(client)
    first, second = post(KEY), post(KEY)
    assert first.status_code == second.status_code == keyed.saved
    assert first.headers.get("Location") == second.headers.get("Location")
    assert saved(app, keyed.model) == 1


def test_a_key_sent_again_with_other_answers_is_refused_not_dropped(
    keyed: Keyed, app: Flask, client: FlaskClient, send: Any
) -> None:
    post = send(client)
    assert post(KEY).status_code == keyed.saved
    again = post(KEY, **keyed.changed)
    fresh = refused(app, keyed, again, submissions.REUSED, KEY)
    for value in keyed.changed.values():
        assert shows(again, value)  # the new answers are still there
    assert saved(app, keyed.model) == 1
    assert post(fresh, **keyed.changed).status_code == keyed.saved
    assert saved(app, keyed.model) == 2


def test_another_persons_key_never_blocks_a_record(
    keyed: Keyed, app: Flask, send: Any, client: FlaskClient
) -> None:
    """Two people whose forms carry the same key: each gets their own record. (Public
    reports have no author: the second, with its other answers, is refused with a fresh
    key as above, and saved when sent again.)"""
    assert send(client)(KEY).status_code == keyed.saved
    post = send(app.test_client())
    response = post(KEY, **keyed.changed)
    if keyed.role is None:
        fresh = refused(app, keyed, response, submissions.REUSED, KEY)
        response = post(fresh, **keyed.changed)
    assert response.status_code == keyed.saved
    assert saved(app, keyed.model) == 2
