"""The public report form: its steps, their messages, what is stored, the receipt."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from partnership.auth.models import Organisation
from partnership.core.enums import OrgKind
from partnership.extensions import db
from partnership.public.models import PublicReport
from partnership.venues.models import Area, Venue
from tests.conftest import events, fix_clock
from tests.factories import jpeg_bytes
from tests.public.helpers import (
    DESCRIPTION,
    NOW,
    PLACE,
    answers,
    at_step,
    gps_exif,
    photo,
    send,
)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fix_clock(monkeypatch, NOW, "partnership.public.views")


def stored(app: Flask) -> list[PublicReport]:
    with app.app_context():
        reports = list(db.session.scalars(select(PublicReport).order_by(PublicReport.id)))
        for report in reports:
            _ = report.behaviour_codes, report.photo
        db.session.expunge_all()
        return reports


def page(response: Any) -> str:
    return str(response.get_data(as_text=True))


def test_the_first_step_asks_who_and_each_step_leads_to_the_next(client: FlaskClient) -> None:
    first = client.get("/safety/report")
    assert first.status_code == 200
    assert 'name="reporter"' in page(first)
    assert 'name="submission_key"' in page(first)
    expected = {
        1: 'name="venue_id"',
        2: 'name="when"',
        3: 'name="behaviours"',
        4: 'name="wants_contact"',
        5: 'id="check-answers"',
    }
    for step, marker in expected.items():
        response = client.post("/safety/report", data=at_step(step))
        assert response.status_code == 200, step
        assert marker in page(response), step
        assert f'name="step" value="{step + 1}"' in page(response)


@pytest.mark.parametrize(
    ("step", "changes", "message"),
    [
        (1, {"reporter": ""}, "Choose who you are reporting for"),
        (2, {"place": "", "venue_id": ""}, "Choose a place from the list, put a pin on the map"),
        (2, {"latitude": "48.85", "longitude": "2.35"}, "The pin must be on a place in the UK"),
        (2, {"latitude": "north", "longitude": "-3.9"}, "The pin must be on a place in the UK"),
        (3, {"when": ""}, "Choose when it happened"),
        (3, {"time_of_night": ""}, "Choose roughly what time it was"),
        (3, {"when": "another", "night": ""}, "Enter the date it happened"),
        (3, {"when": "another", "night": "31/02/2026"}, "Enter the date it happened"),
        (3, {"when": "another", "night": "2026-11-28"}, "The date cannot be in the future"),
        (3, {"when": "another", "night": "2025-11-26"}, "The date must be within the last year"),
        (4, {"behaviours": []}, "Choose at least one thing that happened"),
        (4, {"behaviours": ["other"], "other_behaviour": " "}, "Tell us what else happened"),
        (4, {"description": "x" * 5001}, "Keep this to 5000 characters or fewer"),
        (5, {"wants_contact": "yes", "contact_detail": ""}, "Enter a phone number or email"),
    ],
)
def test_each_step_explains_what_is_missing_and_keeps_everything_typed(
    client: FlaskClient, step: int, changes: dict[str, Any], message: str
) -> None:
    data = at_step(step, **changes)
    if step != 2:
        data["place"] = "By the taxi rank <near> the clock"
    response = client.post("/safety/report", data=data)
    body = page(response)
    assert response.status_code == 400
    assert message in body
    assert f'name="step" value="{step}"' in body
    assert "govuk-error-summary" in body
    # Every answer is still in the page, shown or carried (and escaped).
    if step != 2:
        assert 'value="By the taxi rank &lt;near&gt; the clock"' in body
    if step != 4:
        assert f'value="{DESCRIPTION}"' in body
    assert 'value="aspb.following"' in body


def test_a_bad_earlier_answer_is_caught_on_a_later_step(client: FlaskClient) -> None:
    response = client.post("/safety/report", data=at_step(5, reporter="nobody"))
    assert response.status_code == 400
    assert 'name="step" value="1"' in page(response)


def test_going_back_keeps_the_answers(client: FlaskClient) -> None:
    response = client.post("/safety/report", data=at_step(4, action="back"))
    body = page(response)
    assert response.status_code == 200
    assert 'name="step" value="3"' in body
    assert 'value="last_night" checked' in body
    assert f'value="{DESCRIPTION}"' in body  # step 4's answers carried back
    assert f'value="{PLACE}"' in body


def test_change_on_the_check_page_returns_to_it(client: FlaskClient) -> None:
    change = client.post("/safety/report", data=at_step(6, action="change-2"))
    assert 'name="step" value="2"' in page(change)
    assert 'name="returning" value="1"' in page(change)
    back = client.post("/safety/report", data=at_step(2, returning="1", place="Near the castle"))
    assert 'id="check-answers"' in page(back)
    assert "Near the castle" in page(back)


def test_the_language_buttons_keep_the_answers(client: FlaskClient) -> None:
    response = client.post("/safety/report?lang=cy", data=at_step(4, action="stay"))
    body = page(response)
    assert response.status_code == 200
    assert '<html lang="cy"' in body
    assert 'name="step" value="4"' in body
    assert DESCRIPTION in body


def test_a_report_is_stored_as_typed_with_a_receipt(
    app: Flask,
    client: FlaskClient,
    make_org: Callable[..., Organisation],
    make_venue: Callable[..., Venue],
) -> None:
    venue = make_venue(make_org(OrgKind.LICENSED_PREMISES))
    with app.app_context():
        area = Area(
            name="Wind Street",
            geometry={
                "type": "Polygon",
                "coordinates": [
                    [[-3.95, 51.61], [-3.93, 51.61], [-3.93, 51.63], [-3.95, 51.63], [-3.95, 51.61]]
                ],
            },
        )
        db.session.add(area)
        db.session.commit()
        area_id = area.id
    response = send(
        client,
        venue_id=str(venue.id),
        when="another",
        night="20/11/2026",
        time_of_night="small_hours",
        behaviours=["other", "aspb.staring"],
        other_behaviour="Blocked the doorway",
        wants_contact="yes",
        contact_name="Sam",
        contact_detail="07700 900123",
        contact_times="After 6pm",
    )
    body = page(response)
    assert response.status_code == 200
    [report] = stored(app)
    assert report.reference in body
    assert "What happens next" in body
    assert "/safety/support" in body
    assert report.reference.startswith("PR-") and len(report.reference) == 12
    assert report.reporter == "me"
    assert report.venue_id == venue.id
    assert report.area_id == area_id
    assert report.place == PLACE
    assert str(report.night) == "2026-11-20"
    assert report.time_of_night == "small_hours"
    assert report.behaviour_codes == ["aspb.staring", "other"]
    assert report.other_behaviour == "Blocked the doorway"
    assert report.description == DESCRIPTION
    assert report.wants_contact is True
    assert (report.contact_name, report.contact_detail, report.contact_times) == (
        "Sam",
        "07700 900123",
        "After 6pm",
    )
    assert report.language == "en"
    assert report.status == "new"
    [event] = events(app, "public_report.received")
    assert event.actor_id is None
    assert (event.object_type, event.object_id) == ("public_report", str(report.id))
    assert event.details == {"path": "/safety/report"}


def test_tonight_and_last_night_name_the_nights_and_a_pin_is_kept(
    app: Flask, client: FlaskClient
) -> None:
    send(client, when="tonight", latitude="51.62", longitude="-3.94", place="")
    send(client, when="last_night")
    first, second = stored(app)
    assert str(first.night) == "2026-11-27"
    assert (first.latitude, first.longitude) == (51.62, -3.94)
    assert str(second.night) == "2026-11-26"


def test_a_welsh_report_is_stored_as_welsh(app: Flask, client: FlaskClient) -> None:
    response = client.post("/safety/report?lang=cy", data=answers())
    assert response.status_code == 200
    [report] = stored(app)
    assert report.language == "cy"


def test_contact_details_are_not_stored_when_the_answer_is_no(
    app: Flask, client: FlaskClient
) -> None:
    send(
        client,
        wants_contact="no",
        contact_name="Sam",
        contact_detail="07700 900123",
        contact_times="After 6pm",
    )
    [report] = stored(app)
    assert report.wants_contact is False
    assert (report.contact_name, report.contact_detail, report.contact_times) == ("", "", "")


def test_contact_details_are_not_carried_once_the_answer_is_no(client: FlaskClient) -> None:
    response = client.post(
        "/safety/report", data=at_step(5, wants_contact="no", contact_detail="07700 900123")
    )
    assert "07700 900123" not in page(response)


def test_other_behaviour_text_is_dropped_when_something_else_is_not_chosen(
    app: Flask, client: FlaskClient
) -> None:
    send(client, other_behaviour="left over")
    [report] = stored(app)
    assert report.other_behaviour == ""


def test_a_double_submit_makes_one_report_and_the_same_receipt(
    app: Flask, client: FlaskClient
) -> None:
    data = answers()
    first = client.post("/safety/report", data=dict(data))
    second = client.post("/safety/report", data=dict(data))
    [report] = stored(app)
    assert report.reference in page(first)
    assert report.reference in page(second)
    assert len(events(app, "public_report.received")) == 1


def test_the_receipt_deletes_the_session_cookie(client: FlaskClient) -> None:
    client.get("/safety/report?lang=cy")  # the session now holds the language
    assert client.get_cookie("partnership_session") is not None
    response = send(client)
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("partnership_session=;") and "Max-Age=0" in c for c in cookies)
    assert client.get_cookie("partnership_session") is None


def test_the_honeypot_stores_nothing_and_keeps_the_answers(app: Flask, client: FlaskClient) -> None:
    response = send(client, website="http://spam.example")
    body = page(response)
    assert response.status_code == 400
    assert "Leave the last box empty" in body
    assert DESCRIPTION in body and PLACE in body
    assert stored(app) == []


def test_a_photo_comes_back_without_exif_or_gps(app: Flask, client: FlaskClient) -> None:
    original = jpeg_bytes((640, 480), exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test is real
    response = send(client, photo=photo(original))
    assert response.status_code == 200
    [report] = stored(app)
    assert report.photo is not None
    kept = Image.open(io.BytesIO(report.photo.data))
    assert kept.format == "JPEG"
    assert (kept.width, kept.height) == (640, 480)
    assert len(kept.getexif()) == 0
    assert not kept.getexif().get_ifd(0x8825)
    assert "exif" not in kept.info
    assert b"CanaryCam" not in report.photo.data


def _refused(app: Flask, client: FlaskClient, upload: Any, message: str) -> None:
    response = send(client, photo=upload, venue_id="", place=PLACE)
    body = page(response)
    assert response.status_code == 400
    assert message in body
    assert 'name="step" value="6"' in body
    assert f'value="{DESCRIPTION}"' in body
    assert f'value="{PLACE}"' in body
    assert 'value="aspb.following"' in body
    assert stored(app) == []


def test_a_file_that_is_not_a_photo_is_refused_with_the_answers_kept(
    app: Flask, client: FlaskClient
) -> None:
    _refused(app, client, photo(b"just some text, not a photo", "note.jpg"), "is not a photo")


def test_a_decompression_bomb_is_refused_with_the_answers_kept(
    app: Flask, client: FlaskClient
) -> None:
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, "PNG")  # 900 million pixels, ~100 kB
    assert len(buffer.getvalue()) < 8 * 1024 * 1024
    _refused(app, client, photo(buffer.getvalue(), "bomb.png"), "too many pixels")


def test_an_oversize_photo_is_refused_with_the_answers_kept(
    app: Flask,
    other_app: Callable[..., Flask],
) -> None:
    small = other_app(PHOTO_MAX_BYTES=2000)
    client = small.test_client()
    big = jpeg_bytes((400, 400))
    assert len(big) > 2000
    response = send(client, photo=photo(big))
    body = page(response)
    assert response.status_code == 400
    assert "is larger than" in body
    assert f'value="{DESCRIPTION}"' in body
    assert f'value="{PLACE}"' in body
    assert stored(small) == []
