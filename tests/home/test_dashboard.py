"""The dashboard: tonight's sightings and Safe Space uses, the organisation's own or all
for police, with a map of tonight's sightings."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.nights import night_of
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.venues.models import Venue
from partnership.welfare.models import SafeSpaceUse

NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("partnership.home.views.utcnow", lambda: NOW)


def add_records(app: Flask, author: User, venue: Venue, when: datetime, key: str) -> None:
    with app.app_context():
        common = {"organisation_id": author.organisation_id, "author_id": author.id}
        db.session.add(
            Sighting(
                **common,
                submission_key=key,
                sharing="partnership",
                occurred_at=when,
                night=night_of(when),
                venue_id=venue.id,
                victim_response="not_known",
                action_taken="no_action",
            )
        )
        db.session.add(
            SafeSpaceUse(
                **common,
                submission_key=key,
                venue_id=venue.id,
                arrived_at=when,
                night=night_of(when),
                handed_to="friend",
            )
        )
        db.session.commit()


def test_tonight_for_bar_staff_and_for_police(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_venue: Callable[..., Venue],
) -> None:
    from tests.conftest import sign_in

    anchor = make_org(OrgKind.LICENSED_PREMISES, "Anchor Ltd")
    neon = make_org(OrgKind.LICENSED_PREMISES, "Neon Ltd")
    anchor_staff = make_user(Role.PREMISES_STAFF, anchor)
    neon_staff = make_user(Role.PREMISES_STAFF, neon)
    anchor_venue = make_venue(anchor, "The Anchor Bar")
    neon_venue = make_venue(neon, "Neon Nightclub")
    add_records(app, anchor_staff, anchor_venue, NOW - timedelta(minutes=20), "a1")
    add_records(app, neon_staff, neon_venue, NOW - timedelta(minutes=10), "n1")
    add_records(app, neon_staff, neon_venue, NOW - timedelta(days=2), "old")  # another night

    sign_in(client, anchor_staff)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1 sighting logged by your organisation tonight." in page
    assert "1 person helped in a Safe Space tonight." in page
    assert "The Anchor Bar" in page and "Neon Nightclub" not in page.split("tonight-heading")[1]
    data = json.loads(page.split("data-map='")[1].split("'")[0])
    assert [p["label"] for p in data["points"]] == ["00:25"]

    officer = make_user(Role.OFFICER)
    police = app.test_client()
    sign_in(police, officer)
    page = police.get("/dashboard").get_data(as_text=True)
    assert "2 sightings logged tonight." in page
    assert "2 people helped in a Safe Space tonight." in page
