"""Section 35 directions: each statutory rule refuses clearly and writes nothing; a good
direction is recorded with its reference and audited; variation and withdrawal with their
own notice and the optimistic lock; breaches; the Section 38 record is complete."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, inspect, select

from partnership.auth.models import User
from partnership.core.enums import Exemption, Rank, Role
from partnership.core.saving import Refused
from partnership.core.signals import breach_recorded, direction_given
from partnership.extensions import db
from partnership.orders.breaches.models import Breach
from partnership.orders.directions import rules, service
from partnership.orders.directions.models import DirectionChange, DispersalDirection
from partnership.orders.directions.record import section_38_record
from partnership.orders.directions.visibility import NO_RANK, PCSO_NOT_DESIGNATED
from partnership.subjects.models import Subject
from tests.conftest import Clock, events, fix_clock, update, welsh
from tests.orders.factories import add_authorisation, listening
from tests.subjects.factories import add_subject

MakeUser = Callable[..., User]
LoginAs = Callable[..., User]
# 00:45 on a Saturday in November: London is on GMT, so local time equals UTC.
NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)
NEW = "/orders/directions/new"
PART_INSIDE = {
    "type": "Polygon",
    "coordinates": [
        [[-3.945, 51.615], [-3.935, 51.615], [-3.935, 51.625], [-3.945, 51.625], [-3.945, 51.615]]
    ],
}
PART_OUTSIDE = {
    "type": "Polygon",
    "coordinates": [
        [[-3.94, 51.62], [-3.92, 51.62], [-3.92, 51.64], [-3.94, 51.64], [-3.94, 51.62]]
    ],
}
STALE = "Someone else changed this while you were editing it"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(monkeypatch, NOW, "partnership.orders.directions.views")


def make_authorisation(
    app: Flask,
    *,
    starts_at: datetime = NOW - timedelta(hours=2),
    ends_at: datetime = NOW + timedelta(hours=10),
    ended_at: datetime | None = None,
    reference: str = "S34-2026-0001",
) -> int:
    """An authorisation of Wind Street in force from two hours ago, unless told otherwise."""
    return add_authorisation(
        app,
        starts_at,
        ends_at,
        ended_at=ended_at,
        reference=reference,
        locality_name="Wind Street",
        signed_name="Inspector Test",
    )


def make_subject(app: Flask, officer: User, **values: Any) -> int:
    """A red flag with the person's name, date of birth and address."""
    subject_id, _reference = add_subject(
        app,
        officer,
        description="Tall man, grey hoodie",
        name="Red Flag Person",
        date_of_birth=date(1990, 1, 2),
        address="2 Canary Street",
        **values,
    )
    return subject_id


