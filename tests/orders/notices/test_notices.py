"""Partnership exclusion notices: issuing one (venues copied as they were, incidents,
photo where allowed), every refusal with its message and nothing written, appeals and
their outcomes, variation, lifting, expiry by date, the stale second save, "seen at my
venue", and the Orders section of a red flag's page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, inspect, select

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.signals import notice_issued
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.notices import service as notices
from partnership.orders.notices.models import ExclusionNotice, NoticeAppeal, NoticeVenue
from partnership.orders.notices.visibility import notice_day
from partnership.subjects.models import Subject, SubjectPhoto
from partnership.venues.models import Venue
from tests.conftest import Clock, events, fix_clock, update
from tests.factories import signed_in
from tests.orders.factories import listening
from tests.orders.notices.factories import World
from tests.subjects.factories import add_subject

MakeUser = Callable[..., User]
# Friday afternoon (GMT): the night of Friday 27 November has not begun.
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
STALE = "Someone else changed this while you were editing it"


def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock of the notice and red flag pages, at :data:`NOW` until moved."""
    return fix_clock(
        monkeypatch, NOW, "partnership.orders.notices.views", "partnership.subjects.views"
    )


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fixed_clock(monkeypatch)


def notice_form(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subject_reference": world.reference,
        "incidents": [str(world.shared_sighting)],
        "reasons": "Followed bar staff to their car after closing",
        "warned_on": "2026-10-01",
        "warning_note": "Told at the door that a notice would follow",
        "starts_on": TODAY.isoformat(),
        "duration": "3",
        "ends_on": "",
        "review_on": "2027-01-27",
        "appeal_how": "",
        "appeal_by": "",
    }
    data.update(overrides)
    return data


