"""Section 34 dispersal authorisations: each statutory rule refuses clearly and writes
nothing; a good one is signed and audited; ending early, with the optimistic lock."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select

from partnership.auth.models import User
from partnership.core.enums import Rank, Role
from partnership.core.saving import Refused
from partnership.extensions import db
from partnership.orders.authorisations import service
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.directions.models import DispersalDirection
from partnership.venues.models import Area
from tests.conftest import Clock, events, fix_clock, welsh

MakeUser = Callable[..., User]
LoginAs = Callable[..., User]
# A Friday night in November: London is on GMT, so local time equals UTC.
NOW = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
NEW = "/orders/authorisations/new"
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-3.945, 51.618], [-3.935, 51.618], [-3.935, 51.622], [-3.945, 51.622], [-3.945, 51.618]]
    ],
}
STALE = "Someone else changed this while you were editing it"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(monkeypatch, NOW, "partnership.orders.authorisations.views")


def good_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "area_id": "",
        "locality_name": "Wind Street and Castle Square",
        "geometry": json.dumps(SQUARE),
        "boundary": "Wind Street from The Strand to Castle Street; Castle Square",
        "start_day": "2026-11-27",
        "start_time": "22:00",
        "end_day": "2026-11-28",
        "end_time": "06:00",
        "necessity": ["harassment_alarm_distress", "crime_disorder"],
        "grounds": "Groups following women between bars after midnight",
        "echr_regard": "No protest or gathering is planned; the area is small",
        "confirm": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def shows(page: str, message: str) -> bool:
    return str(escape(message)) in page


def count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(DispersalAuthorisation.id))) or 0)


def assert_nothing_written(app: Flask) -> None:
    assert count(app) == 0
    assert [e for e in events(app) if (e.object_type or "") == "authorisation"] == []


def stored(app: Flask) -> DispersalAuthorisation:
    with app.app_context():
        found = db.session.scalars(
            select(DispersalAuthorisation).order_by(DispersalAuthorisation.id.desc())
        ).first()
        assert found is not None
        db.session.expunge_all()
        return found


Refuse = Callable[..., str]


@pytest.fixture
def refused(app: Flask, client: FlaskClient, login_as: LoginAs) -> Refuse:
    """Sign in as an inspector; the callable posts the form with ``overrides`` and checks
    it is refused: 400, ``message`` shown, the typing kept, nothing written."""
    login_as(Role.INSPECTOR)

    def refuse(message: str, **overrides: Any) -> str:
        response = client.post(NEW, data=good_form(**overrides))
        page = response.get_data(as_text=True)
        assert response.status_code == 400, page
        assert shows(page, message), page
        assert "There is a problem" in page
        if "grounds" not in overrides:
            assert "Groups following women between bars after midnight" in page
        assert_nothing_written(app)
        return page

    return refuse


def add_area(app: Flask, name: str = "Night-time economy zone", active: bool = True) -> int:
    with app.app_context():
        area = Area(name=name, description="", geometry=SQUARE, active=active)
        db.session.add(area)
        db.session.commit()
        return area.id


def add_authorisation(
    app: Flask, starts_at: datetime, ends_at: datetime, number: int = 1, **values: Any
) -> int:
    with app.app_context():
        columns: dict[str, Any] = {
            "reference": f"S34-2026-{number:04d}",
            "locality_name": f"Locality {number}",
            "geometry": SQUARE,
            "boundary": "Wind Street",
            "necessity": ["crime_disorder"],
            "grounds": "Grounds",
            "echr_regard": "Regard",
            "signed_name": "Inspector Morse",
            "signed_rank": "inspector",
            "signed_at": starts_at,
        }
        authorisation = DispersalAuthorisation(
            starts_at=starts_at, ends_at=ends_at, **{**columns, **values}
        )
        db.session.add(authorisation)
        db.session.commit()
        return authorisation.id


# A good authorisation ---------------------------------------------------------------


def test_an_inspector_authorises_a_drawn_locality_signed_and_audited(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    inspector = login_as(Role.INSPECTOR)
    form = client.get(NEW)
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'value="2026-11-27"' in page and 'value="22:00"' in page  # starts now by default
    response = client.post(NEW, data=good_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    authorisation = stored(app)
    assert response.headers["Location"].endswith(f"/orders/authorisations/{authorisation.id}")
    assert authorisation.reference == "S34-2026-0001"
    assert authorisation.area_id is None
    assert authorisation.locality_name == "Wind Street and Castle Square"
    assert authorisation.geometry == SQUARE
    assert authorisation.starts_at == NOW
    assert authorisation.ends_at == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    assert authorisation.necessity == ["harassment_alarm_distress", "crime_disorder"]
    assert authorisation.authorised_by_id == inspector.id
    assert authorisation.signed_name == inspector.name
    assert authorisation.signed_rank == "inspector"
    assert authorisation.signed_at == NOW
    (event,) = events(app, "authorisation.created")
    assert event.actor_id == inspector.id
    assert event.object_type == "authorisation"
    assert event.object_id == str(authorisation.id)
    assert event.details["reference"] == "S34-2026-0001"

    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "S34-2026-0001" in detail
    assert "Wind Street from The Strand to Castle Street; Castle Square" in detail
    assert "In force now" in detail
    assert "data-map=" in detail  # the Leaflet map; the boundary text works without it
    assert inspector.name in detail
    assert "End it now" in detail  # an inspector may end it early

    client.post(NEW, data=good_form(locality_name="Second"))
    assert stored(app).reference == "S34-2026-0002"


def test_an_existing_area_is_copied_so_later_edits_do_not_move_it(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    area_id = add_area(app)
    login_as(Role.INSPECTOR)
    response = client.post(NEW, data=good_form(area_id=str(area_id), geometry="", locality_name=""))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        area = db.session.get(Area, area_id)
        assert area is not None
        area.name = "Renamed"
        area.geometry = {"type": "Polygon", "coordinates": []}
        db.session.commit()
    authorisation = stored(app)
    assert authorisation.area_id == area_id
    assert authorisation.locality_name == "Night-time economy zone"
    assert authorisation.geometry == SQUARE


# Rule 1: an officer of at least inspector rank ------------------------------------


def test_only_an_inspector_may_authorise(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_user: MakeUser
) -> None:
    message = (
        "Only an inspector or above can authorise a dispersal area. Ask the duty inspector"
        " to authorise it."
    )
    constable = login_as(Role.OFFICER)
    asked = client.get(NEW)
    assert asked.status_code == 403
    assert shows(asked.get_data(as_text=True), message)
    tried = client.post(NEW, data=good_form())
    assert tried.status_code == 403
    assert shows(tried.get_data(as_text=True), message)
    assert_nothing_written(app)
    # The rule lives in the service, whatever calls it.
    with app.test_request_context():
        user = db.session.get(User, constable.id)
        assert user is not None
        data = service.AuthorisationData(
            area_id=None,
            locality_name="Anywhere",
            geometry=json.dumps(SQUARE),
            boundary="Streets",
            starts_at=NOW,
            ends_at=NOW + timedelta(hours=2),
            necessity=["crime_disorder"],
            grounds="Grounds",
            echr_regard="Regard",
            confirmed=True,
        )
        with pytest.raises(Refused) as raised:
            service.authorise(user, data, NOW)
        assert str(raised.value) == message
        db.session.rollback()
    assert_nothing_written(app)
    # A sergeant is no different; other roles cannot even open the page.
    login_as(Role.OFFICER, rank=Rank.SERGEANT)
    assert client.post(NEW, data=good_form()).status_code == 403
    for role in (Role.ANALYST, Role.COORDINATOR, Role.PREMISES_STAFF, Role.WELFARE, Role.ADMIN):
        login_as(role)
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, data=good_form()).status_code == 403
    assert_nothing_written(app)


# Rule 2: a specified locality, with its boundary streets ---------------------------


def test_a_locality_is_required(refused: Refuse) -> None:
    refused(
        "Choose an area, or draw the locality on the map or paste its GeoJSON",
        geometry="",
    )


def test_a_drawn_locality_is_checked_like_any_area(refused: Refuse) -> None:
    paris = {"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86]]]}
    page = refused(
        "Every point of the area must be in the UK, and [2.35, 48.85] is not",
        geometry=json.dumps(paris),
    )
    assert "2.36, 48.86" in page  # the pasted GeoJSON is kept


def test_a_drawn_locality_needs_a_name(refused: Refuse) -> None:
    refused(
        "Enter a name for the locality you drew, like Wind Street and Castle Square",
        locality_name="  ",
    )


def test_an_area_and_a_drawing_together_are_refused(app: Flask, refused: Refuse) -> None:
    area_id = add_area(app, name="Uplands")
    refused(
        "Choose an area or draw a locality, not both: to use Uplands, empty the GeoJSON box",
        area_id=str(area_id),
    )


def test_an_inactive_area_cannot_be_authorised(app: Flask, refused: Refuse) -> None:
    area_id = add_area(app, name="Old zone", active=False)
    refused(
        "Choose one of the areas listed, or draw the locality on the map",
        area_id=str(area_id),
        geometry="",
    )
    refused(
        "Choose one of the areas listed, or draw the locality on the map",
        area_id="1 OR 1=1",
        geometry="",
    )


def test_the_boundary_streets_are_required(refused: Refuse) -> None:
    refused(
        "Write out the streets that bound the locality: the paperwork lists them",
        boundary=" \n ",
    )


# Rule 3: a start and an end, at most 48 hours apart --------------------------------


def test_the_start_is_required(refused: Refuse) -> None:
    refused(
        "Enter the date and time the authorisation starts",
        start_day="",
        start_time="",
    )


def test_the_start_cannot_be_back_dated(client: FlaskClient, refused: Refuse) -> None:
    refused(
        "The start cannot be more than 15 minutes ago: an authorisation starts now or later",
        start_time="21:44",
    )
    # Fifteen minutes is the time the form takes to fill in: allowed.
    assert client.post(NEW, data=good_form(start_time="21:45")).status_code == 302


def test_the_start_is_within_the_next_7_days(refused: Refuse) -> None:
    refused(
        "The start must be within the next 7 days",
        start_day="2026-12-04",
        start_time="22:01",
        end_day="2026-12-05",
        end_time="02:00",
    )


def test_the_end_must_be_after_the_start(refused: Refuse) -> None:
    refused("The end must be after the start", end_day="2026-11-27", end_time="22:00")


def test_the_end_is_required(refused: Refuse) -> None:
    refused("Enter the date and time the authorisation ends", end_day="", end_time="")


def test_48_hours_exactly_is_allowed_and_a_minute_more_is_refused(
    app: Flask, client: FlaskClient, refused: Refuse
) -> None:
    refused(
        "An authorisation can last at most 48 hours: end it no later than 29 November 2026, 22:00",
        end_day="2026-11-29",
        end_time="22:01",
    )
    response = client.post(NEW, data=good_form(end_day="2026-11-29", end_time="22:00"))
    assert response.status_code == 302
    authorisation = stored(app)
    assert authorisation.ends_at - authorisation.starts_at == timedelta(hours=48)


def test_a_time_that_happened_twice_asks_which(
    app: Flask, client: FlaskClient, clock: Clock, refused: Refuse
) -> None:
    clock.now = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # 21:00 BST
    autumn = {"start_day": "2026-10-24", "start_time": "21:00", "end_day": "2026-10-25"}
    refused(
        "The clocks went back that night, so 01:30 happened twice. Choose which one you mean.",
        end_time="01:30",
        **autumn,
    )
    response = client.post(NEW, data=good_form(end_time="01:30", end_fold="1", **autumn))
    assert response.status_code == 302
    assert stored(app).ends_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # GMT


def test_a_time_that_never_happened_is_explained(clock: Clock, refused: Refuse) -> None:
    clock.now = datetime(2026, 3, 28, 21, 0, tzinfo=UTC)
    refused(
        "The clocks went forward that night, so there was no 01:30. Check the time: 01:00"
        " became 02:00.",
        start_day="2026-03-28",
        start_time="21:00",
        end_day="2026-03-29",
        end_time="01:30",
    )


# Rules 4 to 7: necessity, grounds, regard to Articles 10 and 11, the signature -----


def test_necessity_is_required(refused: Refuse) -> None:
    refused(
        "Choose why the authorisation is necessary: to reduce harassment, alarm or distress,"
        " to reduce crime and disorder, or both",
        necessity=[],
    )


def test_the_grounds_are_required_in_writing(refused: Refuse) -> None:
    refused(
        "Write the grounds: what has happened, and why dispersal powers are needed",
        grounds="",
    )


def test_regard_to_echr_articles_10_and_11_is_recorded(refused: Refuse) -> None:
    refused(
        "Record the regard you have had to the rights to freedom of expression and of"
        " assembly (ECHR Articles 10 and 11)",
        echr_regard="   ",
    )


def test_the_inspector_confirms_to_sign(refused: Refuse) -> None:
    refused("Confirm that you authorise this: it signs the authorisation", confirm=None)


def test_every_problem_is_shown_at_once(refused: Refuse) -> None:
    page = refused(
        "Write out the streets that bound the locality: the paperwork lists them",
        boundary="",
        grounds="",
        confirm=None,
    )
    assert shows(page, "Write the grounds: what has happened, and why dispersal powers are needed")
    assert shows(page, "Confirm that you authorise this: it signs the authorisation")


# In force ---------------------------------------------------------------------------


def test_in_force_from_the_start_up_to_but_not_at_the_end_or_once_ended_early() -> None:
    start = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    end = start + timedelta(hours=8)
    authorisation = DispersalAuthorisation(starts_at=start, ends_at=end)
    assert not authorisation.in_force(start - timedelta(seconds=1))
    assert authorisation.in_force(start)
    assert authorisation.in_force(end - timedelta(seconds=1))
    assert not authorisation.in_force(end)
    authorisation.ended_at = start + timedelta(hours=2)
    assert authorisation.in_force(start + timedelta(hours=1, minutes=59))
    assert not authorisation.in_force(start + timedelta(hours=2))
    assert not authorisation.in_force(start + timedelta(hours=3))


# Ending early -----------------------------------------------------------------------


def end_url(authorisation_id: int) -> str:
    return f"/orders/authorisations/{authorisation_id}/end"


def opened_version(client: FlaskClient, authorisation_id: int) -> str:
    page = client.get(end_url(authorisation_id)).get_data(as_text=True)
    found = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    assert found is not None, page
    return found.group(1)


def test_an_inspector_ends_an_authorisation_early(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    ident = add_authorisation(app, NOW - timedelta(hours=1), NOW + timedelta(hours=7))
    inspector = login_as(Role.INSPECTOR)
    version = opened_version(client, ident)
    missing = client.post(end_url(ident), data={"version": version, "reason": " "})
    assert missing.status_code == 400
    assert shows(
        missing.get_data(as_text=True), "Give the reason for ending the authorisation early"
    )
    assert stored(app).ended_at is None
    response = client.post(end_url(ident), data={"version": version, "reason": "Quiet now"})
    assert response.status_code == 302, response.get_data(as_text=True)
    authorisation = stored(app)
    assert authorisation.ended_at == NOW
    assert authorisation.ended_by_id == inspector.id
    assert authorisation.end_reason == "Quiet now"
    assert not authorisation.in_force(NOW)
    (event,) = events(app, "authorisation.ended_early")
    assert (event.object_type, event.object_id) == ("authorisation", str(ident))
    detail = client.get(f"/orders/authorisations/{ident}").get_data(as_text=True)
    assert "Ended early" in detail and "Quiet now" in detail
    assert "End it now" not in detail
    # Not twice.
    again = client.post(
        end_url(ident), data={"version": str(authorisation.version), "reason": "Again"}
    )
    assert again.status_code == 400
    assert shows(
        again.get_data(as_text=True),
        "This authorisation was already ended early, at 27 November 2026, 22:00",
    )
    assert len(events(app, "authorisation.ended_early")) == 1


def test_only_an_inspector_ends_one_early(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    ident = add_authorisation(app, NOW - timedelta(hours=1), NOW + timedelta(hours=7))
    login_as(Role.OFFICER)
    detail = client.get(f"/orders/authorisations/{ident}").get_data(as_text=True)
    assert "End it now" not in detail
    response = client.post(end_url(ident), data={"version": "1", "reason": "Quiet"})
    assert response.status_code == 403
    assert shows(
        response.get_data(as_text=True), "Only an inspector or above can end an authorisation early"
    )
    assert stored(app).ended_at is None
    assert events(app, "authorisation.ended_early") == []


def test_one_that_already_ran_out_cannot_be_ended(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    ident = add_authorisation(app, NOW - timedelta(hours=9), NOW - timedelta(hours=1))
    login_as(Role.INSPECTOR)
    assert client.get(end_url(ident)).status_code == 302  # back to the page, which says so
    response = client.post(end_url(ident), data={"version": "1", "reason": "Quiet"})
    assert response.status_code == 400
    assert shows(
        response.get_data(as_text=True),
        "This authorisation already ran out at 27 November 2026, 21:00: there is nothing to end",
    )
    assert stored(app).ended_at is None


def test_a_second_save_on_an_outdated_form_is_refused_and_its_input_kept(
    app: Flask, login_as: LoginAs, make_user: MakeUser
) -> None:
    ident = add_authorisation(app, NOW - timedelta(hours=1), NOW + timedelta(hours=7))
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        user = make_user(Role.INSPECTOR)
        with client.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["_fresh"] = True
    first_version = opened_version(first, ident)
    second_version = opened_version(second, ident)
    assert first_version == second_version
    saved = first.post(end_url(ident), data={"version": first_version, "reason": "Event over"})
    assert saved.status_code == 302
    stale = second.post(
        end_url(ident), data={"version": second_version, "reason": "Disorder has stopped"}
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 400
    assert shows(page, STALE)
    assert "Disorder has stopped" in page
    authorisation = stored(app)
    assert authorisation.end_reason == "Event over"
    assert len(events(app, "authorisation.ended_early")) == 1


# The list, the detail and who sees them -----------------------------------------------


def test_the_list_is_newest_first_marks_what_is_in_force_and_pages(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    for number in range(1, 27):
        start = NOW - timedelta(days=30 - number)
        add_authorisation(app, start, start + timedelta(hours=12), number=number)
    add_authorisation(app, NOW - timedelta(hours=2), NOW + timedelta(hours=2), number=27)
    login_as(Role.OFFICER)
    page = client.get("/orders/authorisations/").get_data(as_text=True)
    assert "27 authorisations" in page
    assert page.index("S34-2026-0027") < page.index("S34-2026-0026")
    assert page.count("In force now") == 1
    assert "S34-2026-0002" not in page  # 25 a page
    assert "Authorise a dispersal area" not in page  # a constable may not
    second = client.get("/orders/authorisations/?page=2").get_data(as_text=True)
    assert "S34-2026-0002" in second and "S34-2026-0001" in second


def test_police_only_and_404_for_what_does_not_exist(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    ident = add_authorisation(app, NOW, NOW + timedelta(hours=4))
    login_as(Role.OFFICER)
    assert client.get(f"/orders/authorisations/{ident}").status_code == 200
    assert client.get(f"/orders/authorisations/{ident + 1}").status_code == 404
    login_as(Role.INSPECTOR)
    assert client.get(end_url(ident + 1)).status_code == 404
    assert client.post(end_url(ident + 1), data={"reason": "x"}).status_code == 404
    for role in (Role.ANALYST, Role.COORDINATOR, Role.PREMISES_STAFF, Role.WELFARE, Role.ADMIN):
        login_as(role)
        assert client.get("/orders/authorisations/").status_code == 403
        assert client.get(f"/orders/authorisations/{ident}").status_code == 403
        assert client.post(end_url(ident), data={"reason": "x"}).status_code == 403


# Welsh --------------------------------------------------------------------------------


def test_the_form_renders_in_welsh(app: Flask, client: FlaskClient, login_as: LoginAs) -> None:
    login_as(Role.INSPECTOR)
    response = client.get(f"{NEW}?lang=cy")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="cy"' in page
    assert welsh(app, "Skip to main content") in page
    bad = client.post(NEW, data=good_form(grounds="Grwpiau'n dilyn menywod", boundary=""))
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert '<html lang="cy"' in page
    assert welsh(app, "There is a problem") in page
    assert str(escape("Grwpiau'n dilyn menywod")) in page
    assert_nothing_written(app)


def test_the_page_lists_the_directions_given_under_it_and_escapes_what_was_typed(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    ident = add_authorisation(
        app, NOW - timedelta(hours=1), NOW + timedelta(hours=7), grounds="<script>x()</script>"
    )
    with app.app_context():
        direction = DispersalDirection(
            reference="S35-2026-0001",
            authorisation_id=ident,
            given_at=NOW - timedelta(minutes=30),
            place="Outside The Anchor Bar",
            given_by_name="PC Lewis",
            given_by_rank="constable",
            excluded_description="The authorised locality",
            ends_at=NOW + timedelta(hours=47),
        )
        db.session.add(direction)
        db.session.commit()
        direction_id = direction.id
    login_as(Role.OFFICER)
    page = client.get(f"/orders/authorisations/{ident}").get_data(as_text=True)
    assert "S35-2026-0001" in page
    with app.test_request_context():
        link = url_for("orders.direction_detail", direction_id=direction_id)
    assert f'href="{link}"' in page
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