def good_form(authorisation: int | str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "authorisation_id": str(authorisation),
        "given_day": "2026-11-28",
        "given_clock": "00:45",
        "place": "Outside the Anchor Bar, Wind Street",
        "latitude": "51.62",
        "longitude": "-3.94",
        "in_uniform": "y",
        "person_name": "Canary Person",
        "date_of_birth": "2000-05-01",
        "address": "1 High Street, Swansea",
        "description": "Grey hoodie, white trainers",
        "excluded_area": "whole",
        "excluded_description": "",
        "period": "max",
        "leave_by": "01:00",
        "route": "Along Wind Street to the station",
        "items_surrendered": "Two cans of lager",
        "items_return": "Collect from Swansea Central police station after 48 hours",
        "in_writing": "yes",
        "offence_warning_given": "y",
        **{f"exempt_{exemption.value}": "no" for exemption in Exemption},
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def shows(page: str, message: str) -> bool:
    """``message`` is on the page (GOV.UK components may leave an apostrophe unescaped)."""
    return message in page or str(escape(message)) in page


def directions(app: Flask) -> list[DispersalDirection]:
    with app.app_context():
        found = list(db.session.scalars(select(DispersalDirection).order_by(DispersalDirection.id)))
        for direction in found:
            _ = direction.changes, direction.breaches, direction.authorisation
        db.session.expunge_all()
        return found


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def assert_refused(app: Flask, response: Any, message: str, *kept: str) -> None:
    """The form came back (400) with ``message`` and what was typed, and nothing was saved."""
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert shows(page, message), page
    assert 'class="govuk-error-summary' in page
    for text in kept:
        assert shows(page, text), text
    assert count(app, DispersalDirection) == 0
    assert events(app, "direction.given") == []


Refuse = Callable[..., Any]


@pytest.fixture
def refused(app: Flask, client: FlaskClient, login_as: LoginAs) -> Refuse:
    """Sign in as a constable; the callable posts a direction under a new authorisation,
    answered as ``answers`` say, checks it is refused with ``message`` (see
    :func:`assert_refused`) and returns the response."""
    login_as(Role.OFFICER)

    def refuse(message: str, *kept: str, **answers: Any) -> Any:
        response = client.post(NEW, data=good_form(make_authorisation(app), **answers))
        assert_refused(app, response, message, *kept)
        return response

    return refuse


def give(client: FlaskClient, authorisation: int | str, **overrides: Any) -> int:
    response = client.post(NEW, data=good_form(authorisation, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


# --- A good direction ---------------------------------------------------------------


def test_a_complete_direction_is_recorded_with_its_reference_and_one_audit_event(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    constable = login_as(Role.OFFICER)
    authorisation_id = make_authorisation(app)
    page = client.get(NEW).get_data(as_text=True)
    assert 'value="2026-11-28"' in page and 'value="00:45"' in page  # "now" by default
    assert "S34-2026-0001: Wind Street, in force until 28 November 2026, 10:45" in page
    assert "30 November 2026, 00:45" in page  # 48 hours from now, shown

    direction_id = give(client, authorisation_id)
    (direction,) = directions(app)
    assert direction.id == direction_id
    assert direction.reference == "S35-2026-0001"
    assert direction.authorisation_id == authorisation_id
    assert direction.given_at == NOW
    assert direction.ends_at == NOW + timedelta(hours=48)
    assert direction.leave_by == datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert direction.given_by_id == constable.id
    assert direction.given_by_rank == "constable"
    assert direction.in_uniform and direction.offence_warning_given and direction.in_writing
    assert direction.excluded_geometry is None
    assert direction.items_return.startswith("Collect from")
    assert direction.exemptions_checked == {e.value: False for e in Exemption}
    (event,) = events(app, "direction.given")
    assert event.object_type == "direction"
    assert event.object_id == str(direction_id)
    assert event.details["reference"] == "S35-2026-0001"
    assert "Canary Person" not in json.dumps(event.details)

    give(client, authorisation_id)
    assert [d.reference for d in directions(app)] == ["S35-2026-0001", "S35-2026-0002"]


def test_the_list_marks_active_directions_and_the_detail_view_is_audited(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    login_as(Role.OFFICER)
    authorisation_id = make_authorisation(app)
    direction_id = give(client, authorisation_id)
    listing = client.get("/orders/directions/").get_data(as_text=True)
    assert "S35-2026-0001" in listing and "In force" in listing
    detail = client.get(f"/orders/directions/{direction_id}")
    assert detail.status_code == 200
    assert "Section 38 record" in detail.get_data(as_text=True)
    (viewed,) = events(app, "direction.viewed")
    assert viewed.object_id == str(direction_id)
    assert client.get("/orders/directions/999999").status_code == 404
    clock.now = NOW + timedelta(hours=49)
    assert "Ended" in client.get("/orders/directions/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.PREMISES_STAFF, Role.WELFARE, Role.COORDINATOR])
def test_only_police_reach_directions(
    app: Flask, client: FlaskClient, login_as: LoginAs, role: Role
) -> None:
    login_as(role)
    authorisation_id = make_authorisation(app)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, data=good_form(authorisation_id)).status_code == 403
    assert client.get("/orders/directions/").status_code == 403
    assert count(app, DispersalDirection) == 0


def test_unknown_authorisation_or_red_flag_in_the_address_is_not_found(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER)
    assert client.get(f"{NEW}?authorisation_id=999").status_code == 404
    assert client.get(f"{NEW}?subject_id=999").status_code == 404
    # A known one is chosen already, even when another is in force too.
    make_authorisation(app)
    other = make_authorisation(app, reference="S34-2026-0002")
    page = client.get(f"{NEW}?authorisation_id={other}").get_data(as_text=True)
    assert f'value="{other}" checked' in page


# --- Rule 1: a constable in uniform, or a designated PCSO -----------------------------


def test_rule_1_a_pcso_who_is_not_designated_is_refused(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER, rank=Rank.PCSO, designated_pcso=False)
    authorisation_id = make_authorisation(app)
    message = str(PCSO_NOT_DESIGNATED)
    assert shows(client.get(NEW).get_data(as_text=True), message)
    response = client.post(NEW, data=good_form(authorisation_id))
    assert_refused(app, response, message)


def test_rule_1_a_designated_pcso_may_give_one(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER, rank=Rank.PCSO, designated_pcso=True)
    give(client, make_authorisation(app))
    (direction,) = directions(app)
    assert direction.given_by_rank == "pcso"


def test_rule_1_an_account_with_no_rank_is_refused(
    app: Flask, login_as: LoginAs, refused: Refuse
) -> None:
    officer = login_as(Role.OFFICER)
    update(app, User, officer.id, rank=None)
    refused(str(NO_RANK))


def test_rule_1_the_officer_must_confirm_they_are_in_uniform(refused: Refuse) -> None:
    refused(
        "Confirm that you are in uniform: only an officer in uniform can give a direction",
        "Canary Person",
        "Two cans of lager",
        in_uniform=None,
    )


# --- Rule 2: inside an authorisation in force, at a point inside its locality ----------


@pytest.mark.parametrize(
    ("times", "message"),
    [
        (
            {"starts_at": NOW + timedelta(hours=1), "ends_at": NOW + timedelta(hours=5)},
            "Authorisation S34-2026-0001 does not start until 28 November 2026, 01:45",
        ),
        (
            {"starts_at": NOW - timedelta(hours=6), "ends_at": NOW - timedelta(hours=1)},
            "Authorisation S34-2026-0001 ended at 27 November 2026, 23:45",
        ),
        (
            {
                "starts_at": NOW - timedelta(hours=6),
                "ends_at": NOW + timedelta(hours=6),
                "ended_at": NOW - timedelta(minutes=30),
            },
            "Authorisation S34-2026-0001 was ended early, at 28 November 2026, 00:15",
        ),
    ],
    ids=["not_started", "ended", "ended_early"],
)
def test_rule_2_the_authorisation_must_be_in_force_when_it_is_given(
    app: Flask, client: FlaskClient, login_as: LoginAs, times: dict[str, Any], message: str
) -> None:
    login_as(Role.OFFICER)
    authorisation_id = make_authorisation(app, **times)
    response = client.post(NEW, data=good_form(authorisation_id))
    assert_refused(app, response, message, "Canary Person")


def test_rule_2_an_authorisation_must_be_chosen(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER)
    make_authorisation(app)
    response = client.post(NEW, data=good_form(""))
    assert_refused(app, response, "Choose the authorisation the direction is given under")


def test_rule_2_a_point_outside_the_locality_is_refused(refused: Refuse) -> None:
    refused(
        "The place marked on the map is outside the authorised locality, Wind Street:"
        " a direction can only be given inside it",
        latitude="51.65",
        longitude="-3.94",
    )


# --- Rule 3: the person ---------------------------------------------------------------


def test_rule_3_a_red_flag_reference_must_be_one_the_officer_can_see(
    app: Flask, login_as: LoginAs, refused: Refuse
) -> None:
    officer = login_as(Role.OFFICER)
    erased = make_subject(app, officer, reference="RF-2026-0009")
    update(app, Subject, erased, erased_at=NOW)
    refused(
        "No red flag you can see has that reference",
        "RF-2026-0009",
        subject_reference="RF-2026-0009",
    )


def test_rule_3_a_red_flag_fills_in_the_persons_details(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    officer = login_as(Role.OFFICER)
    subject_id = make_subject(app, officer)
    page = client.get(f"{NEW}?subject_id={subject_id}").get_data(as_text=True)
    assert 'value="RF-2026-0001"' in page
    give(
        client,
        make_authorisation(app),
        subject_reference="RF-2026-0001",
        person_name="",
        date_of_birth="",
        address="",
        description="",
    )
    (direction,) = directions(app)
    assert direction.subject_id == subject_id
    assert direction.person_name == "Red Flag Person"
    assert direction.date_of_birth == date(1990, 1, 2)
    assert direction.description == "Tall man, grey hoodie"


def test_rule_3_a_name_or_a_description_is_required(refused: Refuse) -> None:
    refused(
        "Enter the person's name, or describe them if they will not give it",
        "1 High Street, Swansea",
        person_name="",
        description="",
    )


def test_rule_3_a_date_of_birth_or_an_apparent_age_is_required(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER)
    authorisation_id = make_authorisation(app)
    response = client.post(NEW, data=good_form(authorisation_id, date_of_birth=""))
    assert_refused(app, response, "Enter their date of birth, or how old they appear to be")
    give(client, authorisation_id, date_of_birth="", apparent_age="25")
    (direction,) = directions(app)
    assert direction.apparent_age == 25 and direction.date_of_birth is None


# --- Rule 4: the excluded area --------------------------------------------------------


def test_rule_4_a_part_must_lie_within_the_locality(refused: Refuse) -> None:
    refused(
        "The excluded area must lie inside the authorised locality, Wind Street:"
        " draw it again within the boundary",
        "Wind Street north of Caer Street",
        excluded_area="part",
        geometry=json.dumps(PART_OUTSIDE),
        excluded_description="Wind Street north of Caer Street",
    )


def test_rule_4_a_part_needs_its_description_in_words(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER)
    authorisation_id = make_authorisation(app)
    response = client.post(
        NEW,
        data=good_form(authorisation_id, excluded_area="part", geometry=json.dumps(PART_INSIDE)),
    )
    assert_refused(
        app,
        response,
        "Describe in words the part of the locality they must leave, like the streets that"
        " bound it",
    )
    give(
        client,
        authorisation_id,
        excluded_area="part",
        geometry=json.dumps(PART_INSIDE),
        excluded_description="Wind Street between Caer Street and Salubrious Place",
    )
    (direction,) = directions(app)
    assert direction.excluded_geometry == PART_INSIDE
    assert direction.excluded_description.startswith("Wind Street between")


def test_rule_4_a_part_must_be_drawn(refused: Refuse) -> None:
    refused(
        "Draw on the map the part of the locality they must leave, or paste its GeoJSON",
        excluded_area="part",
        excluded_description="Wind Street",
    )


# --- Rule 5: at most 48 hours ---------------------------------------------------------


def test_rule_5_the_period_is_at_most_48_hours(refused: Refuse) -> None:
    refused(
        "A direction can exclude someone for at most 48 hours: it must end no later than"
        " 30 November 2026, 00:45",
        "00:46",
        period="other",
        ends_day="2026-11-30",
        ends_clock="00:46",
    )


def test_rule_5_the_period_ends_after_it_is_given(refused: Refuse) -> None:
    refused(
        "The direction must end after it is given",
        period="other",
        ends_day="2026-11-28",
        ends_clock="00:30",
        leave_by="",
    )


def test_rule_5_the_service_refuses_too(app: Flask, make_user: MakeUser) -> None:
    constable = make_user(Role.OFFICER)
    authorisation_id = make_authorisation(app)
    data = rules.DirectionData(
        authorisation_id=authorisation_id,
        given_at=NOW,
        place="Wind Street",
        in_uniform=True,
        person_name="Canary Person",
        apparent_age=30,
        period=rules.PERIOD_OTHER,
        ends_at=NOW + timedelta(hours=49),
        offence_warning_given=True,
        exemptions={e.value: False for e in Exemption},
    )
    with app.test_request_context():
        actor = db.session.get(User, constable.id)
        assert actor is not None
        with pytest.raises(Refused, match="at most 48 hours") as refused:
            service.give_direction(actor, data, NOW)
        assert refused.value.field == "ends_day"
        db.session.rollback()
    assert count(app, DispersalDirection) == 0


def test_until_the_authorisation_ends_may_be_chosen(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER)
    give(client, make_authorisation(app), period="authorisation")
    (direction,) = directions(app)
    assert direction.ends_at == NOW + timedelta(hours=10)


# --- Rule 6: leave by and route -------------------------------------------------------


def test_rule_6_leave_by_must_fall_between_given_and_end(refused: Refuse) -> None:
    refused(
        "The time to leave by must be after the direction is given and before it ends",
        "Along Wind Street to the station",
        period="other",
        ends_day="2026-11-28",
        ends_clock="02:00",
        leave_by="03:00",
    )


def test_rule_6_leave_by_and_route_are_optional(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER)
    give(client, make_authorisation(app), leave_by="", route="")
    (direction,) = directions(app)
    assert direction.leave_by is None and direction.route == ""


# --- Rule 7: items surrendered -------------------------------------------------------


def test_rule_7_items_surrendered_need_how_to_get_them_back(refused: Refuse) -> None:
    refused(
        "Say how they can get the items they surrendered back, like where and when to collect"
        " them (section 37)",
        "Two cans of lager",
        items_return="",
    )


# --- Rule 8: in writing unless not reasonably practicable -----------------------------


def test_rule_8_not_in_writing_needs_the_reason(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER)
    authorisation_id = make_authorisation(app)
    response = client.post(NEW, data=good_form(authorisation_id, in_writing="no"))
    assert_refused(
        app,
        response,
        "Say why it was not reasonably practicable to give the direction in writing",
    )
    give(client, authorisation_id, in_writing="no", not_in_writing_reason="Heavy rain")
    (direction,) = directions(app)
    assert not direction.in_writing and direction.not_in_writing_reason == "Heavy rain"


# --- Rule 9: the offence warning ------------------------------------------------------


def test_rule_9_the_offence_warning_must_be_confirmed(refused: Refuse) -> None:
    refused(
        "Confirm that you told them that failing to comply with the direction is an offence",
        offence_warning_given=None,
    )


# --- Rule 10: someone who appears under 16 -------------------------------------------


@pytest.mark.parametrize(
    "person",
    [{"apparent_age": "14", "date_of_birth": ""}, {"date_of_birth": "2011-11-29"}],
    ids=["apparent_age", "date_of_birth"],
)
def test_rule_10_under_16_needs_what_was_done(
    app: Flask, client: FlaskClient, login_as: LoginAs, person: dict[str, str]
) -> None:
    login_as(Role.OFFICER)
    authorisation_id = make_authorisation(app)
    response = client.post(NEW, data=good_form(authorisation_id, **person))
    assert_refused(
        app,
        response,
        "They appear to be under 16: say whether you took them home or to a place of safety,"
        " or neither",
    )
    give(client, authorisation_id, under_16_action="taken_home", **person)
    (direction,) = directions(app)
    assert direction.under_16_action == "taken_home"


# --- Rule 11: section 36 --------------------------------------------------------------


@pytest.mark.parametrize("exemption", list(Exemption), ids=lambda e: e.value)
def test_rule_11_a_yes_to_any_section_36_question_refuses_it(
    app: Flask, client: FlaskClient, login_as: LoginAs, exemption: Exemption
) -> None:
    login_as(Role.OFFICER)
    response = client.post(
        NEW, data=good_form(make_authorisation(app), **{f"exempt_{exemption.value}": "yes"})
    )
    with app.test_request_context():
        message = str(rules.EXEMPTION_REFUSALS[exemption])
    assert_refused(app, response, message, "Canary Person")


def test_rule_11_every_section_36_question_must_be_answered(refused: Refuse) -> None:
    unanswered = {f"exempt_{exemption.value}": None for exemption in Exemption}
    response = refused(
        "Answer yes or no: It would stop them attending a court or tribunal",
        **unanswered,
    )
    page = response.get_data(as_text=True)
    for exemption in Exemption:  # every question at once, each on its own field
        assert shows(page, f"Answer yes or no: {exemption.label}")
        assert f'href="#exempt_{exemption.value}"' in page


@pytest.mark.parametrize(
    ("person", "age"),
    [({"apparent_age": "9", "date_of_birth": ""}, 9), ({"date_of_birth": "2017-06-01"}, 9)],
    ids=["apparent_age", "date_of_birth"],
)
def test_rule_11_a_person_under_10_is_refused_whatever_was_answered(
    person: dict[str, str], age: int, refused: Refuse
) -> None:
    refused(
        f"You cannot give a direction to a person under 10 (section 36): the age entered is {age}",
        under_16_action="taken_home",
        **person,
    )


# --- Times in London, with the clocks going back -------------------------------------


def test_a_time_given_twice_when_the_clocks_go_back_must_say_which(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    clock.now = datetime(2026, 10, 25, 2, 0, tzinfo=UTC)  # 02:00 GMT, after the change
    login_as(Role.OFFICER)
    authorisation_id = make_authorisation(
        app, starts_at=clock.now - timedelta(hours=4), ends_at=clock.now + timedelta(hours=4)
    )
    form = good_form(authorisation_id, given_day="2026-10-25", given_clock="01:30", leave_by="")
    response = client.post(NEW, data=form)
    assert_refused(
        app,
        response,
        "The clocks went back that night, so 01:30 happened twice. Choose which one you mean.",
    )
    give(
        client,
        authorisation_id,
        given_day="2026-10-25",
        given_clock="01:30",
        given_fold="1",
        leave_by="",
    )
    (direction,) = directions(app)
    assert direction.given_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


# --- Rule 12: variation and withdrawal ----------------------------------------------


def vary_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "1",
        "ends_day": "2026-11-29",
        "ends_clock": "12:00",
        "excluded_area": "whole",
        "excluded_description": "",
        "leave_by_day": "2026-11-28",
        "leave_by_clock": "01:00",
        "route": "Along Wind Street to the station",
        "reason": "He asked to catch the last train from the station",
        "notice_in_writing": "yes",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_rule_12_a_variation_is_recorded_with_its_notice(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    login_as(Role.OFFICER)
    direction_id = give(client, make_authorisation(app))
    clock.now = NOW + timedelta(minutes=10)
    page = client.get(f"/orders/directions/{direction_id}/vary").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page
    assert "can end no later than 30 November 2026, 00:45" in page
    response = client.post(
        f"/orders/directions/{direction_id}/vary",
        data=vary_form(route="Via Castle Street to the bus station", notice_in_writing="no"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (direction,) = directions(app)
    assert direction.ends_at == datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert direction.route == "Via Castle Street to the bus station"
    assert direction.version == 2
    (change,) = direction.changes
    assert change.kind == "varied" and not change.notice_in_writing
    assert change.reason.startswith("He asked")
    assert set(change.after) == {"ends_at", "route"}
    assert change.before["ends_at"] == (NOW + timedelta(hours=48)).isoformat()
    (event,) = events(app, "direction.varied")
    assert event.details["fields"] == ["ends_at", "route"]


def test_rule_12_a_variation_never_runs_past_48_hours_from_first_given(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    login_as(Role.OFFICER)
    direction_id = give(
        client, make_authorisation(app), period="other", ends_day="2026-11-29", ends_clock="00:45"
    )
    clock.now = NOW + timedelta(hours=20)
    response = client.post(
        f"/orders/directions/{direction_id}/vary",
        data=vary_form(ends_day="2026-11-30", ends_clock="00:46"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert shows(
        page,
        "A direction can never last more than 48 hours from when it was first given: the latest"
        " it can end is 30 November 2026, 00:45",
    )
    assert shows(page, "He asked to catch the last train from the station")
    (direction,) = directions(app)
    assert direction.ends_at == datetime(2026, 11, 29, 0, 45, tzinfo=UTC)
    assert direction.changes == [] and events(app, "direction.varied") == []


def test_rule_12_a_variation_needs_its_reason(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER)
    direction_id = give(client, make_authorisation(app))
    response = client.post(f"/orders/directions/{direction_id}/vary", data=vary_form(reason=""))
    assert response.status_code == 400
    assert shows(
        response.get_data(as_text=True),
        "Give the reason, as you told the person in the notice of it",
    )
    assert count(app, DirectionChange) == 0


def test_rule_12_a_withdrawal_is_recorded_and_nothing_changes_after_it(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    login_as(Role.OFFICER)
    direction_id = give(client, make_authorisation(app))
    clock.now = NOW + timedelta(hours=1)
    response = client.post(
        f"/orders/directions/{direction_id}/withdraw",
        data={"version": "1", "reason": "He lives in the area", "notice_in_writing": "yes"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (direction,) = directions(app)
    assert direction.withdrawn_at == NOW + timedelta(hours=1)
    (change,) = direction.changes
    assert change.kind == "withdrawn" and change.notice_in_writing
    assert len(events(app, "direction.withdrawn")) == 1

    # Neither varied nor withdrawn again: the page says why, and the service refuses.
    opened = client.get(f"/orders/directions/{direction_id}/vary")
    assert opened.status_code == 302
    for path, form in (
        ("vary", vary_form(version="2")),
        ("withdraw", {"version": "2", "reason": "Again", "notice_in_writing": "yes"}),
    ):
        refused = client.post(f"/orders/directions/{direction_id}/{path}", data=form)
        assert refused.status_code == 400
        assert shows(
            refused.get_data(as_text=True),
            "This direction was withdrawn at 28 November 2026, 01:45: it can no longer be"
            " varied or withdrawn",
        )
    assert count(app, DirectionChange) == 1
    assert events(app, "direction.varied") == []


def test_rule_12_a_direction_that_has_ended_cannot_be_varied(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    login_as(Role.OFFICER)
    direction_id = give(client, make_authorisation(app))
    clock.now = NOW + timedelta(hours=49)
    response = client.post(
        f"/orders/directions/{direction_id}/vary",
        data=vary_form(ends_day="2026-11-29", ends_clock="12:00"),
    )
    assert response.status_code == 400
    assert shows(
        response.get_data(as_text=True),
        "This direction ended at 30 November 2026, 00:45: it can no longer be varied or withdrawn",
    )
    assert count(app, DirectionChange) == 0


def test_rule_12_a_second_person_saving_an_outdated_form_is_refused_and_keeps_their_input(
    app: Flask, client: FlaskClient, login_as: LoginAs, make_user: MakeUser, clock: Clock
) -> None:
    first = login_as(Role.OFFICER)
    direction_id = give(client, make_authorisation(app))
    # Both open the variation form on version 1; the other officer saves first.
    assert 'value="1"' in client.get(f"/orders/directions/{direction_id}/vary").get_data(
        as_text=True
    )
    login_as(make_user(Role.OFFICER, first.organisation))
    saved = client.post(
        f"/orders/directions/{direction_id}/vary", data=vary_form(route="Via Castle Street")
    )
    assert saved.status_code == 302
    login_as(first)
    response = client.post(
        f"/orders/directions/{direction_id}/vary",
        data=vary_form(route="Via The Strand", reason="MY-KEPT-REASON"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert shows(page, STALE)
    assert "MY-KEPT-REASON" in page and "Via The Strand" in page
    (direction,) = directions(app)
    assert direction.route == "Via Castle Street"
    assert len(direction.changes) == 1 and direction.version == 2
    # The page shows the direction as it is now; sending again, having seen it, saves.
    assert "Via Castle Street" in page and 'name="version" type="hidden" value="2"' in page
    again = client.post(
        f"/orders/directions/{direction_id}/vary",
        data=vary_form(version="2", route="Via The Strand", reason="MY-KEPT-REASON"),
    )
    assert again.status_code == 302
    assert directions(app)[0].route == "Via The Strand"


def test_giving_a_direction_tells_its_listeners_once(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER)
    authorisation_id = make_authorisation(app)
    with listening(direction_given) as heard:
        direction_id = give(client, authorisation_id)
    ((sender, said),) = heard
    assert isinstance(sender, DispersalDirection)
    assert inspect(sender).identity == (direction_id,)
    assert said == {"now": NOW}


# --- Breaches ---------------------------------------------------------------------


def test_police_record_a_breach_with_time_place_officer_and_outcome(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    officer = login_as(Role.OFFICER)
    direction_id = give(client, make_authorisation(app))
    clock.now = NOW + timedelta(hours=3)
    page = client.get(f"/orders/directions/{direction_id}/breach").get_data(as_text=True)
    assert 'value="03:45"' in page
    response = client.post(
        f"/orders/directions/{direction_id}/breach",
        data={
            "day": "2026-11-28",
            "clock": "03:30",
            "place": "Back on Wind Street by the Anchor Bar",
            "outcome": "arrested",
            "notes": "Refused to leave again",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        (breach,) = db.session.scalars(select(Breach))
        assert breach.direction_id == direction_id
        assert breach.occurred_at == datetime(2026, 11, 28, 3, 30, tzinfo=UTC)
        assert breach.recorded_by_id == officer.id
        assert breach.organisation_id == officer.organisation_id
        assert breach.outcome == "arrested"
    (event,) = events(app, "direction.breach_recorded")
    assert event.object_type == "direction" and event.details["outcome"] == "arrested"
    detail = client.get(f"/orders/directions/{direction_id}").get_data(as_text=True)
    assert "Back on Wind Street by the Anchor Bar" in detail and "Arrested" in detail


def test_recording_a_breach_of_a_direction_tells_its_listeners_once(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    login_as(Role.OFFICER)
    direction_id = give(client, make_authorisation(app))
    clock.now = NOW + timedelta(hours=3)
    with listening(breach_recorded) as heard:
        response = client.post(
            f"/orders/directions/{direction_id}/breach",
            data={"day": "2026-11-28", "clock": "03:30", "place": "Wind St", "outcome": "warned"},
        )
    assert response.status_code == 302, response.get_data(as_text=True)
    ((sender, said),) = heard
    with app.app_context():
        (breach,) = db.session.scalars(select(Breach))
        assert breach.direction_id == direction_id
    assert isinstance(sender, Breach) and inspect(sender).identity == (breach.id,)
    assert said == {"now": NOW + timedelta(hours=3)}


def test_a_breach_outside_the_direction_or_without_an_outcome_is_refused(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    login_as(Role.OFFICER)
    direction_id = give(client, make_authorisation(app))
    clock.now = NOW + timedelta(hours=3)
    before = {"day": "2026-11-28", "clock": "00:30", "place": "Wind Street", "outcome": "warned"}
    response = client.post(f"/orders/directions/{direction_id}/breach", data=before)
    assert response.status_code == 400
    assert shows(
        response.get_data(as_text=True),
        "A breach can only happen while the direction is in force: from 28 November 2026,"
        " 00:45 until 30 November 2026, 00:45",
    )
    response = client.post(
        f"/orders/directions/{direction_id}/breach",
        data={**before, "clock": "02:00", "outcome": ""},
    )
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), "Choose what was done about the breach")
    assert count(app, Breach) == 0 and events(app, "direction.breach_recorded") == []


# --- The Section 38 record ----------------------------------------------------------


def test_the_section_38_record_is_complete(
    app: Flask, client: FlaskClient, login_as: LoginAs, clock: Clock
) -> None:
    officer = login_as(Role.OFFICER)
    subject_id = make_subject(app, officer)
    direction_id = give(
        client,
        make_authorisation(app),
        subject_reference="RF-2026-0001",
        excluded_area="part",
        geometry=json.dumps(PART_INSIDE),
        excluded_description="Wind Street between Caer Street and Salubrious Place",
    )
    clock.now = NOW + timedelta(minutes=30)
    assert (
        client.post(
            f"/orders/directions/{direction_id}/vary",
            data=vary_form(
                excluded_area="part",
                geometry=json.dumps(PART_INSIDE),
                excluded_description="Wind Street between Caer Street and Salubrious Place",
                leave_by_clock="01:30",
                reason="More time to find his friends",
            ),
        ).status_code
        == 302
    )
    clock.now = NOW + timedelta(hours=2)
    assert (
        client.post(
            f"/orders/directions/{direction_id}/withdraw",
            data={"version": "2", "reason": "Calmed down", "notice_in_writing": "no"},
        ).status_code
        == 302
    )
    with app.test_request_context():
        direction = db.session.get(DispersalDirection, direction_id)
        assert direction is not None
        record = dict(section_38_record(direction))
    assert record["Reference"] == "S35-2026-0001"
    assert "Canary Person" in record["Person"] and "Red flag RF-2026-0001" in record["Person"]
    assert subject_id
    assert record["Date of birth"] == "1 May 2000"
    assert "Wind Street, authorisation S34-2026-0001" in record["Locality"]
    assert "Wind Street from The Strand to Castle Street" in record["Locality"]
    assert record["Period of exclusion"] == (
        "From 28 November 2026, 00:45 until 29 November 2026, 12:00"
    )
    assert record["Time given"] == "28 November 2026, 00:45"
    assert "Outside the Anchor Bar, Wind Street" in record["Place given"]
    assert "Constable" in record["Given by"] and "in uniform" in record["Given by"]
    assert "Part of the authorised locality, Wind Street" in record["Excluded area"]
    assert "Caer Street and Salubrious Place" in record["Excluded area"]
    assert record["Leave by"] == "28 November 2026, 01:30"
    assert record["Route"] == "Along Wind Street to the station"
    assert record["Items surrendered"] == "Two cans of lager"
    assert record["How to get the items back"].startswith("Collect from")
    assert record["Notice"] == "Given in writing"
    assert "failing to comply" in record["Offence warning"]
    for exemption in Exemption:
        assert f"{exemption.label}: No" in record["Section 36 questions"]
    variation = record["Variation 1"]
    assert "28 November 2026, 01:15" in variation and "More time to find his friends" in variation
    assert "Excluded until: was 30 November 2026, 00:45, now 29 November 2026, 12:00" in variation
    assert "Leave by: was 28 November 2026, 01:00, now 28 November 2026, 01:30" in variation
    withdrawal = record["Withdrawal"]
    assert "28 November 2026, 02:45" in withdrawal and "Calmed down" in withdrawal
    assert "Notice of it not given in writing" in withdrawal
    assert record["Withdrawn at"] == "28 November 2026, 02:45"

    page = client.get(f"/orders/directions/{direction_id}").get_data(as_text=True)
    for label, value in record.items():
        assert shows(page, label)
        for line in value.split("\n"):
            assert shows(page, line), line


# --- Welsh ----------------------------------------------------------------------------


def test_the_form_renders_in_welsh_and_explains_bad_input_in_welsh(
    app: Flask, client: FlaskClient, login_as: LoginAs
) -> None:
    login_as(Role.OFFICER, locale="cy")
    authorisation_id = make_authorisation(app)
    response = client.get(f"{NEW}?lang=cy")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="cy"' in page
    assert welsh(app, "Skip to main content") in page
    assert 'name="exempt_under_10"' in page
    refused = client.post(NEW, data=good_form(authorisation_id, place=""))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert welsh(app, "There is a problem") in text
    assert "Canary Person" in text
    assert count(app, DispersalDirection) == 0


def test_next_occurrence_of_a_leave_by_time() -> None:
    assert service.next_occurrence(datetime(2026, 11, 28, 1, 0).time(), NOW) == datetime(
        2026, 11, 28, 1, 0, tzinfo=UTC
    )
    assert service.next_occurrence(datetime(2026, 11, 28, 0, 30).time(), NOW) == datetime(
        2026, 11, 29, 0, 30, tzinfo=UTC
    )
    summer = datetime(2026, 7, 3, 23, 0, tzinfo=UTC)  # 00:00 BST on 4 July
    assert service.next_occurrence(datetime(2026, 7, 4, 0, 30).time(), summer) == datetime(
        2026, 7, 3, 23, 30, tzinfo=UTC
    )
