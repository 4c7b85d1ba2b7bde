"""The police's triage of public reports: the queue oldest first, one report, each triage
step audited, links to a venue, an area and a red flag card, and turning a report into a
sighting shared with the partnership."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from partnership.auth.models import Organisation, User
from partnership.core.enums import Behaviour, OrgKind, Role, TimeOfNight
from partnership.extensions import db
from partnership.public.models import PublicReport
from partnership.sightings.models import Sighting
from partnership.triage import service as triage
from partnership.venues.models import Venue
from tests.conftest import Clock, events, fix_clock
from tests.factories import jpeg_bytes, make_area
from tests.public.factories import add_public_report
from tests.subjects.factories import add_subject

# Saturday 28 November 2026, 10:00 GMT: the morning after the night of Friday 27th.
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
NIGHT = date(2026, 11, 27)
CLOCKED = (
    "partnership.triage.views",
    "partnership.home.views",
    "partnership.sightings.views",
    "partnership.sightings.service",
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(monkeypatch, NOW, *CLOCKED)


class FormReader(HTMLParser):
    """The values a browser would send from the form whose action is ``action`` (None: the
    form with no action, which posts back to its own page)."""

    def __init__(self, action: str | None) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.values: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = "action" not in a if self.action is None else a["action"] == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.values.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.values.append((self._textarea, unescape(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_values(html: str, action: str | None = None) -> list[tuple[str, str]]:
    reader = FormReader(action)
    reader.feed(html)
    return reader.values


def load(app: Flask, report_id: int) -> PublicReport:
    with app.app_context():
        report = db.session.get(PublicReport, report_id)
        assert report is not None
        db.session.expunge(report)
        return report


def text(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def send_triage(client: FlaskClient, app: Flask, report_id: int, **values: str) -> Any:
    """Post the triage form of the report with ``values``, at the version it has now."""
    form = {
        "status": "reviewed",
        "urgent_action": "",
        "triage_note": "",
        "venue_id": "",
        "area_id": "",
        "subject_reference": "",
        "version": str(load(app, report_id).version),
        **values,
    }
    return client.post(f"/public-reports/{report_id}/triage", data=form)


def test_a_report_goes_from_the_queue_to_a_sighting_shared_with_the_partnership(
    app: Flask,
    client: FlaskClient,
    clock: Clock,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_venue: Callable[..., Venue],
    login_as: Callable[..., User],
) -> None:
    bar_org = make_org(OrgKind.LICENSED_PREMISES, "Anchor Ltd")
    venue = make_venue(bar_org, "The Anchor Bar")
    area_id = make_area(app, "Wind Street zone")
    # Made newest first, so the queue's order is not the order they were written in.
    newest = add_public_report(app, received_at=datetime(2026, 11, 28, 1, 0, tzinfo=UTC))
    middle = add_public_report(
        app,
        received_at=datetime(2026, 11, 27, 23, 0, tzinfo=UTC),
        place="Castle Square, by the fountain",
        latitude=51.6201,
        longitude=-3.9412,
        time_of_night=TimeOfNight.LATE_EVENING,
        behaviours=[Behaviour.FOLLOWING, Behaviour.OTHER],
        other_behaviour="Took photos of us on the bus",
        description="He followed my friend from the bar to the bus stop.",
        wants_contact=True,
        contact_name="Sam",
        contact_detail="sam@example.org",
        photo=jpeg_bytes(),
    )
    oldest = add_public_report(app, received_at=datetime(2026, 11, 27, 20, 0, tzinfo=UTC))
    officer = make_user(Role.OFFICER)
    officer_name = officer.name
    officer_id = officer.id
    subject_id, subject_reference = add_subject(app, officer, "police")
    login_as(officer)

    # The queue: oldest first, with each row's place, time band and marks.
    queue = text(client.get("/public-reports/"))
    positions = [queue.index(f'data-report="{r.reference}"') for r in (oldest, middle, newest)]
    assert positions == sorted(positions)
    row = queue[positions[1] : positions[2]]
    assert "Castle Square, by the fountain" in row
    assert "Late evening, 9pm to midnight" in row
    assert "Following someone" in row or "Following" in row
    assert "Photo" in row and "Asked to be contacted" in row
    assert "Received 27 November 2026, 23:00, waited 11 hours" in row
    assert "Photo" not in queue[positions[0] : positions[1]]

    # One report: everything said, the contact details asked for, one audit event.
    page = text(client.get(f"/public-reports/{middle.id}"))
    assert "He followed my friend from the bar to the bus stop." in page
    assert "Took photos of us on the bus" in page
    assert "sam@example.org" in page
    assert f"/public-reports/{middle.id}/photo" in page
    viewed = events(app, "public_report.viewed")
    assert [(e.object_id, e.actor_id) for e in viewed] == [(str(middle.id), officer_id)]
    photo = client.get(f"/public-reports/{middle.id}/photo")
    assert photo.status_code == 200 and photo.data == jpeg_bytes()
    assert len(events(app, "public_report.photo_viewed")) == 1

    # Urgent without the action taken: refused, the note kept, nothing saved.
    refused = send_triage(
        client,
        app,
        middle.id,
        status="urgent",
        triage_note="Checked CCTV request",
    )
    assert refused.status_code == 400
    assert "Say what action was taken on this urgent report" in text(refused)
    assert "Checked CCTV request" in text(refused)
    assert load(app, middle.id).status == "new"
    assert events(app, "public_report.triaged") == []

    # Urgent with the action: stored, audited without the free text.
    done = send_triage(
        client,
        app,
        middle.id,
        status="urgent",
        urgent_action="Patrol sent to the bus station at 10:15",
        triage_note="Checked CCTV request",
    )
    assert done.status_code == 302
    stored = load(app, middle.id)
    assert stored.status == "urgent"
    assert stored.urgent_action == "Patrol sent to the bus station at 10:15"
    assert stored.triage_note == "Checked CCTV request"
    assert stored.triaged_at == NOW and stored.triaged_by_id == officer_id
    (triaged,) = events(app, "public_report.triaged")
    assert triaged.object_id == str(middle.id)
    assert triaged.details["status"] == "urgent"
    assert triaged.details["links_changed"] == []
    assert "Patrol" not in json.dumps(triaged.details)
    assert "CCTV" not in json.dumps(triaged.details)

    # The answers of an urgent report linked to the venue and the area.
    urgent_at_the_venue = {
        "status": "urgent",
        "urgent_action": "Patrol sent to the bus station at 10:15",
        "venue_id": str(venue.id),
        "area_id": str(area_id),
    }

    # An unknown red flag reference: refused, with everything typed kept.
    unknown = send_triage(
        client, app, middle.id, subject_reference="RF-2026-9999", **urgent_at_the_venue
    )
    assert unknown.status_code == 400
    body = text(unknown)
    assert "There is no red flag card with the reference RF-2026-9999" in body
    assert 'value="RF-2026-9999"' in body
    assert f'<option value="{venue.id}" selected>' in body
    assert load(app, middle.id).venue_id is None
    assert len(events(app, "public_report.triaged")) == 1

    # The venue, the area and the card linked.
    linked = send_triage(
        client, app, middle.id, subject_reference=subject_reference.lower(), **urgent_at_the_venue
    )
    assert linked.status_code == 302
    stored = load(app, middle.id)
    assert (stored.venue_id, stored.area_id, stored.subject_id) == (venue.id, area_id, subject_id)
    second = events(app, "public_report.triaged")[1]
    assert second.details["links_changed"] == ["area", "subject", "venue"]
    assert second.details["subject_id"] == subject_id

    # Turn it into a sighting: the form comes prefilled from the report.
    clock.now = NOW + timedelta(hours=1)
    start = client.get(f"/public-reports/{middle.id}")
    new_url = f"/sightings/new?source=public_report:{middle.id}"
    assert new_url in text(start)
    form_page = client.get(new_url)
    assert form_page.status_code == 200
    values = form_values(text(form_page))
    sent = dict(values)
    assert sent["source"] == f"public_report:{middle.id}"
    assert sent["venue_id"] == str(venue.id)
    assert sent["place"] == "Castle Square, by the fountain"
    assert (sent["latitude"], sent["longitude"]) == ("51.6201", "-3.9412")
    assert sorted(v for k, v in values if k == "behaviours") == ["aspb.following", "other"]
    assert sent["other_behaviour"] == "Took photos of us on the bus"
    assert sent["description"] == "He followed my friend from the bar to the bus stop."
    # Late evening is 21:00 to midnight: its middle, 22:30 on the night's date.
    assert (sent["when"], sent["day"], sent["clock"]) == ("other", "2026-11-27", "22:30")
    assert sent["sharing"] == "partnership"
    created = client.post(new_url, data=MultiDict([*values, ("action_taken", "no_action")]))
    assert created.status_code == 302, text(created)
    with app.app_context():
        sighting = db.session.scalars(select(Sighting)).one()
        sighting_id = sighting.id
        assert sighting.sharing == "partnership"
        assert sighting.occurred_at == datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
        assert sighting.venue_id == venue.id
        assert sighting.behaviour_codes == ["aspb.following", "other"]
    stored = load(app, middle.id)
    assert stored.sighting_id == sighting_id
    assert stored.status == "urgent"  # already triaged: it keeps its status
    (linked_event,) = events(app, "public_report.sighting_linked")
    assert linked_event.details["sighting"] == sighting_id

    # The detail page links to the sighting, and the history shows every step.
    detail = text(client.get(f"/public-reports/{middle.id}"))
    assert f'href="/sightings/{sighting_id}"' in detail
    assert "Turn into a sighting" not in detail
    history = detail[detail.index("app-triage-history") :]
    assert history.count(officer_name) == 3
    assert f"turned into sighting {sighting_id}" in history

    # Bar staff of another organisation see the shared sighting in their list.
    staff = make_user(Role.PREMISES_STAFF, make_org(OrgKind.LICENSED_PREMISES, "Other Bar Ltd"))
    login_as(staff)
    listed = text(client.get("/sightings/"))
    assert f'href="/sightings/{sighting_id}"' in listed


def test_a_new_report_that_becomes_a_sighting_is_reviewed(
    app: Flask,
    client: FlaskClient,
    clock: Clock,
    make_user: Callable[..., User],
    login_as: Callable[..., User],
) -> None:
    report = add_public_report(
        app,
        night=NIGHT,
        time_of_night=TimeOfNight.AFTER_MIDNIGHT,
        received_at=datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
    )
    inspector = login_as(Role.INSPECTOR)
    new_url = f"/sightings/new?source=public_report:{report.id}"
    values = form_values(text(client.get(new_url)))
    # After midnight is midnight to 3am: 01:30 the next morning.
    assert (dict(values)["day"], dict(values)["clock"]) == ("2026-11-28", "01:30")
    response = client.post(new_url, data=MultiDict([*values, ("action_taken", "no_action")]))
    assert response.status_code == 302
    stored = load(app, report.id)
    assert stored.sighting_id is not None
    assert stored.status == "reviewed"
    assert stored.triaged_by_id == inspector.id
    assert events(app, "public_report.sighting_linked")[0].details["status"] == "reviewed"


def test_a_report_about_a_night_months_ago_can_still_become_a_sighting(
    app: Flask, client: FlaskClient, clock: Clock, login_as: Callable[..., User]
) -> None:
    """The public may report a night up to a year back; its sighting keeps that night, past
    the 31 days a sighting logged by hand may go back, but no further than the night."""
    report = add_public_report(
        app,
        night=date(2026, 8, 14),
        time_of_night=TimeOfNight.LATE_EVENING,
        received_at=NOW - timedelta(hours=2),
    )
    login_as(Role.OFFICER)
    new_url = f"/sightings/new?source=public_report:{report.id}"
    values = form_values(text(client.get(new_url)))
    assert (dict(values)["day"], dict(values)["clock"]) == ("2026-08-14", "22:30")
    earlier = [(k, "2026-08-13" if k == "day" else v) for k, v in values]
    refused = client.post(new_url, data=MultiDict([*earlier, ("action_taken", "no_action")]))
    assert refused.status_code == 400
    assert "The date cannot be before 14 August 2026" in text(refused)
    created = client.post(new_url, data=MultiDict([*values, ("action_taken", "no_action")]))
    assert created.status_code == 302, text(created)
    with app.app_context():
        sighting = db.session.scalars(select(Sighting)).one()
        assert sighting.night == date(2026, 8, 14)
        assert sighting.occurred_at == datetime(2026, 8, 14, 21, 30, tzinfo=UTC)  # 22:30 BST


def test_bar_staff_cannot_start_a_sighting_from_a_public_report(
    app: Flask, client: FlaskClient, clock: Clock, login_as: Callable[..., User]
) -> None:
    report = add_public_report(app, place="Somewhere only police may read about")
    login_as(Role.PREMISES_STAFF)
    page = text(client.get(f"/sightings/new?source=public_report:{report.id}"))
    assert "Somewhere only police may read about" not in page
    assert f'value="public_report:{report.id}"' not in page


def test_contact_details_are_shown_only_when_asked_for(
    app: Flask, client: FlaskClient, clock: Clock, login_as: Callable[..., User]
) -> None:
    report = add_public_report(app, wants_contact=False, contact_detail="leftover@example.org")
    login_as(Role.OFFICER)
    page = text(client.get(f"/public-reports/{report.id}"))
    assert "leftover@example.org" not in page
    assert "They asked to be contacted" not in page


def test_the_queue_filters_by_status_and_pages(
    app: Flask, client: FlaskClient, clock: Clock, login_as: Callable[..., User]
) -> None:
    start = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    made = [add_public_report(app, received_at=start + timedelta(minutes=i)) for i in range(27)]
    urgent = add_public_report(app, status="urgent", urgent_action="Called it in")
    done = add_public_report(app, status="not_for_action")
    login_as(Role.OFFICER)
    first = text(client.get("/public-reports/"))
    assert "27 reports" in first
    assert made[0].reference in first and made[24].reference in first
    assert made[25].reference not in first
    second = text(client.get("/public-reports/?page=2"))
    assert made[25].reference in second and made[26].reference in second
    assert made[0].reference not in second
    assert urgent.reference not in first + second
    only_urgent = text(client.get("/public-reports/?status=urgent"))
    assert urgent.reference in only_urgent and made[0].reference not in only_urgent
    assert done.reference in text(client.get("/public-reports/?status=not_for_action"))
    everything = text(client.get("/public-reports/?status=all"))
    assert "29 reports" in everything
    # Something else in the address: the new reports.
    assert "27 reports" in text(client.get("/public-reports/?status=nonsense"))
    listed = events(app, "public_report.list_viewed")
    assert [e.details["status"] for e in listed] == [
        "new",
        "new",
        "urgent",
        "not_for_action",
        "all",
        "new",
    ]


def test_a_tampered_status_or_venue_is_refused(
    app: Flask, client: FlaskClient, clock: Clock, login_as: Callable[..., User]
) -> None:
    report = add_public_report(app)
    login_as(Role.OFFICER)
    bad_status = send_triage(client, app, report.id, status="new")
    assert bad_status.status_code == 400
    bad_venue = send_triage(client, app, report.id, venue_id="9x")
    assert bad_venue.status_code == 400
    assert load(app, report.id).status == "new"
    assert events(app, "public_report.triaged") == []


@pytest.mark.parametrize(
    ("band", "night", "expected"),
    [
        # 18:00 to 21:00 in winter (GMT): 19:30.
        (TimeOfNight.EARLY_EVENING, date(2026, 11, 27), datetime(2026, 11, 27, 19, 30, tzinfo=UTC)),
        # 03:00 to 06:00 in summer (BST): 04:30 local is 03:30 UTC.
        (TimeOfNight.SMALL_HOURS, date(2026, 7, 3), datetime(2026, 7, 4, 3, 30, tzinfo=UTC)),
        (TimeOfNight.DAYTIME, date(2026, 11, 27), datetime(2026, 11, 27, 12, 0, tzinfo=UTC)),
        # Not sure: the middle of the whole night, 18:00 to 06:00.
        (TimeOfNight.NOT_SURE, date(2026, 11, 27), datetime(2026, 11, 28, 0, 0, tzinfo=UTC)),
        # The clocks go back: midnight BST (23:00 UTC) to 03:00 GMT is four real hours.
        (
            TimeOfNight.AFTER_MIDNIGHT,
            date(2026, 10, 24),
            datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        ),
        # The clocks go forward: midnight GMT to 03:00 BST is two real hours.
        (
            TimeOfNight.AFTER_MIDNIGHT,
            date(2026, 3, 28),
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_likely_moment_is_the_middle_of_the_band(
    band: TimeOfNight, night: date, expected: datetime
) -> None:
    report = PublicReport(
        night=night, time_of_night=band.value, received_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert triage.likely_moment(report) == expected


def test_the_likely_moment_is_never_after_the_report_arrived() -> None:
    arrived = datetime(2026, 11, 27, 21, 10, tzinfo=UTC)
    report = PublicReport(
        night=date(2026, 11, 27), time_of_night=TimeOfNight.LATE_EVENING.value, received_at=arrived
    )
    assert triage.likely_moment(report) == arrived


def test_a_clocks_back_moment_says_which_hour_it_was(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, login_as: Callable[..., User]
) -> None:
    fix_clock(monkeypatch, datetime(2026, 10, 25, 12, 0, tzinfo=UTC), *CLOCKED)
    report = add_public_report(
        app,
        night=date(2026, 10, 24),
        time_of_night=TimeOfNight.AFTER_MIDNIGHT,
        received_at=datetime(2026, 10, 25, 11, 0, tzinfo=UTC),
    )
    login_as(Role.OFFICER)
    new_url = f"/sightings/new?source=public_report:{report.id}"
    values = form_values(text(client.get(new_url)))
    # 01:00 UTC that night is 01:00 GMT, the second time 01:00 came round.
    sent = dict(values)
    assert (sent["day"], sent["clock"], sent["fold"]) == ("2026-10-25", "01:00", "1")
    response = client.post(new_url, data=MultiDict([*values, ("action_taken", "no_action")]))
    assert response.status_code == 302
    with app.app_context():
        moment = db.session.scalars(select(Sighting.occurred_at)).one()
    assert moment == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
