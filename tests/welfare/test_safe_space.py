"""Recording Safe Space uses: where they may be recorded, the form's rules, and nothing lost."""

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
from partnership.welfare.models import SafeSpaceUse
from tests.conftest import events
from tests.welfare.answers import safe_space_answers
from tests.welfare.conftest import NOW, count, rows

MakeVenue = Callable[..., Venue]
LoginAs = Callable[..., User]


@pytest.fixture
def staff_and_venue(login_as: LoginAs, make_venue: MakeVenue) -> tuple[User, Venue]:
    staff = login_as(Role.PREMISES_STAFF)
    return staff, make_venue(staff.organisation)


def test_bar_staff_record_a_safe_space_use_at_their_venue(
    app: Flask, client: FlaskClient, staff_and_venue: tuple[User, Venue]
) -> None:
    staff, venue = staff_and_venue
    page = client.get("/welfare/safe-space/new").get_data(as_text=True)
    assert f'<option value="{venue.id}" selected>' in page  # their only Safe Space venue
    assert 'name="submission_key"' in page

    response = client.post("/welfare/safe-space/new", data=safe_space_answers(venue))
    assert response.status_code == 302, response.get_data(as_text=True)
    (saved,) = rows(app, SafeSpaceUse)
    assert (saved.author_id, saved.organisation_id, saved.venue_id) == (
        staff.id,
        staff.organisation_id,
        venue.id,
    )
    assert saved.arrived_at == NOW - timedelta(minutes=30)
    assert saved.left_at is None
    assert saved.night == date(2026, 11, 27)  # 00:15 on Saturday is Friday night
    assert saved.reasons == ["phone_dead", "separated"]
    assert saved.support == ["phone_charge", "water"]
    assert (saved.age_band, saved.gender, saved.handed_to) == ("18_24", "woman", "friend")
    assert saved.handed_to_organisation_id is None
    (created,) = events(app, "safe_space_use.created")
    assert (created.object_type, created.object_id) == ("safe_space_use", str(saved.id))
    assert created.actor_id == staff.id

    shown = client.get(response.headers["Location"])
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    for text in (
        "The Anchor Bar",
        "Separated from friends",
        "Phone dead or lost",
        "Phone charged",
        "18 to 24",
        "Woman",
        "A friend or family member",
        "Waited for her sister to collect her",
        "Still there when this was recorded",
        "Night of Friday 27 November 2026",
        "28 November 2026, 00:15",
    ):
        assert text in page, text
    assert events(app, "safe_space_use.viewed")[0].object_id == str(saved.id)


def test_the_departure_time_and_a_hand_over_to_street_pastors(
    app: Flask,
    client: FlaskClient,
    staff_and_venue: tuple[User, Venue],
    make_org: Callable[..., Organisation],
) -> None:
    _staff, venue = staff_and_venue
    pastors = make_org(OrgKind.STREET_PASTORS, "Swansea Street Pastors")
    response = client.post(
        "/welfare/safe-space/new",
        data=safe_space_answers(
            venue,
            when="60",
            left="15",
            handed_to="street_pastors",
            handed_to_organisation_id=str(pastors.id),
        ),
    )
    assert response.status_code == 302
    (saved,) = rows(app, SafeSpaceUse)
    assert saved.arrived_at == NOW - timedelta(hours=1)
    assert saved.left_at == NOW - timedelta(minutes=15)
    assert saved.handed_to_organisation_id == pastors.id
    assert events(app, "safe_space_use.created")[0].details["handed_to_organisation"] == pastors.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Street Pastors: Swansea Street Pastors" in page
    assert "28 November 2026, 00:30" in page


def test_an_organisation_chosen_for_another_kind_of_hand_over_is_not_kept(
    app: Flask,
    client: FlaskClient,
    staff_and_venue: tuple[User, Venue],
    make_org: Callable[..., Organisation],
) -> None:
    _staff, venue = staff_and_venue
    pastors = make_org(OrgKind.STREET_PASTORS)
    data = safe_space_answers(venue, handed_to="taxi", handed_to_organisation_id=str(pastors.id))
    assert client.post("/welfare/safe-space/new", data=data).status_code == 302
    (saved,) = rows(app, SafeSpaceUse)
    assert (saved.handed_to, saved.handed_to_organisation_id) == ("taxi", None)


def test_the_same_form_sent_twice_makes_one_record(
    app: Flask, client: FlaskClient, staff_and_venue: tuple[User, Venue]
) -> None:
    _staff, venue = staff_and_venue
    first = client.post("/welfare/safe-space/new", data=safe_space_answers(venue, key="same-key"))
    second = client.post("/welfare/safe-space/new", data=safe_space_answers(venue, key="same-key"))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, SafeSpaceUse) == 1
    assert len(events(app, "safe_space_use.created")) == 1


