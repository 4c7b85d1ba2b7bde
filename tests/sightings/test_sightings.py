"""Logging sightings: the form, sharing, corrections, the list, and nothing lost."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from partnership.sightings.models import Attachment, Sighting, SightingRevision
from partnership.venues.models import Venue
from tests.conftest import events, update

MakeUser = Callable[..., User]
NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)  # Friday night, 00:45 GMT


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr("partnership.sightings.views.utcnow", lambda: NOW)
    return NOW


def form(venue: Venue | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "submission_key": overrides.pop("key", "k" * 32),
        "venue_id": str(venue.id) if venue else "",
        "place": "" if venue else "Outside the kebab shop on Wind Street",
        "when": "now",
        "behaviours": ["assb.unwanted_touching", "aspb.following"],
        "victim_response": "moved_away",
        "action_taken": "ejected",
        "vulnerabilities": ["alone"],
        "apparent_sex": "male",
        "age_band": "25_34",
        "clothing": "Blue checked shirt",
        "description": "Followed her from the bar to the door",
        "sharing": "partnership",
    }
    data.update(overrides)
    return data


def sightings(app: Flask) -> list[Sighting]:
    with app.app_context():
        found = list(db.session.scalars(select(Sighting).order_by(Sighting.id)))
        for sighting in found:
            _ = sighting.behaviour_codes, sighting.revisions
        db.session.expunge_all()
        return found


def count(app: Flask, model: type = Sighting) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_bar_staff_log_a_sighting_with_two_behaviours(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_venue: Callable[..., Venue]
) -> None:
    staff = login_as(Role.PREMISES_STAFF)
    venue = make_venue(staff.organisation)
    response = client.post("/sightings/new", data=form(venue))
    assert response.status_code == 302, response.get_data(as_text=True)
    (saved,) = sightings(app)
    assert saved.behaviour_codes == ["aspb.following", "assb.unwanted_touching"]
    assert saved.night == date(2026, 11, 27)  # 00:45 on Saturday is Friday night
    assert saved.occurred_at == NOW
    assert (saved.author_id, saved.organisation_id) == (staff.id, staff.organisation_id)
    assert saved.vulnerabilities == ["alone"]
    assert events(app, "sighting.created")[0].object_id == str(saved.id)

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Unwanted touching" in page and "Following someone" in page
    assert "The Anchor Bar" in page


def test_the_same_form_sent_twice_makes_one_record(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_venue: Callable[..., Venue]
) -> None:
    staff = login_as(Role.PREMISES_STAFF)
    venue = make_venue(staff.organisation)
    first = client.post("/sightings/new", data=form(venue, key="same-key"))
    second = client.post("/sightings/new", data=form(venue, key="same-key"))
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app) == 1


def test_a_database_failure_brings_the_form_back_filled_and_saves_nothing(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_venue: Callable[..., Venue],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = login_as(Role.PREMISES_STAFF)
    venue = make_venue(staff.organisation)

    def locked(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("INSERT INTO audit_events", {}, Exception("database is locked"))

    # The sighting and its behaviours are flushed before the audit event fails.
    monkeypatch.setattr("partnership.sightings.service.audit.record", locked)
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(photo, "JPEG")
    photo.seek(0)
    data = form(venue)
    data["photos"] = [(photo, "door.jpg", "image/jpeg")]
    response = client.post("/sightings/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    # The database did not answer: the same form, kept, as a 503 (see core/outage.py).
    assert response.status_code == 503
    assert "we could not save this just now, so nothing was saved" in page
    assert "Followed her from the bar to the door" in page
    assert 'value="Blue checked shirt"' in page
    assert 'value="assb.unwanted_touching" checked' in page
    assert count(app) == 0
    assert count(app, Attachment) == 0


def test_missing_answers_are_explained_and_kept(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.WELFARE)
    page = client.post(
        "/sightings/new",
        data=form(None, place="", behaviours=["other"], action_taken="", clothing="Red hat"),
    ).get_data(as_text=True)
    assert "Choose a venue or describe the place" in page
    assert "Describe the other behaviour" in page
    assert "Choose what you did" in page
    assert 'value="Red hat"' in page
    page = client.post("/sightings/new", data=form(None, behaviours=[])).get_data(as_text=True)
    assert "Choose at least one behaviour" in page
    assert count(app) == 0


def test_a_time_given_by_hand(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.WELFARE)
    response = client.post(
        "/sightings/new", data=form(None, when="other", day="2026-11-27", clock="23:10")
    )
    assert response.status_code == 302
    (saved,) = sightings(app)
    assert saved.occurred_at == datetime(2026, 11, 27, 23, 10, tzinfo=UTC)
    for clock, message in [
        ("25:00", "Enter the time as hours and minutes"),
        ("01:00", "The time cannot be in the future"),
    ]:
        page = client.post(
            "/sightings/new",
            data=form(None, when="other", day="2026-11-28", clock=clock, key=clock),
        ).get_data(as_text=True)
        assert message in page
    page = client.post(
        "/sightings/new", data=form(None, when="other", day="2026-09-01", clock="22:00", key="old")
    ).get_data(as_text=True)
    assert "within the last 31 days" in page
    assert count(app) == 1


class TestClockChangeNights:
    @pytest.fixture(autouse=True)
    def autumn(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(
            "partnership.sightings.views.utcnow", lambda: datetime(2026, 10, 25, 4, 0, tzinfo=UTC)
        )

    def test_half_past_one_in_october_asks_which(
        self, app: Flask, client: FlaskClient, login_as: Callable[..., User]
    ) -> None:
        login_as(Role.WELFARE)
        data = form(None, when="other", day="2026-10-25", clock="01:30")
        page = client.post("/sightings/new", data=data).get_data(as_text=True)
        assert "so 01:30 happened twice" in page
        assert "The second time: after the clocks went back (GMT)" in page
        assert count(app) == 0

        assert client.post("/sightings/new", data={**data, "fold": "0"}).status_code == 302
        data["submission_key"] = "second"
        assert client.post("/sightings/new", data={**data, "fold": "1"}).status_code == 302
        first, second = sightings(app)
        assert first.occurred_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        assert second.occurred_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        assert first.night == second.night == date(2026, 10, 24)

    def test_half_past_one_in_march_is_refused(
        self,
        app: Flask,
        client: FlaskClient,
        login_as: Callable[..., User],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(
            "partnership.sightings.views.utcnow", lambda: datetime(2026, 3, 29, 4, 0, tzinfo=UTC)
        )
        login_as(Role.WELFARE)
        data = form(None, when="other", day="2026-03-29", clock="01:30")
        page = client.post("/sightings/new", data=data).get_data(as_text=True)
        assert "so there was no 01:30" in page
        assert count(app) == 0
        data["clock"] = "02:30"
        assert client.post("/sightings/new", data=data).status_code == 302
        (saved,) = sightings(app)
        assert saved.occurred_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
        assert saved.night == date(2026, 3, 28)


def test_sharing_levels_decide_who_sees_a_sighting(
    app: Flask, make_user: MakeUser, make_org: Callable[..., Organisation]
) -> None:
    from tests.conftest import sign_in

    bar = make_org(OrgKind.LICENSED_PREMISES)
    author = make_user(Role.PREMISES_STAFF, bar)
    colleague = make_user(Role.PREMISES_STAFF, bar)
    other_bar = make_user(Role.PREMISES_STAFF)
    pastor = make_user(Role.WELFARE)
    officer = make_user(Role.OFFICER)

    browser = app.test_client()
    sign_in(browser, author)
    ids = {}
    for level in ("partnership", "organisation", "police"):
        response = browser.post("/sightings/new", data=form(None, sharing=level, key=level))
        ids[level] = int(response.headers["Location"].rsplit("/", 1)[1])

    expected = {
        author: {"partnership", "organisation", "police"},
        colleague: {"partnership", "organisation"},
        other_bar: {"partnership"},
        pastor: {"partnership"},
        officer: {"partnership", "organisation", "police"},
    }
    for person, levels in expected.items():
        viewer = app.test_client()
        sign_in(viewer, person)
        for level, sighting_id in ids.items():
            status = viewer.get(f"/sightings/{sighting_id}").status_code
            assert status == (200 if level in levels else 404), (person.role, level)
        listed = viewer.get("/sightings/").get_data(as_text=True)
        assert listed.count('class="app-record"') == len(levels)


def test_corrections_by_the_author_within_a_day_and_by_police_are_kept(
    app: Flask, make_user: MakeUser
) -> None:
    from tests.conftest import sign_in

    author = make_user(Role.PREMISES_STAFF)
    officer = make_user(Role.OFFICER)
    browser = app.test_client()
    sign_in(browser, author)
    location = browser.post("/sightings/new", data=form(None)).headers["Location"]
    sighting_id = int(location.rsplit("/", 1)[1])

    # Each correction form carries the version of the sighting it was opened on.
    response = browser.post(
        f"/sightings/{sighting_id}/correct",
        data=form(
            None, when="other", day="2026-11-28", clock="00:40", clothing="Green shirt", version="1"
        ),
    )
    assert response.status_code == 302
    update(app, Sighting, sighting_id, created_at=NOW - timedelta(hours=25))
    late = browser.post(
        f"/sightings/{sighting_id}/correct",
        data=form(None, when="other", day="2026-11-28", clock="00:40", clothing="Pink"),
    )
    assert late.status_code == 302
    assert "Only police can correct" in browser.get(late.headers["Location"]).get_data(as_text=True)

    police = app.test_client()
    sign_in(police, officer)
    assert "Correct this sighting" in police.get(location).get_data(as_text=True)
    police.post(
        f"/sightings/{sighting_id}/correct",
        data=form(
            None,
            when="other",
            day="2026-11-28",
            clock="00:40",
            clothing="Green shirt",
            description="Left in a taxi",
            version=str(sightings(app)[0].version),
        ),
    )
    (saved,) = sightings(app)
    assert saved.clothing == "Green shirt" and saved.description == "Left in a taxi"
    with app.app_context():
        revisions = list(db.session.scalars(select(SightingRevision).order_by(SightingRevision.id)))
        assert [r.changed_by_id for r in revisions] == [author.id, officer.id]
        assert revisions[0].before["clothing"] == "Blue checked shirt"
        assert revisions[0].after["clothing"] == "Green shirt"
        assert "occurred_at" in revisions[0].after
        assert list(revisions[1].after) == ["description"]
    assert len(events(app, "sighting.corrected")) == 2
    history = police.get(location).get_data(as_text=True)
    assert "changed Anything else about what happened" in history
    assert "Clothing" in history.split("Corrections")[1]


def test_police_correct_an_old_sighting_keeping_its_time(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    """A sighting more than 31 days old can still be corrected by police: its own time is
    accepted, but it cannot be moved further back than it was."""
    login_as(Role.OFFICER)
    location = client.post("/sightings/new", data=form(None)).headers["Location"]
    sighting_id = int(location.rsplit("/", 1)[1])
    old = datetime(2026, 9, 20, 22, 30, tzinfo=UTC)  # 23:30 BST, 68 days before NOW
    update(app, Sighting, sighting_id, occurred_at=old, night=date(2026, 9, 20))
    kept = client.post(
        f"/sightings/{sighting_id}/correct",
        data=form(
            None,
            when="other",
            day="2026-09-20",
            clock="23:30",
            clothing="Grey coat",
            version=str(sightings(app)[0].version),
        ),
    )
    assert kept.status_code == 302
    (saved,) = sightings(app)
    assert saved.occurred_at == old and saved.clothing == "Grey coat"
    earlier = client.post(
        f"/sightings/{sighting_id}/correct",
        data=form(
            None,
            when="other",
            day="2026-09-19",
            clock="23:30",
            clothing="Grey coat",
            version=str(sightings(app)[0].version),
        ),
    )
    assert earlier.status_code == 400
    assert "The date cannot be before 20 September 2026" in earlier.get_data(as_text=True)


def test_the_list_filters_and_pages_by_night(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_venue: Callable[..., Venue],
    make_org: Callable[..., Organisation],
) -> None:
    officer = login_as(Role.OFFICER)
    bar = make_venue(make_org(OrgKind.LICENSED_PREMISES, "Castle Lounge Ltd"), name="Castle Lounge")
    with app.app_context():
        for number in range(30):
            moment = NOW - timedelta(days=number)
            db.session.add(
                Sighting(
                    submission_key=f"bulk{number}",
                    organisation_id=officer.organisation_id,
                    author_id=officer.id,
                    sharing="partnership",
                    occurred_at=moment,
                    night=(moment - timedelta(hours=6)).date(),
                    venue_id=bar.id if number % 2 else None,
                    place="" if number % 2 else "Castle Square",
                    victim_response="not_known",
                    action_taken="no_action",
                )
            )
        db.session.commit()
    first = client.get("/sightings/").get_data(as_text=True)
    assert first.count('class="app-record"') == 25
    cursor = first.split('href="/sightings/?after=')[1].split('"')[0]
    second = client.get(f"/sightings/?after={cursor}").get_data(as_text=True)
    assert second.count('class="app-record"') == 5
    assert "after=" not in second.split("govuk-pagination")[1]
    only = client.get(f"/sightings/?venue={bar.id}").get_data(as_text=True)
    assert "Castle Square" not in only
    night = client.get("/sightings/?night_from=2026-11-20&night_to=2026-11-20").get_data(
        as_text=True
    )
    assert night.count('class="app-record"') == 1


def test_roles_without_frontline_duties_cannot_open_sightings(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.ANALYST)
    assert client.get("/sightings/").status_code == 403
    assert client.get("/sightings/new").status_code == 403
