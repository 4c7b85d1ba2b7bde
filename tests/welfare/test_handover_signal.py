"""A hand-over to a member organisation is announced with ``handover_made`` (for alerts
and notifications to the organisation that takes the person on): once, after the record
is flushed; a hand-over to a friend, a taxi or nobody in particular announces nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.signals import handover_made
from partnership.venues.models import Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from tests.welfare.answers import note_answers, safe_space_answers
from tests.welfare.conftest import rows

Heard = list[tuple[str, int, int | None]]


def listening(heard: Heard) -> Callable[..., None]:
    def receiver(record: Any, *, now: datetime, **_details: Any) -> None:
        assert record.id is not None and now is not None  # flushed before it is sent
        heard.append((record.__tablename__, record.id, record.handed_to_organisation_id))

    return receiver


def test_a_safe_space_hand_over_to_street_pastors_is_announced_once(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_venue: Callable[..., Venue],
    make_org: Callable[..., Organisation],
) -> None:
    staff = login_as(Role.PREMISES_STAFF)
    venue = make_venue(staff.organisation)
    pastors = make_org(OrgKind.STREET_PASTORS, "Swansea Street Pastors")
    heard: Heard = []
    with handover_made.connected_to(listening(heard)):
        to_friend = client.post("/welfare/safe-space/new", data=safe_space_answers(venue))
        handed = client.post(
            "/welfare/safe-space/new",
            data=safe_space_answers(
                venue,
                key="h" * 32,
                handed_to="street_pastors",
                handed_to_organisation_id=str(pastors.id),
            ),
        )
    assert (to_friend.status_code, handed.status_code) == (302, 302)
    first, second = rows(app, SafeSpaceUse)
    assert first.handed_to_organisation_id is None
    assert heard == [("safe_space_uses", second.id, pastors.id)]


def test_a_welfare_note_handed_to_a_welfare_team_is_announced_once(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> None:
    login_as(Role.WELFARE)
    team = make_org(OrgKind.WELFARE, "Night Welfare Team")
    heard: Heard = []
    with handover_made.connected_to(listening(heard)):
        by_taxi = client.post("/welfare/notes/new", data=note_answers())
        handed = client.post(
            "/welfare/notes/new",
            data=note_answers(
                key="w" * 32, handed_to="welfare", handed_to_organisation_id=str(team.id)
            ),
        )
    assert (by_taxi.status_code, handed.status_code) == (302, 302)
    _first, second = rows(app, WelfareNote)
    assert heard == [("welfare_notes", second.id, team.id)]
