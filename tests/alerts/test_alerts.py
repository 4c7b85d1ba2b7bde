"""Alerts: what raises each kind and for whom, who sees which (and for how long), the
count in the header, marking read, the audit trail, and no personal details ever."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from partnership.alerts.models import Alert, AlertRead
from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.signals import subject_linked
from partnership.extensions import db
from partnership.sightings import service as sightings_service
from partnership.subjects import service as subjects_service
from partnership.subjects.models import SubjectLink
from partnership.subjects.visibility import find_visible_subject
from partnership.venues.models import Venue
from partnership.welfare.models import SafeSpaceUse
from tests.conftest import Clock, events, fix_clock

MakeUser = Callable[..., User]
MakeOrg = Callable[..., Organisation]
MakeVenue = Callable[..., Venue]
LoginAs = Callable[..., User]

NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)  # 00:45 on Saturday: Friday night
NIGHT = "Friday 27 November 2026"
RECEIVERS = (Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR)
LOOKS = {"apparent_sex": "male", "age_band": "25_34", "height": "tall"}


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(
        monkeypatch,
        NOW,
        "partnership.alerts.views",
        "partnership.home.views",
        "partnership.subjects.views",
        "partnership.sightings.views",
        "partnership.core.models",  # the header's count
    )


# --- making records (each in its own app context, closed before any request) -------


def record_subject(app: Flask, officer: User, *notes: str) -> int:
    """A subject with a name and date of birth, and a note of each sharing in ``notes``
    ("police" notes say CANARY-POLICE-NOTE), recorded through the subjects' service so
    that its signals raise the alerts (tests/subjects/factories.py makes rows without
    them)."""
    with app.app_context():
        actor = db.session.get(User, officer.id)
        assert actor is not None
        subject = subjects_service.create_subject(
            actor,
            subjects_service.SubjectData(
                description="Tall man who waits outside the toilets",
                name="Canary Name",
                aliases="Birdy",
                date_of_birth=date(1990, 1, 2),
                address="1 Canary Street",
                **LOOKS,
            ),
            NOW,
        )
        for sharing in notes:
            text = "CANARY-POLICE-NOTE" if sharing == "police" else "CANARY-SHARED-NOTE"
            subjects_service.add_note(
                actor, subject, subjects_service.NoteData(text=text, sharing=sharing), NOW
            )
        db.session.commit()
        return int(subject.id)


def add_note(app: Flask, officer: User, subject_id: int, sharing: str, when: datetime) -> None:
    with app.app_context():
        actor = db.session.get(User, officer.id)
        assert actor is not None
        subject = find_visible_subject(actor, subject_id, when.date())
        assert subject is not None
        subjects_service.add_note(
            actor, subject, subjects_service.NoteData(text="Seen again", sharing=sharing), when
        )
        db.session.commit()


def add_sighting(
    app: Flask,
    author: User,
    venue: Venue | None,
    key: str,
    when: datetime = NOW,
    sharing: str = "partnership",
    **described: str,
) -> int:
    """A sighting recorded through the service (so its alerts are raised), with free text
    that must never reach an alert."""
    with app.app_context():
        actor = db.session.get(User, author.id)
        assert actor is not None
        data = sightings_service.SightingData(
            occurred_at=when,
            venue_id=venue.id if venue else None,
            place="" if venue else "CANARY-PLACE",
            latitude=None,
            longitude=None,
            behaviours=["aspb.loitering"],
            other_behaviour="",
            victim_response="not_known",
            action_taken="no_action",
            description="CANARY-SIGHTING-TEXT",
            sharing=sharing,
            **described,
        )
        sighting = sightings_service.record_sighting(actor, data, [], key, when)
        db.session.commit()
        return int(sighting.id)


def link(app: Flask, subject_id: int, by: User, when: datetime = NOW, **record: int) -> int:
    """Link a record to a subject as the linking screens do, then raise its alerts."""
    with app.app_context():
        row = SubjectLink(
            subject_id=subject_id,
            linked_by_id=by.id,
            organisation_id=by.organisation_id,
            linked_at=when,
            **record,
        )
        db.session.add(row)
        db.session.flush()
        subject_linked.send(row, now=when)
        db.session.commit()
        return int(row.id)


def add_safe_space_use(app: Flask, author: User, venue: Venue, key: str) -> int:
    with app.app_context():
        use = SafeSpaceUse(
            submission_key=key,
            organisation_id=author.organisation_id,
            author_id=author.id,
            venue_id=venue.id,
            arrived_at=NOW,
            night=date(2026, 11, 27),
            handed_to="friend",
            notes="CANARY-SAFE-SPACE-NOTES",
        )
        db.session.add(use)
        db.session.commit()
        return int(use.id)


def alerts(app: Flask, **where: Any) -> list[Alert]:
    with app.app_context():
        query = select(Alert).order_by(Alert.id)
        for name, value in where.items():
            query = query.where(getattr(Alert, name) == value)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def header_count(page: str) -> int | None:
    """The unread count the header announces, 0 for a bare "Alerts" link, None for none."""
    found = re.search(r"Alerts: (\d+) unread alert", page)
    if found:
        return int(found.group(1))
    return 0 if 'class="govuk-link govuk-link--inverse app-header__alerts"' in page else None


@pytest.fixture
def town(make_org: MakeOrg, make_user: MakeUser, make_venue: MakeVenue) -> dict[str, Any]:
    """Two bars (each an organisation with a venue and a member of staff), police, a
    coordinator, a Street Pastor, an analyst and an administrator."""
    anchor = make_org(OrgKind.LICENSED_PREMISES, "Anchor Ltd")
    neon = make_org(OrgKind.LICENSED_PREMISES, "Neon Ltd")
    return {
        "anchor": make_venue(anchor, "The Anchor Bar"),
        "neon": make_venue(neon, "Neon Nightclub"),
        "anchor_staff": make_user(Role.PREMISES_STAFF, anchor),
        "neon_staff": make_user(Role.PREMISES_STAFF, neon),
        "officer": make_user(Role.OFFICER),
        "inspector": make_user(Role.INSPECTOR),
        "coordinator": make_user(Role.COORDINATOR),
        "pastor": make_user(Role.WELFARE),
        "analyst": make_user(Role.ANALYST),
        "admin": make_user(Role.ADMIN),
    }


def page_as(client: FlaskClient, login_as: LoginAs, user: User, path: str = "/alerts/") -> str:
    login_as(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# --- what raises which alert, for whom ------------------------------------------------


def test_a_sighting_linked_to_a_subject_with_active_notes_alerts_police_coordinators_and_the_venue(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    subject_id = record_subject(app, town["officer"], "police", "partnership")
    sighting_id = add_sighting(app, town["anchor_staff"], town["anchor"], "s1")
    link(app, subject_id, town["officer"], sighting_id=sighting_id)

    by_audience = {(a.kind, a.audience, a.organisation_id) for a in alerts(app)}
    assert by_audience == {
        ("subject_linked", "police", None),
        ("subject_linked", "coordinators", None),
        ("seen_at_your_venue", "organisation", town["anchor"].organisation_id),
    }
    linked = (
        f"Red flag RF-2026-0001, which has active notes, has been linked to a sighting at "
        f"The Anchor Bar on the night of {NIGHT}."
    )
    for reader in ("officer", "inspector", "coordinator"):
        page = page_as(client, login_as, town[reader])
        assert linked in page
        assert f'href="/subjects/{subject_id}"' in page  # the profile, which asks why
        assert "seen at The Anchor Bar" not in page
    page = page_as(client, login_as, town["anchor_staff"])
    assert (
        f"Red flag RF-2026-0001, shared with the partnership, was seen at The Anchor Bar "
        f"on the night of {NIGHT}." in page
    )
    assert f'href="/subjects/{subject_id}"' in page
    assert "has been linked to a sighting" not in page
    for reader in ("neon_staff", "pastor"):
        assert "RF-2026-0001" not in page_as(client, login_as, town[reader])


def test_another_organisation_cannot_see_or_mark_the_venues_alert(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    subject_id = record_subject(app, town["officer"], "partnership")
    sighting_id = add_sighting(app, town["anchor_staff"], town["anchor"], "s1")
    link(app, subject_id, town["officer"], sighting_id=sighting_id)
    (venue_alert,) = alerts(app, kind="seen_at_your_venue")
    (police_alert,) = alerts(app, audience="police")

    login_as(town["neon_staff"])
    assert client.post(f"/alerts/{venue_alert.id}/read").status_code == 404
    assert client.post(f"/alerts/{police_alert.id}/read").status_code == 404
    login_as(town["coordinator"])
    assert client.post(f"/alerts/{venue_alert.id}/read").status_code == 404
    login_as(town["officer"])
    assert client.post(f"/alerts/{venue_alert.id}/read").status_code == 404
    login_as(town["anchor_staff"])
    assert client.post(f"/alerts/{police_alert.id}/read").status_code == 404
    assert client.post(f"/alerts/{venue_alert.id}/read").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AlertRead)) == 1


def test_a_subject_with_only_police_notes_alerts_police_alone(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    subject_id = record_subject(app, town["officer"], "police")
    sighting_id = add_sighting(app, town["anchor_staff"], town["anchor"], "s1")
    link(app, subject_id, town["officer"], sighting_id=sighting_id)

    assert "RF-2026-0001" in page_as(client, login_as, town["officer"])
    assert not alerts(app, audience="organisation")
    for reader in ("coordinator", "anchor_staff", "neon_staff", "pastor"):
        page = page_as(client, login_as, town[reader])
        assert "RF-2026-0001" not in page
        assert header_count(page) == 0
        assert "RF-2026-0001" not in page_as(client, login_as, town[reader], "/dashboard")


def test_a_subject_without_active_notes_and_records_other_than_sightings_raise_no_police_alert(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any], clock: Clock
) -> None:
    bare = record_subject(app, town["officer"])  # no notes at all
    link(app, bare, town["officer"], sighting_id=add_sighting(app, town["officer"], None, "s1"))
    assert alerts(app) == []

    shared = record_subject(app, town["officer"], "partnership")
    use_id = add_safe_space_use(app, town["anchor_staff"], town["anchor"], "u1")
    link(app, shared, town["anchor_staff"], safe_space_use_id=use_id)
    (only,) = alerts(app)  # a Safe Space use tells the venue, not police
    assert (only.kind, only.organisation_id) == (
        "seen_at_your_venue",
        town["anchor"].organisation_id,
    )


def test_a_police_only_sighting_is_told_to_neither_the_venue_nor_the_coordinators(
    app: Flask, town: dict[str, Any]
) -> None:
    subject_id = record_subject(app, town["officer"], "partnership")
    sighting_id = add_sighting(app, town["officer"], town["anchor"], "s1", sharing="police")
    link(app, subject_id, town["officer"], sighting_id=sighting_id)
    assert {a.audience for a in alerts(app)} == {"police"}


def test_a_partnership_note_tells_each_venue_that_saw_the_subject(
    app: Flask,
    client: FlaskClient,
    login_as: LoginAs,
    town: dict[str, Any],
    make_org: MakeOrg,
    make_user: MakeUser,
    make_venue: MakeVenue,
) -> None:
    quiet = make_org(OrgKind.LICENSED_PREMISES, "Quiet Ltd")
    quiet_venue = make_venue(quiet, "The Quiet Bar")
    quiet_staff = make_user(Role.PREMISES_STAFF, quiet)
    subject_id = record_subject(app, town["officer"], "police")
    officer = town["officer"]
    link(app, subject_id, officer, sighting_id=add_sighting(app, officer, town["anchor"], "a1"))
    link(
        app,
        subject_id,
        officer,
        safe_space_use_id=add_safe_space_use(app, town["anchor_staff"], town["anchor"], "u1"),
    )
    link(app, subject_id, officer, sighting_id=add_sighting(app, officer, town["neon"], "n1"))
    link(app, subject_id, officer, sighting_id=add_sighting(app, officer, None, "street"))
    police_only = add_sighting(app, officer, quiet_venue, "q1", sharing="police")
    link(app, subject_id, officer, sighting_id=police_only)
    assert alerts(app, audience="organisation") == []

    add_note(app, officer, subject_id, "police", NOW + timedelta(hours=1))
    assert alerts(app, audience="organisation") == []  # a police note tells no venue

    add_note(app, officer, subject_id, "partnership", NOW + timedelta(hours=2))
    told = alerts(app, audience="organisation")
    assert sorted(a.organisation_id for a in told) == sorted(
        [town["anchor"].organisation_id, town["neon"].organisation_id]
    )
    page = page_as(client, login_as, town["anchor_staff"])
    assert (
        "A note shared with the partnership has been added to red flag RF-2026-0001, "
        "who has been seen at The Anchor Bar." in page
    )
    assert "Neon Nightclub" not in page
    assert "RF-2026-0001" in page_as(client, login_as, town["neon_staff"])
    assert "RF-2026-0001" not in page_as(client, login_as, quiet_staff)


def test_three_sightings_at_a_venue_in_one_night_make_one_alert_whose_count_grows(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    staff, anchor = town["anchor_staff"], town["anchor"]
    add_sighting(app, staff, anchor, "a1")
    add_sighting(app, staff, anchor, "a2", when=NOW - timedelta(hours=4))  # 20:45, same night
    add_sighting(app, staff, town["neon"], "n1")
    add_sighting(app, staff, anchor, "old", when=NOW - timedelta(days=1))  # the night before
    assert alerts(app, kind="busy_venue") == []

    add_sighting(app, staff, anchor, "a3", sharing="organisation")  # every level counts
    busy = alerts(app, kind="busy_venue")
    assert sorted(a.audience for a in busy) == ["coordinators", "police"]
    assert all(a.details["count"] == 3 and a.night == date(2026, 11, 27) for a in busy)

    add_sighting(app, staff, anchor, "a4")
    again = alerts(app, kind="busy_venue")
    assert [a.id for a in again] == [a.id for a in busy]
    assert all(a.details["count"] == 4 for a in again)
    assert len([e for e in events(app, "alert.raised") if e.details["kind"] == "busy_venue"]) == 2

    page = page_as(client, login_as, town["officer"])
    assert f"4 sightings at The Anchor Bar on the night of {NIGHT}." in page
    assert "/sightings/?venue=" in page and "night_from=2026-11-27" in page
    page = page_as(client, login_as, town["coordinator"])
    assert f"Fewer than 5 sightings at The Anchor Bar on the night of {NIGHT}." in page
    assert "4 sightings" not in page
    assert "/sightings/" not in page  # coordinators cannot open sightings
    for reader in ("anchor_staff", "neon_staff", "pastor"):
        assert "sightings at The Anchor Bar" not in page_as(client, login_as, town[reader])

    add_sighting(app, staff, anchor, "a5")  # 5 or more: the number, as in the reports
    page = page_as(client, login_as, town["coordinator"])
    assert f"5 sightings at The Anchor Bar on the night of {NIGHT}." in page


def test_police_only_sightings_are_not_counted_in_the_coordinators_alerts(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    """Reports show coordinators "<5"; an alert could otherwise tell them, the same night,
    that police recorded sightings at a venue and how many."""
    officer, anchor = town["officer"], town["anchor"]
    for key in ("p1", "p2", "p3"):
        add_sighting(app, officer, anchor, key, sharing="police")
    (busy,) = alerts(app, kind="busy_venue")
    assert (busy.audience, busy.details["count"]) == ("police", 3)
    page = page_as(client, login_as, town["coordinator"])
    assert "The Anchor Bar" not in page
    assert f"3 sightings at The Anchor Bar on the night of {NIGHT}." in page_as(
        client, login_as, officer
    )

    for key in ("s1", "s2"):
        add_sighting(app, town["anchor_staff"], anchor, key)
    assert alerts(app, kind="busy_venue", audience="coordinators") == []
    add_sighting(app, town["anchor_staff"], anchor, "s3")
    (told,) = alerts(app, kind="busy_venue", audience="coordinators")
    assert told.details["count"] == 3  # the shared ones only
    (police,) = alerts(app, kind="busy_venue", audience="police")
    assert police.details["count"] == 6
    page = page_as(client, login_as, town["coordinator"])
    assert f"Fewer than 5 sightings at The Anchor Bar on the night of {NIGHT}." in page


def test_a_police_only_sighting_is_left_out_of_the_coordinators_recurring_description(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    officer, staff = town["officer"], town["anchor_staff"]
    hidden = add_sighting(app, officer, town["anchor"], "p1", sharing="police", **LOOKS)
    latest = add_sighting(app, town["neon_staff"], town["neon"], "n1", **LOOKS)
    (police,) = alerts(app, kind="description_recurs")
    assert police.audience == "police" and police.details["sighting_ids"] == [hidden]
    assert "also seen at" not in page_as(client, login_as, town["coordinator"])

    shared = add_sighting(app, staff, town["anchor"], "a1", when=NOW - timedelta(days=1), **LOOKS)
    told = alerts(app, kind="description_recurs", audience="coordinators")
    assert [a.details["sighting_ids"] for a in told] == [[latest]]
    # A police-only sighting that matches shared ones raises nothing for coordinators.
    later = NOW - timedelta(days=2)
    add_sighting(app, officer, town["neon"], "p2", when=later, sharing="police", **LOOKS)
    assert len(alerts(app, kind="description_recurs", audience="police")) == 3
    told_again = alerts(app, kind="description_recurs", audience="coordinators")
    assert [a.sighting_id for a in told_again] == [shared]


def test_a_busy_night_logged_through_the_form_raises_the_alert(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    login_as(town["anchor_staff"])
    for key in ("f1", "f2", "f3"):
        response = client.post(
            "/sightings/new",
            data={
                "submission_key": key * 16,
                "venue_id": str(town["anchor"].id),
                "when": "now",
                "behaviours": ["aspb.staring"],
                "victim_response": "moved_away",
                "action_taken": "spoke_to",
                "sharing": "organisation",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    assert len(alerts(app, kind="busy_venue")) == 2


def test_a_description_recurring_at_another_venue_alerts_police_and_coordinators(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    staff = town["anchor_staff"]
    first = add_sighting(
        app,
        staff,
        town["anchor"],
        "a1",
        when=NOW - timedelta(days=3),
        clothing="Red jacket",
        **LOOKS,
    )
    add_sighting(app, staff, town["anchor"], "a2", **LOOKS)  # the same venue again: no alert
    assert alerts(app, kind="description_recurs") == []
    add_sighting(app, staff, town["neon"], "n1", apparent_sex="female", age_band="25_34")
    assert alerts(app, kind="description_recurs") == []  # a different person

    latest = add_sighting(
        app, town["neon_staff"], town["neon"], "n2", clothing="red jacket, jeans", **LOOKS
    )
    recurs = alerts(app, kind="description_recurs")
    assert sorted(a.audience for a in recurs) == ["coordinators", "police"]
    assert all(a.sighting_id == latest for a in recurs)
    assert all(a.details["venue_ids"] == [town["anchor"].id] for a in recurs)
    assert all(first in a.details["sighting_ids"] for a in recurs)
    assert all(a.details["fields"] == ["apparent_sex", "age_band", "height"] for a in recurs)

    message = (
        f"A person described like one seen at Neon Nightclub on the night of {NIGHT} was "
        "also seen at The Anchor Bar within 7 nights. These agree: Apparent sex, Apparent age, "
        "and Height; so do words describing their clothing or features."
    )
    page = page_as(client, login_as, town["officer"])
    assert message in page
    assert f'href="/sightings/{latest}"' in page
    page = page_as(client, login_as, town["coordinator"])
    assert message in page
    assert "/sightings/" not in page
    assert "within 7 nights" not in page_as(client, login_as, town["neon_staff"])
    assert "jacket" not in page  # the words are not repeated


def test_a_description_seen_a_week_or_more_apart_does_not_recur(
    app: Flask, town: dict[str, Any]
) -> None:
    staff = town["anchor_staff"]
    add_sighting(app, staff, town["anchor"], "a1", when=NOW - timedelta(days=7), **LOOKS)
    add_sighting(app, staff, town["neon"], "n1", **LOOKS)
    add_sighting(app, staff, None, "street", **LOOKS)  # not at a venue: not across venues
    assert alerts(app, kind="description_recurs") == []


# --- reading them ---------------------------------------------------------------------


def test_the_venues_alert_goes_when_the_partnership_note_expires(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any], clock: Clock
) -> None:
    subject_id = record_subject(app, town["officer"], "police", "partnership")
    link(
        app,
        subject_id,
        town["officer"],
        sighting_id=add_sighting(app, town["officer"], town["anchor"], "s1"),
    )
    (venue_alert,) = alerts(app, kind="seen_at_your_venue")

    page = page_as(client, login_as, town["anchor_staff"], "/dashboard")
    assert header_count(page) == 1
    assert "RF-2026-0001" in page
    assert "RF-2026-0001" in page_as(client, login_as, town["coordinator"])

    clock.now = NOW + timedelta(days=91)  # past the review date, before any expiry run
    for reader in ("anchor_staff", "coordinator"):
        page = page_as(client, login_as, town[reader], "/dashboard")
        assert "RF-2026-0001" not in page
        assert header_count(page) == 0
        assert "RF-2026-0001" not in page_as(client, login_as, town[reader])
    login_as(town["anchor_staff"])
    assert client.post(f"/alerts/{venue_alert.id}/read").status_code == 404
    assert "RF-2026-0001" in page_as(client, login_as, town["officer"])  # police still do


def test_marking_read_lowers_the_count_for_that_reader_only(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    staff, anchor = town["anchor_staff"], town["anchor"]
    for key in ("a1", "a2", "a3"):
        add_sighting(app, staff, anchor, key)
    add_sighting(app, staff, town["neon"], "n1", **LOOKS)
    add_sighting(app, staff, anchor, "a4", **LOOKS)  # recurs
    subject_id = record_subject(app, town["officer"], "police")
    link(app, subject_id, town["officer"], sighting_id=add_sighting(app, staff, town["neon"], "n2"))
    first, second, third = (a.id for a in alerts(app, audience="police"))

    page = page_as(client, login_as, town["officer"], "/dashboard")
    assert header_count(page) == 3
    assert page.count(">Mark as read</button>") == 3
    assert 'href="/alerts/"' in page

    evil = client.post(f"/alerts/{first}/read", data={"next": "https://evil.example/"})
    assert evil.headers["Location"] == "/alerts/"
    response = client.post(f"/alerts/{second}/read", data={"next": "/dashboard"})
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert header_count(page) == 1
    assert page.count(">Mark as read</button>") == 1
    list_page = client.get("/alerts/").get_data(as_text=True)
    assert list_page.count(">Unread</strong>") == 1
    assert list_page.count('data-alert="') == 3  # read ones stay listed

    assert header_count(page_as(client, login_as, town["inspector"])) == 3  # theirs to read

    login_as(town["officer"])
    response = client.post("/alerts/read", data={"next": "/alerts/"})
    assert response.headers["Location"] == "/alerts/"
    page = client.get("/dashboard").get_data(as_text=True)
    assert header_count(page) == 0
    assert "No unread alerts." in page
    assert client.post(f"/alerts/{third}/read").status_code == 302  # already read: fine

    reads = events(app, "alert.read")
    assert [e.object_id for e in reads] == [str(first), str(second), str(third)]
    assert reads[-1].details["already_read"] is True
    (all_read,) = events(app, "alert.all_read")
    assert all_read.details["marked"] == 1
    assert all_read.actor_id == town["officer"].id


def test_the_dashboard_shows_five_and_the_list_pages_older_alerts(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    with app.app_context():
        for number in range(30):
            db.session.add(
                Alert(
                    key=f"busy_venue:police:{town['anchor'].id}:{number}",
                    kind="busy_venue",
                    audience="police",
                    venue_id=town["anchor"].id,
                    night=date(2026, 11, 27) - timedelta(days=number),
                    details={"count": 3 + number},
                    created_at=NOW - timedelta(minutes=number // 2),  # ties on the time
                )
            )
        db.session.commit()
    page = page_as(client, login_as, town["officer"], "/dashboard")
    assert page.count(">Mark as read</button>") == 5
    assert header_count(page) == 30

    # Newest first; of two made at the same moment, the later one first.
    expected = [3 + n for n in sorted(range(30), key=lambda n: (n // 2, -n))]
    first = client.get("/alerts/").get_data(as_text=True)
    counts = [int(n) for n in re.findall(r"(\d+) sightings at The Anchor Bar", first)]
    assert counts == expected[:25]
    older = re.search(r'href="(/alerts/\?after=[^"]+)" rel="next"', first)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    counts = [int(n) for n in re.findall(r"(\d+) sightings at The Anchor Bar", second)]
    assert counts == expected[25:]
    assert 'rel="next"' not in second and "Newest" in second
    assert client.get("/alerts/?after=nonsense").status_code == 200
    assert client.get("/alerts/?after=99999999999999999999999-1").status_code == 200


def test_only_the_roles_with_alerts_have_them(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    for key in ("a1", "a2", "a3"):
        add_sighting(app, town["anchor_staff"], town["anchor"], key)
    (alert, _coordinators) = alerts(app)
    for reader in ("analyst", "admin"):
        login_as(town[reader])
        assert client.get("/alerts/").status_code == 403
        assert client.post(f"/alerts/{alert.id}/read").status_code == 403
        assert client.post("/alerts/read").status_code == 403
        page = client.get("/dashboard").get_data(as_text=True)
        assert header_count(page) is None
        assert 'id="alerts-heading"' not in page
    for role in RECEIVERS:
        member = next(town[k] for k in town if isinstance(town[k], User) and town[k].role == role)
        page = page_as(client, login_as, member, "/dashboard")
        assert header_count(page) is not None
        assert 'id="alerts-heading"' in page


def test_alerts_are_audited(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    subject_id = record_subject(app, town["officer"], "partnership")
    link(
        app,
        subject_id,
        town["officer"],
        sighting_id=add_sighting(app, town["anchor_staff"], town["anchor"], "s1"),
    )
    raised = events(app, "alert.raised")
    assert len(raised) == len(alerts(app)) == 3
    assert all(e.actor_id is None for e in raised)
    assert sorted(e.details["kind"] for e in raised) == [
        "seen_at_your_venue",
        "subject_linked",
        "subject_linked",
    ]

    page_as(client, login_as, town["officer"])
    (listed,) = events(app, "alert.listed")
    assert listed.actor_id == town["officer"].id
    assert listed.details["shown"] == 1 and listed.details["where"] == "alerts"
    page_as(client, login_as, town["anchor_staff"], "/dashboard")
    assert events(app, "alert.listed")[-1].details["where"] == "dashboard"
    page_as(client, login_as, town["neon_staff"], "/dashboard")  # nothing shown: no event
    assert len(events(app, "alert.listed")) == 2


def test_no_alert_ever_shows_personal_details_notes_or_free_text(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    subject_id = record_subject(app, town["officer"], "police", "partnership")
    staff, anchor = town["anchor_staff"], town["anchor"]
    for key in ("a1", "a2"):
        add_sighting(app, staff, anchor, key, clothing="Canary coloured jacket", **LOOKS)
    add_sighting(app, staff, town["neon"], "n1", clothing="Canary coloured jacket", **LOOKS)
    sighting_id = add_sighting(app, staff, anchor, "a3")
    link(app, subject_id, town["officer"], sighting_id=sighting_id)
    use_id = add_safe_space_use(app, staff, anchor, "u1")
    link(app, subject_id, town["officer"], safe_space_use_id=use_id)
    add_note(app, town["officer"], subject_id, "partnership", NOW)
    assert {a.kind for a in alerts(app)} == {
        "subject_linked",
        "busy_venue",
        "description_recurs",
        "seen_at_your_venue",
    }

    canaries = (
        "Canary Name",
        "Birdy",
        "1 Canary Street",
        "1990",
        "CANARY-POLICE-NOTE",
        "CANARY-SHARED-NOTE",
        "CANARY-SIGHTING-TEXT",
        "CANARY-SAFE-SPACE-NOTES",
        "Canary coloured",
    )
    for key, user in town.items():
        if not isinstance(user, User):
            continue
        login_as(user)
        for path in ("/alerts/", "/dashboard"):
            response = client.get(path)
            page = response.get_data(as_text=True)
            if response.status_code == 200 and user.role in {r.value for r in RECEIVERS}:
                assert "RF-2026-0001" in page or key in {"neon_staff", "pastor"}, (key, path)
            for canary in canaries:
                assert canary not in page, (key, path, canary)


def test_alerts_render_in_welsh(
    app: Flask, client: FlaskClient, login_as: LoginAs, town: dict[str, Any]
) -> None:
    staff = town["anchor_staff"]
    for key in ("a1", "a2"):
        add_sighting(app, staff, town["anchor"], key, **LOOKS)
    add_sighting(app, staff, town["neon"], "n1", **LOOKS)
    login_as(town["officer"])
    for path in ("/alerts/?lang=cy", "/dashboard?lang=cy"):
        response = client.get(path)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert '<html lang="cy"' in page
        assert "Neon Nightclub" in page and "The Anchor Bar" in page