def issue(client: FlaskClient, world: World, **overrides: Any) -> int:
    response = client.post("/orders/notices/new", data=notice_form(world, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def issue_at(app: Flask, coordinator: User, reference: str, now: datetime, **overrides: Any) -> int:
    """Issue a notice through the service as ``coordinator`` at ``now`` (the past, say)."""
    with app.app_context():
        actor = db.session.get(User, coordinator.id)
        assert actor is not None
        values: dict[str, Any] = {
            "subject_reference": reference,
            "reasons": "Repeated harassment of staff",
            "starts_on": notice_day(now),
            "duration_months": 3,
            "ends_on": None,
            "review_on": notice_day(now) + timedelta(days=30),
        }
        values.update(overrides)
        notice = notices.issue_notice(actor, notices.NoticeData(**values), now)
        db.session.commit()
        return notice.id


def load(app: Flask, notice_id: int) -> ExclusionNotice:
    with app.app_context():
        notice = db.session.get(ExclusionNotice, notice_id)
        assert notice is not None
        notice.venues  # noqa: B018 (loaded before the session closes)
        notice.incidents  # noqa: B018
        notice.appeals  # noqa: B018
        notice.breaches  # noqa: B018
        db.session.expunge_all()
        return notice


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def page(response: Any) -> str:
    return str(response.get_data(as_text=True))


# Issuing -------------------------------------------------------------------------------


def test_the_coordinator_issues_a_notice_naming_every_active_member_venue_as_it_was(
    app: Flask, world: World, make_venue: Callable[..., Venue]
) -> None:
    client = signed_in(app, world.coordinator)
    form = client.get(f"/orders/notices/new?subject_id={world.subject_id}")
    assert form.status_code == 200
    body = page(form)
    assert f'value="{world.reference}"' in body
    assert f'value="{world.shared_sighting}"' in body
    assert f'value="{world.police_sighting}"' not in body  # police only: not offered
    assert "CANARY-POLICE-NOTE" not in body and "1 Canary Street" not in body

    notice_id = issue(client, world)
    notice = load(app, notice_id)
    assert notice.reference == "PEN-2026-0001"
    assert (notice.starts_on, notice.ends_on, notice.duration_months) == (
        TODAY,
        date(2027, 2, 26),
        3,
    )
    assert notice.review_on == date(2027, 1, 27)
    assert notice.appeal_by == date(2026, 12, 11)  # 14 days after the day of issue
    assert "partnership coordinator" in notice.appeal_how  # the default wording
    assert notice.warned_on == date(2026, 10, 1)
    assert [s.id for s in notice.incidents] == [world.shared_sighting]
    assert sorted((v.venue_name, v.venue_address) for v in notice.venues) == [
        ("Neon Nightclub", "1 Wind Street, Swansea, SA1 1DP"),
        ("The Anchor Bar", "1 Wind Street, Swansea, SA1 1DP"),
    ]  # the closed venue is not a member venue now
    (issued,) = events(app, "notice.issued")
    assert issued.object_type == "notice" and issued.object_id == str(notice_id)
    assert issued.details["incidents"] == [world.shared_sighting]
    assert issued.details["venues"] == 2

    # A venue joining later, or one renamed, does not change the notice.
    later = make_venue(world.club, "Castle Lounge")
    update(app, Venue, world.anchor.id, name="The New Anchor")
    notice = load(app, notice_id)
    assert later.id not in {v.venue_id for v in notice.venues}
    assert "The Anchor Bar" in {v.venue_name for v in notice.venues}
    detail = page(client.get(f"/orders/notices/{notice_id}"))
    assert "The Anchor Bar" in detail and "Castle Lounge" not in detail

    # The next notice of the year takes the next number.
    _other_id, other_reference = add_subject(app, world.officer, "partnership")
    second = issue(client, world, subject_reference=other_reference, incidents=[])
    assert load(app, second).reference == "PEN-2026-0002"


def test_issuing_a_notice_tells_its_listeners_once(app: Flask, world: World) -> None:
    with listening(notice_issued) as heard:
        notice_id = issue(signed_in(app, world.coordinator), world)
    ((sender, said),) = heard
    assert isinstance(sender, ExclusionNotice) and inspect(sender).identity == (notice_id,)
    assert said == {"now": NOW}


def test_an_end_date_may_be_chosen_instead_of_a_length(app: Flask, world: World) -> None:
    client = signed_in(app, world.coordinator)
    notice_id = issue(client, world, duration="date", ends_on="2027-03-31", review_on="2027-02-01")
    notice = load(app, notice_id)
    assert (notice.ends_on, notice.duration_months) == (date(2027, 3, 31), None)


def test_finding_a_red_flag_shows_its_incidents_and_saves_nothing(app: Flask, world: World) -> None:
    client = signed_in(app, world.coordinator)
    found = client.post(
        "/orders/notices/new", data={"subject_reference": world.reference.lower(), "find": "1"}
    )
    assert found.status_code == 200
    assert f'value="{world.shared_sighting}"' in page(found)
    missing = client.post(
        "/orders/notices/new", data={"subject_reference": "RF-2026-9999", "find": "1"}
    )
    assert missing.status_code == 400
    assert "No red flag you can see has that reference" in page(missing)
    assert count(app, ExclusionNotice) == 0


REFUSALS = {
    "unknown reference": (
        {"subject_reference": "RF-2026-9999"},
        "No red flag you can see has that reference",
    ),
    "end before start": (
        {"duration": "date", "ends_on": "2026-11-20"},
        "The end date must be after the start date",
    ),
    "longer than 12 months": (
        {"duration": "date", "ends_on": "2027-11-27"},
        "A notice can last at most 12 months: end it on or before Friday 26 November 2027",
    ),
    "review after the end": (
        {"review_on": "2027-03-01"},
        "The review date must be before the notice ends",
    ),
    "review before the start": (
        {"review_on": "2026-11-26"},
        "The review date cannot be before the notice starts",
    ),
    "no review date": ({"review_on": ""}, "Enter the date the notice will be reviewed"),
    "start in the past": (
        {"starts_on": "2026-11-26"},
        "The notice cannot start before today",
    ),
    "no incidents and no reasons": (
        {"incidents": [], "reasons": "  "},
        "Choose at least one incident the notice relies on, or write its reasons",
    ),
    "an incident not offered": (
        {"incidents": ["POLICE"]},
        "Choose incidents from this red flag&#39;s list",
    ),
    "photo not allowed": (
        {"include_photo": "y"},
        "The partnership&#39;s data-sharing settings do not allow photos on exclusion notices,"
        " so the photo cannot be included.",
    ),
    "warning note without a date": (
        {"warned_on": ""},
        "Enter the date the warning was given",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_refusal_says_why_keeps_the_answers_and_writes_nothing(
    app: Flask, world: World, case: str
) -> None:
    overrides, message = REFUSALS[case]
    if overrides.get("incidents") == ["POLICE"]:
        overrides = {"incidents": [str(world.police_sighting)]}
    client = signed_in(app, world.coordinator)
    response = client.post("/orders/notices/new", data=notice_form(world, **overrides))
    assert response.status_code == 400
    body = page(response)
    assert message in body, body
    assert "There is a problem" in body
    if case != "no incidents and no reasons":
        assert "Followed bar staff to their car after closing" in body  # the answers kept
    assert count(app, ExclusionNotice) == 0
    assert count(app, NoticeVenue) == 0
    assert events(app, "notice.issued") == []


def test_a_photo_is_refused_when_the_red_flag_has_none_and_kept_when_it_has(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", True)
    client = signed_in(app, world.coordinator)
    response = client.post("/orders/notices/new", data=notice_form(world, include_photo="y"))
    assert response.status_code == 400
    assert f"{world.reference} has no photo to include." in page(response)
    assert count(app, ExclusionNotice) == 0
    add_photo(app, world.subject_id)
    notice_id = issue(client, world, include_photo="y")
    assert load(app, notice_id).include_photo is True


def add_photo(app: Flask, subject_id: int) -> int:
    with app.app_context():
        photo = SubjectPhoto(
            subject_id=subject_id,
            content_type="image/jpeg",
            width=4,
            height=4,
            size=12,
            sha256="0" * 64,
            data=b"\xff\xd8PHOTO-BYTES",
        )
        db.session.add(photo)
        db.session.commit()
        return photo.id


def test_a_second_notice_for_the_same_dates_is_refused(app: Flask, world: World) -> None:
    client = signed_in(app, world.coordinator)
    first = issue(client, world)
    response = client.post(
        "/orders/notices/new",
        data=notice_form(world, starts_on="2026-12-01", review_on="2027-01-01"),
    )
    assert response.status_code == 400
    assert (
        f"{world.reference} already has exclusion notice PEN-2026-0001 for some of these dates:"
        " vary that notice instead." in page(response)
    )
    assert count(app, ExclusionNotice) == 1
    assert load(app, first).reference == "PEN-2026-0001"


@pytest.mark.parametrize(
    "role", [Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR, Role.ANALYST]
)
def test_only_the_coordinator_may_issue(
    app: Flask, world: World, make_user: MakeUser, role: Role
) -> None:
    client = signed_in(app, make_user(role))
    assert client.get("/orders/notices/new").status_code == 403
    assert client.post("/orders/notices/new", data=notice_form(world)).status_code == 403
    assert count(app, ExclusionNotice) == 0
    assert events(app, "notice.issued") == []


def test_the_service_refuses_anyone_but_the_coordinator(app: Flask, world: World) -> None:
    with app.app_context():
        officer = db.session.get(User, world.officer.id)
        assert officer is not None
        data = notices.NoticeData(
            subject_reference=world.reference,
            reasons="x",
            starts_on=TODAY,
            duration_months=3,
            ends_on=None,
            review_on=TODAY + timedelta(days=10),
        )
        with pytest.raises(notices.NoticeRefused, match="Only the partnership coordinator"):
            notices.issue_notice(officer, data, NOW)
        db.session.rollback()
    assert count(app, ExclusionNotice) == 0


def test_a_red_flag_the_coordinator_cannot_see_gives_404_on_the_form(
    app: Flask, world: World
) -> None:
    police_only, _reference = add_subject(app, world.officer, "police")
    client = signed_in(app, world.coordinator)
    assert client.get(f"/orders/notices/new?subject_id={police_only}").status_code == 404
    assert client.get("/orders/notices/new?subject_id=abc").status_code == 404


# Reading -------------------------------------------------------------------------------


def test_police_and_the_coordinator_read_notices_and_each_view_is_audited(
    app: Flask, world: World, make_user: MakeUser
) -> None:
    notice_id = issue(signed_in(app, world.coordinator), world)
    for reader in (world.officer, world.coordinator):
        client = signed_in(app, reader)
        listing = client.get("/orders/notices/")
        assert listing.status_code == 200 and "PEN-2026-0001" in page(listing)
        detail = page(client.get(f"/orders/notices/{notice_id}"))
        assert "PEN-2026-0001" in detail and "Followed bar staff" in detail
        assert "Red cap" in detail  # the description card
    assert len(events(app, "notice.viewed")) == 2
    for language in ("en", "cy", "cy_en"):
        assert f"/orders/notices/{notice_id}/letter.pdf?language={language}" in detail
    coordinator_page = page(signed_in(app, world.coordinator).get(f"/orders/notices/{notice_id}"))
    for secret in ("Canary Name", "1 Canary Street", "2 January 1990", "CANARY-POLICE-NOTE"):
        assert secret not in coordinator_page
    assert signed_in(app, world.officer).get("/orders/notices/999").status_code == 404
    for role in (Role.PREMISES_STAFF, Role.WELFARE, Role.ANALYST, Role.ADMIN):
        other = signed_in(app, make_user(role))
        assert other.get("/orders/notices/").status_code == 403
        assert other.get(f"/orders/notices/{notice_id}").status_code == 403


# Appeals -------------------------------------------------------------------------------


def appeal(client: FlaskClient, notice_id: int, **overrides: str) -> Any:
    """Open the appeal form (for the notice's version) and send it."""
    opened = page(client.get(f"/orders/notices/{notice_id}/appeals/new"))
    found = re.search(r'name="version" type="hidden" value="(\d+)"', opened)
    assert found is not None
    data = {
        "version": found.group(1),
        "received_on": TODAY.isoformat(),
        "grounds": "I was not there that night",
    }
    data.update(overrides)
    return client.post(f"/orders/notices/{notice_id}/appeals/new", data=data)


def decide(client: FlaskClient, notice_id: int, appeal_id: int, version: int, **form: str) -> Any:
    data = {"version": str(version), "reason": "CCTV reviewed", "ends_on": "", "review_on": ""}
    data.update(form)
    return client.post(f"/orders/notices/{notice_id}/appeals/{appeal_id}/decide", data=data)


def appeals(app: Flask) -> list[NoticeAppeal]:
    with app.app_context():
        found = list(db.session.scalars(select(NoticeAppeal).order_by(NoticeAppeal.id)))
        db.session.expunge_all()
        return found


def test_appeals_are_recorded_and_each_outcome_does_what_it_says(app: Flask, world: World) -> None:
    client = signed_in(app, world.coordinator)
    notice_id = issue(client, world)

    assert appeal(client, notice_id).status_code == 302
    (first,) = appeals(app)
    assert (first.received_on, first.outcome) == (TODAY, "")
    second_try = appeal(client, notice_id)
    assert second_try.status_code == 400
    assert "An appeal against this notice is already waiting for a decision." in page(second_try)
    assert len(appeals(app)) == 1

    # Upheld: the notice stands.
    version = load(app, notice_id).version
    assert decide(client, notice_id, first.id, version, outcome="upheld").status_code == 302
    notice = load(app, notice_id)
    assert notice.ends_on == date(2027, 2, 26) and notice.lifted_at is None
    assert appeals(app)[0].outcome == "upheld"
    again = decide(client, notice_id, first.id, notice.version, outcome="overturned")
    assert again.status_code == 400 and "This appeal has already been decided." in page(again)

    # Varied: asks the new end date, checked like an issue's. (Recording an appeal moves
    # the notice's version on.)
    assert appeal(client, notice_id).status_code == 302
    second = appeals(app)[1]
    notice = load(app, notice_id)
    missing = decide(client, notice_id, second.id, notice.version, outcome="varied")
    assert missing.status_code == 400 and "Enter the new end date" in page(missing)
    too_long = decide(
        client, notice_id, second.id, notice.version, outcome="varied", ends_on="2028-01-01"
    )
    assert too_long.status_code == 400
    assert load(app, notice_id).ends_on == date(2027, 2, 26)
    varied = decide(
        client,
        notice_id,
        second.id,
        notice.version,
        outcome="varied",
        ends_on="2027-01-15",
        review_on="2027-01-01",
    )
    assert varied.status_code == 302
    notice = load(app, notice_id)
    assert (notice.ends_on, notice.review_on, notice.duration_months) == (
        date(2027, 1, 15),
        date(2027, 1, 1),
        None,
    )

    # Overturned: the notice is lifted.
    assert appeal(client, notice_id).status_code == 302
    third = appeals(app)[2]
    notice = load(app, notice_id)
    assert (
        decide(client, notice_id, third.id, notice.version, outcome="overturned").status_code == 302
    )
    notice = load(app, notice_id)
    assert notice.lifted_at is not None and notice.lift_reason == "CCTV reviewed"
    assert [a.outcome for a in appeals(app)] == ["upheld", "varied", "overturned"]
    assert len(events(app, "notice.appeal_recorded")) == 3
    decided = events(app, "notice.appeal_decided")
    assert [e.details["outcome"] for e in decided] == ["upheld", "varied", "overturned"]
    assert decided[1].details["after"] == {"ends_on": "2027-01-15", "review_on": "2027-01-01"}
    detail = page(client.get(f"/orders/notices/{notice_id}"))
    assert "Overturned: the notice is lifted" in detail
    assert f"/orders/notices/{notice_id}/appeals/{third.id}/outcome.pdf?language=cy" in detail
    lifted = appeal(client, notice_id)
    assert "This notice has been lifted, so there is nothing to appeal." in page(lifted)


def test_an_appeal_needs_its_date_and_grounds(app: Flask, world: World) -> None:
    client = signed_in(app, world.coordinator)
    notice_id = issue(client, world)
    future = appeal(client, notice_id, received_on="2026-11-28")
    assert "The date the appeal was received cannot be in the future" in page(future)
    before = appeal(client, notice_id, received_on="2026-11-26")
    assert "The appeal cannot have been received before the notice was issued" in page(before)
    empty = appeal(client, notice_id, grounds=" ")
    assert empty.status_code == 400 and "Write the grounds of the appeal" in page(empty)
    assert appeals(app) == []
    assert events(app, "notice.appeal_recorded") == []


def test_a_wrong_appeal_id_is_not_found(app: Flask, world: World) -> None:
    client = signed_in(app, world.coordinator)
    first = issue(client, world)
    _other_id, other_reference = add_subject(app, world.officer, "partnership")
    second = issue(client, world, subject_reference=other_reference, incidents=[])
    assert appeal(client, second).status_code == 302
    (theirs,) = appeals(app)
    assert client.get(f"/orders/notices/{first}/appeals/{theirs.id}/decide").status_code == 404
    assert client.get(f"/orders/notices/{second}/appeals/{theirs.id}/decide").status_code == 200


# Varying, lifting, expiry, the stale second save ---------------------------------------


def vary(client: FlaskClient, notice_id: int, version: int, **form: str) -> Any:
    data = {
        "version": str(version),
        "ends_on": "2027-02-26",
        "review_on": "2027-01-27",
        "reasons": "Followed bar staff to their car after closing",
    }
    data.update(form)
    return client.post(f"/orders/notices/{notice_id}/vary", data=data)


def test_a_notice_is_varied_and_lifted(app: Flask, world: World) -> None:
    client = signed_in(app, world.coordinator)
    notice_id = issue(client, world)
    opened = client.get(f"/orders/notices/{notice_id}/vary")
    assert opened.status_code == 200 and 'name="version" type="hidden" value="1"' in page(opened)

    unchanged = vary(client, notice_id, 1)
    assert unchanged.status_code == 302 and events(app, "notice.varied") == []
    changed = vary(client, notice_id, 1, ends_on="2027-05-26", reasons="Also threatened staff")
    assert changed.status_code == 302
    notice = load(app, notice_id)
    assert (notice.ends_on, notice.reasons, notice.duration_months) == (
        date(2027, 5, 26),
        "Also threatened staff",
        None,
    )
    (varied,) = events(app, "notice.varied")
    assert varied.details["fields"] == ["ends_on", "reasons"]
    assert varied.details["before"] == {"ends_on": "2027-02-26"}
    past = vary(client, notice_id, notice.version, ends_on="2026-11-26", review_on="2026-11-20")
    assert "The end date cannot be before today: lift the notice instead." in page(past)

    no_reason = client.post(
        f"/orders/notices/{notice_id}/lift", data={"version": str(notice.version), "reason": ""}
    )
    assert no_reason.status_code == 400 and "Say why the notice is lifted" in page(no_reason)
    lifted = client.post(
        f"/orders/notices/{notice_id}/lift",
        data={"version": str(notice.version), "reason": "Apologised and banned himself"},
    )
    assert lifted.status_code == 302
    notice = load(app, notice_id)
    assert notice.lifted_at == NOW and notice.lift_reason == "Apologised and banned himself"
    (event,) = events(app, "notice.lifted")
    assert event.justification == "Apologised and banned himself"
    detail = page(client.get(f"/orders/notices/{notice_id}"))
    assert "Lifted" in detail and "Vary the notice" not in detail
    again = client.post(
        f"/orders/notices/{notice_id}/lift", data={"version": str(notice.version), "reason": "x"}
    )
    assert again.status_code == 400 and "This notice has already been lifted." in page(again)


@pytest.mark.parametrize("second_save", ["vary", "lift", "decide"])
def test_the_second_of_two_edits_from_the_same_version_is_refused_with_the_input_kept(
    app: Flask, world: World, make_user: MakeUser, second_save: str
) -> None:
    first = signed_in(app, world.coordinator)
    second = signed_in(app, make_user(Role.COORDINATOR))
    notice_id = issue(first, world)
    if second_save == "decide":
        assert appeal(first, notice_id).status_code == 302
    opened = load(app, notice_id).version
    # Both open their forms on the same version; the first saves.
    assert vary(first, notice_id, opened, ends_on="2027-04-01").status_code == 302
    assert load(app, notice_id).version == opened + 1
    if second_save == "vary":
        response = vary(
            second, notice_id, opened, ends_on="2027-06-30", reasons="SECOND-EDITOR-TEXT"
        )
    elif second_save == "lift":
        response = second.post(
            f"/orders/notices/{notice_id}/lift",
            data={"version": str(opened), "reason": "SECOND-EDITOR-TEXT"},
        )
    else:
        (pending,) = appeals(app)
        response = decide(
            second, notice_id, pending.id, opened, outcome="overturned", reason="SECOND-EDITOR-TEXT"
        )
    assert response.status_code == 400
    body = page(response)
    assert STALE in body and "SECOND-EDITOR-TEXT" in body
    # The page shows the notice as it is now, and the form moves on to its version.
    assert "Thursday 1 April 2027" in body
    assert f'name="version" type="hidden" value="{opened + 1}"' in body
    notice = load(app, notice_id)
    assert notice.ends_on == date(2027, 4, 1) and notice.lifted_at is None
    assert notice.version == opened + 1
    assert all(not a.outcome for a in appeals(app))
    assert events(app, "notice.lifted") == [] and events(app, "notice.appeal_decided") == []


def test_a_notice_expires_by_date_after_the_night_of_its_last_day(
    app: Flask, world: World, clock: Clock
) -> None:
    coordinator = signed_in(app, world.coordinator)
    notice_id = issue(coordinator, world)
    door = signed_in(app, world.door)
    # The night of its last day (Friday 26 February 2027), at 05:00 on Saturday: still in force.
    clock.now = datetime(2027, 2, 27, 5, 0, tzinfo=UTC)
    assert "PEN-2026-0001" in page(door.get("/orders/tonight"))
    assert door.get(f"/orders/notices/{notice_id}/seen").status_code == 200
    # 06:00: expired.
    clock.now = datetime(2027, 2, 27, 6, 0, tzinfo=UTC)
    assert "PEN-2026-0001" not in page(door.get("/orders/tonight"))
    assert door.get(f"/orders/notices/{notice_id}/seen").status_code == 404
    detail = page(coordinator.get(f"/orders/notices/{notice_id}"))
    assert "Expired" in detail and "Lift the notice" not in detail
    refused = vary(coordinator, notice_id, 1, ends_on="2027-03-26", review_on="2027-03-01")
    assert refused.status_code == 400
    assert "This notice has expired, so it can no longer be changed." in page(refused)
    listing = page(coordinator.get("/orders/notices/"))
    assert listing.index("Ended notices") < listing.index("PEN-2026-0001")


# Seen at my venue ----------------------------------------------------------------------


def test_door_staff_of_a_covered_venue_record_seen_at_my_venue(
    app: Flask, world: World, clock: Clock
) -> None:
    notice_id = issue(signed_in(app, world.coordinator), world)
    clock.now = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    door = signed_in(app, world.door)
    form = door.get(f"/orders/notices/{notice_id}/seen")
    assert form.status_code == 200 and "The Anchor Bar" in page(form)
    refused = door.post(
        f"/orders/notices/{notice_id}/seen",
        data={"venue_id": str(world.anchor.id), "when": "now", "action": ""},
    )
    assert refused.status_code == 400 and "Choose what you did" in page(refused)
    assert count(app, Breach) == 0
    saved = door.post(
        f"/orders/notices/{notice_id}/seen",
        data={
            "venue_id": str(world.anchor.id),
            "when": "15",
            "action": "refused_entry",
            "notes": "Tried the side door",
        },
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/orders/tonight")
    with app.app_context():
        (breach,) = db.session.scalars(select(Breach)).all()
        assert breach.notice_id == notice_id and breach.venue_id == world.anchor.id
        assert breach.outcome == "refused_entry" and breach.notes == "Tried the side door"
        assert breach.organisation_id == world.bar.id
        assert breach.occurred_at == clock.now - timedelta(minutes=15)
    (event,) = events(app, "notice.breach_recorded")
    assert event.object_id == str(notice_id) and event.details["venue"] == world.anchor.id
    # Police and the coordinator see it on the notice.
    detail = page(signed_in(app, world.officer).get(f"/orders/notices/{notice_id}"))
    assert "Tried the side door" in detail and "Refused entry" in detail


def test_seen_at_my_venue_is_not_found_for_anyone_the_notice_does_not_cover(
    app: Flask,
    world: World,
    make_org: Callable[..., Organisation],
    make_user: MakeUser,
    make_venue: Callable[..., Venue],
) -> None:
    client = signed_in(app, world.coordinator)
    notice_id = issue(client, world)
    # A bar that joined after the notice was issued is not covered.
    late_bar = make_org(OrgKind.LICENSED_PREMISES, "Castle Ltd")
    late_venue = make_venue(late_bar, "Castle Lounge")
    late_door = signed_in(app, make_user(Role.PREMISES_STAFF, late_bar))
    assert late_door.get(f"/orders/notices/{notice_id}/seen").status_code == 404
    posted = late_door.post(
        f"/orders/notices/{notice_id}/seen",
        data={"venue_id": str(late_venue.id), "when": "now", "action": "refused_entry"},
    )
    assert posted.status_code == 404
    # Another covered bar's staff cannot record it at the Anchor.
    neon = signed_in(app, world.club_door)
    wrong = neon.post(
        f"/orders/notices/{notice_id}/seen",
        data={"venue_id": str(world.anchor.id), "when": "now", "action": "refused_entry"},
    )
    assert wrong.status_code == 400 and "Choose one of your venues" in page(wrong)
    assert signed_in(app, world.door).get("/orders/notices/999/seen").status_code == 404
    for role in (Role.WELFARE, Role.OFFICER, Role.COORDINATOR):
        assert (
            signed_in(app, make_user(role)).get(f"/orders/notices/{notice_id}/seen").status_code
            == 403
        )
    # Lifted: not found.
    client.post(f"/orders/notices/{notice_id}/lift", data={"version": "1", "reason": "Done"})
    assert signed_in(app, world.door).get(f"/orders/notices/{notice_id}/seen").status_code == 404
    assert count(app, Breach) == 0


def test_a_notice_photo_is_served_only_where_allowed_and_audited(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_photo(app, world.subject_id)
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", True)
    notice_id = issue(signed_in(app, world.coordinator), world, include_photo="y")
    url = f"/orders/notices/{notice_id}/photo"
    door = signed_in(app, world.door)
    assert url in page(door.get("/orders/tonight"))
    shown = door.get(url)
    assert shown.status_code == 200 and shown.data == b"\xff\xd8PHOTO-BYTES"
    assert "no-store" in shown.headers["Cache-Control"]
    (event,) = events(app, "notice.photo_viewed")
    assert event.object_id == str(notice_id)
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", False)
    assert url not in page(door.get("/orders/tonight"))
    assert door.get(url).status_code == 404
    assert signed_in(app, world.officer).get(url).status_code == 200  # police see photos
    assert len(events(app, "notice.photo_viewed")) == 2


# A red flag's page ---------------------------------------------------------------------


def justified(app: Flask, user: User, subject_id: int) -> FlaskClient:
    client = signed_in(app, user)
    client.post(f"/subjects/{subject_id}/justify", data={"reason": "checking_tonight"})
    return client


def test_the_red_flag_page_lists_its_orders_as_each_reader_may_see_them(
    app: Flask, world: World, make_user: MakeUser
) -> None:
    notice_id = issue(signed_in(app, world.coordinator), world)
    with app.app_context():
        authorisation = DispersalAuthorisation(
            reference="S34-2026-0001",
            locality_name="Wind Street",
            geometry={},
            boundary="Wind Street",
            starts_at=NOW - timedelta(hours=2),
            ends_at=NOW + timedelta(hours=20),
            necessity=["crime_disorder"],
            grounds="Fights",
            echr_regard="Considered",
            signed_name="Insp",
            signed_rank="inspector",
            signed_at=NOW - timedelta(hours=2),
        )
        db.session.add(authorisation)
        db.session.flush()
        direction = DispersalDirection(
            reference="S35-2026-0001",
            authorisation_id=authorisation.id,
            subject_id=world.subject_id,
            given_at=NOW - timedelta(hours=1),
            place="Wind Street",
            given_by_name="PC",
            given_by_rank="constable",
            excluded_description="Wind Street",
            ends_at=NOW + timedelta(hours=20),
        )
        db.session.add(direction)
        db.session.flush()
        db.session.add(
            Breach(
                direction_id=direction.id,
                occurred_at=NOW - timedelta(minutes=30),
                place="Castle Square",
                organisation_id=world.officer.organisation_id,
                outcome="warned",
            )
        )
        db.session.commit()
        direction_id = direction.id

    police = page(
        justified(app, world.officer, world.subject_id).get(f"/subjects/{world.subject_id}")
    )
    assert "S35-2026-0001" in police and f"/orders/directions/{direction_id}" in police
    assert "1 breach" in police and "Warned" in police
    assert f"/orders/notices/{notice_id}" in police

    coordinator = page(
        justified(app, world.coordinator, world.subject_id).get(f"/subjects/{world.subject_id}")
    )
    assert "S35-2026-0001" not in coordinator
    assert f"/orders/notices/{notice_id}" in coordinator and "PEN-2026-0001" in coordinator
    assert f"/orders/notices/new?subject_id={world.subject_id}" in coordinator

    door = page(justified(app, world.door, world.subject_id).get(f"/subjects/{world.subject_id}"))
    assert "PEN-2026-0001" in door and f"/orders/notices/{notice_id}" not in door
    assert "S35-2026-0001" not in door and "Castle Square" not in door

    welfare = page(
        justified(app, make_user(Role.WELFARE), world.subject_id).get(
            f"/subjects/{world.subject_id}"
        )
    )
    assert "PEN-2026-0001" not in welfare and "S35-2026-0001" not in welfare


def test_escaping_in_messages(app: Flask, world: World) -> None:
    """A message built in Python reaches the page escaped once (no markup from the user)."""
    client = signed_in(app, world.coordinator)
    response = client.post(
        "/orders/notices/new", data=notice_form(world, subject_reference="<b>RF</b>")
    )
    assert response.status_code == 400
    assert str(escape("<b>RF</b>")) in page(response) and "<b>RF</b>" not in page(response)


def test_a_notice_stays_with_the_person_when_their_red_flag_is_merged(
    app: Flask, world: World, clock: Clock
) -> None:
    client = signed_in(app, world.coordinator)
    notice_id = issue(client, world)
    kept_id, kept_reference = add_subject(app, world.officer, "partnership", clothing="Blue cap")
    update(app, Subject, world.subject_id, merged_into_id=kept_id, merged_at=NOW)
    # The kept profile's page lists the notice, and a second notice for it is refused.
    kept_page = page(justified(app, world.coordinator, kept_id).get(f"/subjects/{kept_id}"))
    assert f"/orders/notices/{notice_id}" in kept_page
    refused = client.post(
        "/orders/notices/new",
        data=notice_form(world, subject_reference=kept_reference, incidents=[]),
    )
    assert refused.status_code == 400 and "already has exclusion notice PEN-2026-0001" in page(
        refused
    )
    # Door staff see the person as the kept profile describes them.
    clock.now = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    tonight = page(signed_in(app, world.door).get("/orders/tonight"))
    assert kept_reference in tonight and "Blue cap" in tonight