def test_a_database_failure_brings_the_form_back_filled_and_saves_nothing(
    app: Flask,
    client: FlaskClient,
    staff_and_venue: tuple[User, Venue],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _staff, venue = staff_and_venue

    def locked(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("INSERT INTO audit_events", {}, Exception("database is locked"))

    # The record is flushed before its audit event fails: both must go.
    monkeypatch.setattr("partnership.welfare.service.audit.record", locked)
    response = client.post(
        "/welfare/safe-space/new", data=safe_space_answers(venue, key="kept-key")
    )
    page = response.get_data(as_text=True)
    # The database did not answer: the same form, kept, as a 503 (see core/outage.py).
    assert response.status_code == 503
    assert "we could not save this just now, so nothing was saved" in page
    assert "Waited for her sister to collect her" in page
    assert 'value="separated" checked' in page
    assert 'value="phone_charge" checked' in page
    assert 'value="18_24" checked' in page
    assert 'value="kept-key"' in page  # sending it again still makes one record
    assert count(app, SafeSpaceUse) == 0

    monkeypatch.undo()
    monkeypatch.setattr("partnership.welfare.views.utcnow", lambda: NOW)
    assert client.post(
        "/welfare/safe-space/new", data=safe_space_answers(venue, key="kept-key")
    ).status_code == (302)
    assert count(app, SafeSpaceUse) == 1


Refuse = Callable[[dict[str, Any]], str]


@pytest.fixture
def refused(app: Flask, client: FlaskClient) -> Refuse:
    """The callable posts the Safe Space form with ``data`` and checks it is refused: 400,
    the problem shown, the typing kept, nothing written."""

    def refuse(data: dict[str, Any]) -> str:
        response = client.post("/welfare/safe-space/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, page
        assert "There is a problem" in page
        assert "Waited for her sister to collect her" in page  # what was typed is kept
        assert count(app, SafeSpaceUse) == 0
        return page

    return refuse


def test_a_venue_is_required(refused: Refuse, staff_and_venue: tuple[User, Venue]) -> None:
    page = refused(safe_space_answers(None))
    assert "Choose the venue" in page


def test_a_hand_over_to_street_pastors_or_a_welfare_team_names_which(
    refused: Refuse,
    staff_and_venue: tuple[User, Venue],
    make_org: Callable[..., Organisation],
) -> None:
    _staff, venue = staff_and_venue
    page = refused(safe_space_answers(venue, handed_to="street_pastors"))
    assert "Choose which Street Pastors group you handed them to" in page
    page = refused(safe_space_answers(venue, handed_to="welfare"))
    assert "Choose which welfare team you handed them to" in page
    # The organisation must be of the kind chosen, and still a member.
    pastors = make_org(OrgKind.STREET_PASTORS)
    page = refused(
        safe_space_answers(venue, handed_to="welfare", handed_to_organisation_id=str(pastors.id)),
    )
    assert "Choose which welfare team you handed them to" in page
    bar = make_org(OrgKind.LICENSED_PREMISES)
    page = refused(
        safe_space_answers(
            venue, handed_to="street_pastors", handed_to_organisation_id=str(bar.id)
        ),
    )
    assert "Choose which Street Pastors group you handed them to" in page


def test_a_venue_of_another_organisation_is_refused(
    refused: Refuse,
    staff_and_venue: tuple[User, Venue],
    make_org: Callable[..., Organisation],
    make_venue: MakeVenue,
) -> None:
    elsewhere = make_venue(make_org(OrgKind.LICENSED_PREMISES), name="Castle Lounge")
    page = refused(safe_space_answers(elsewhere))
    assert "You can only record a Safe Space use at your own organisation" in page
    assert "Castle Lounge" not in page  # not offered either


def test_a_venue_without_a_safe_space_is_refused(
    refused: Refuse, staff_and_venue: tuple[User, Venue], make_venue: MakeVenue
) -> None:
    staff, _venue = staff_and_venue
    plain = make_venue(staff.organisation, name="<b>Cellar</b> Bar", safe_space=False)
    page = refused(safe_space_answers(plain))
    assert "&lt;b&gt;Cellar&lt;/b&gt; Bar does not run a Safe Space. Choose a venue that does." in (
        page
    )
    assert "<b>Cellar</b>" not in page
    closed = make_venue(staff.organisation, name="Closed Bar", active=False)
    assert "Choose a venue from the list" in refused(safe_space_answers(closed))


def test_other_missing_or_impossible_answers_are_explained(
    refused: Refuse, staff_and_venue: tuple[User, Venue]
) -> None:
    _staff, venue = staff_and_venue
    page = refused(safe_space_answers(venue, reasons=[], handed_to=""))
    assert "Choose at least one reason" in page
    assert "Choose who you handed them over to" in page
    page = refused(safe_space_answers(venue, when="15", left="30"))
    assert "They cannot have left before they arrived" in page
    page = refused(
        safe_space_answers(venue, left="other", left_day="2026-11-28", left_clock="25:00")
    )
    assert "Enter the time as hours and minutes, like 01:30" in page
    # Every problem shows at once, the venue's too.
    page = refused(safe_space_answers(None, reasons=[], when="other", day="", clock=""))
    assert "Choose the venue" in page
    assert "Choose at least one reason" in page
    assert "Enter the date it happened" in page


def test_on_the_night_the_clocks_go_back_the_departure_asks_which_one_thirty(
    refused: Refuse,
    app: Flask,
    client: FlaskClient,
    staff_and_venue: tuple[User, Venue],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _staff, venue = staff_and_venue
    monkeypatch.setattr(
        "partnership.welfare.views.utcnow", lambda: datetime(2026, 10, 25, 4, 0, tzinfo=UTC)
    )
    data = safe_space_answers(
        venue,
        when="other",
        day="2026-10-25",
        clock="00:50",
        left="other",
        left_day="2026-10-25",
        left_clock="01:30",
    )
    page = refused(data)
    assert "so 01:30 happened twice" in page
    assert 'name="left_fold"' in page
    assert client.post("/welfare/safe-space/new", data={**data, "left_fold": "1"}).status_code == (
        302
    )
    (saved,) = rows(app, SafeSpaceUse)
    assert saved.arrived_at == datetime(2026, 10, 24, 23, 50, tzinfo=UTC)
    assert saved.left_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert saved.night == date(2026, 10, 24)


def test_staff_whose_organisation_has_no_safe_space_are_told_so(
    client: FlaskClient, login_as: LoginAs, make_venue: MakeVenue
) -> None:
    staff = login_as(Role.PREMISES_STAFF)
    make_venue(staff.organisation, safe_space=False)
    response = client.get("/welfare/safe-space/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "venues runs a Safe Space, so there is nowhere to record" in page
    assert 'method="post"' not in page.split("</header>")[1]


def test_police_record_at_any_safe_space_venue(
    refused: Refuse,
    app: Flask,
    client: FlaskClient,
    login_as: LoginAs,
    make_venue: MakeVenue,
    make_org: Callable[..., Organisation],
) -> None:
    officer = login_as(Role.OFFICER)
    assert "No venue in the partnership runs a Safe Space yet" in client.get(
        "/welfare/safe-space/new"
    ).get_data(as_text=True)
    bar = make_org(OrgKind.LICENSED_PREMISES)
    first = make_venue(bar, name="Castle Lounge")
    second = make_venue(make_org(OrgKind.LICENSED_PREMISES), name="The Anchor Bar")
    plain = make_venue(bar, name="Cellar Bar", safe_space=False)
    page = client.get("/welfare/safe-space/new").get_data(as_text=True)
    assert "Castle Lounge" in page and "The Anchor Bar" in page
    assert "Cellar Bar" not in page
    assert "Cellar Bar does not run a Safe Space" in refused(safe_space_answers(plain))
    response = client.post("/welfare/safe-space/new", data=safe_space_answers(second))
    assert response.status_code == 302
    (saved,) = rows(app, SafeSpaceUse)
    assert (saved.venue_id, saved.organisation_id) == (second.id, officer.organisation_id)
    assert first.id != second.id


@pytest.mark.parametrize("role", [Role.WELFARE, Role.COORDINATOR, Role.ANALYST, Role.ADMIN])
def test_only_bar_staff_and_police_record_safe_space_uses(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_venue: MakeVenue, role: Role
) -> None:
    user = login_as(role)
    venue = make_venue(user.organisation)
    assert client.get("/welfare/safe-space/new").status_code == 403
    assert client.post("/welfare/safe-space/new", data=safe_space_answers(venue)).status_code == 403
    assert count(app, SafeSpaceUse) == 0
    assert events(app, "access.denied")


def test_the_list_pages_newest_first_and_filters_by_night(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_venue: MakeVenue
) -> None:
    staff = login_as(Role.PREMISES_STAFF)
    venue = make_venue(staff.organisation)
    with app.app_context():
        for number in range(30):
            moment = NOW - timedelta(days=number)
            db.session.add(
                SafeSpaceUse(
                    submission_key=f"bulk{number}",
                    organisation_id=staff.organisation_id,
                    author_id=staff.id,
                    venue_id=venue.id,
                    arrived_at=moment,
                    night=(moment - timedelta(hours=6)).date(),
                    reasons=["upset"],
                    handed_to="friend",
                )
            )
        db.session.commit()
    first = client.get("/welfare/safe-space/")
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert page.count('class="app-record"') == 25
    assert page.index("28 November 2026, 00:45") < page.index("27 November 2026, 00:45")
    cursor = page.split('href="/welfare/safe-space/?after=')[1].split('"')[0]
    second = client.get(f"/welfare/safe-space/?after={cursor}").get_data(as_text=True)
    assert second.count('class="app-record"') == 5
    assert "after=" not in second.split("govuk-pagination")[1]
    assert "Newest" in second
    night = client.get("/welfare/safe-space/?night_from=2026-11-20&night_to=2026-11-18").get_data(
        as_text=True
    )
    assert night.count('class="app-record"') == 3
    listed = events(app, "safe_space_use.list_viewed")
    assert [e.details["shown"] for e in listed] == [25, 5, 3]
