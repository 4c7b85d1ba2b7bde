"""Red flags: who sees which subject, the reason asked before a profile, notes, renewals
and expiry, and police-only details never reaching anyone else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from partnership.auth.models import User
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from partnership.subjects.models import NoteRenewal, RedFlagNote, Subject
from tests.conftest import Clock, events, fix_clock
from tests.subjects.helpers import (
    justify,
    officer_records_subject,
    partnership_note,
    police_note,
    subject_form,
)

MakeUser = Callable[..., User]
NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)
MEMBERS = (Role.PREMISES_STAFF, Role.WELFARE, Role.COORDINATOR)
NOT_POLICE = (*MEMBERS, Role.ANALYST, Role.ADMIN)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(monkeypatch, NOW, "partnership.subjects.views")


def notes(app: Flask) -> list[RedFlagNote]:
    with app.app_context():
        found = list(db.session.scalars(select(RedFlagNote).order_by(RedFlagNote.id)))
        db.session.expunge_all()
        return found


def test_police_record_a_subject_with_a_reference_and_a_note_due_in_90_days(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    subject_id = officer_records_subject(client, login_as, police_note())
    with app.app_context():
        subject = db.session.get(Subject, subject_id)
        assert subject is not None
        assert subject.reference == "RF-2026-0001"
        assert subject.date_of_birth == date(1990, 1, 2)
    (note,) = notes(app)
    assert note.review_on == date(2027, 2, 26)
    assert (note.source_evaluation, note.intelligence_assessment, note.handling_code) == (
        "1",
        "B",
        "P",
    )
    assert [e.action for e in events(app, "subject.created")] == ["subject.created"]
    second = client.post("/subjects/new", data=subject_form())
    assert second.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Subject.reference).order_by(Subject.id.desc())) == (
            "RF-2026-0002"
        )


def test_bad_input_is_explained_and_kept(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.OFFICER)
    response = client.post("/subjects/new", data=subject_form(description="", name="Kept Name"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Describe the person" in page
    assert "Kept Name" in page
    subject_id = officer_records_subject(client, login_as)
    refused = client.post(
        f"/subjects/{subject_id}/notes/new", data=police_note(source_evaluation="")
    )
    assert refused.status_code == 400
    assert "Choose the source evaluation" in refused.get_data(as_text=True)
    assert "CANARY-POLICE-NOTE" in refused.get_data(as_text=True)


def test_a_member_elsewhere_sees_the_card_only_while_a_partnership_note_is_active(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_user: MakeUser,
    make_org: Callable[..., Any],
    clock: Clock,
) -> None:
    subject_id = officer_records_subject(client, login_as, police_note(), partnership_note())
    login_as(make_user(Role.PREMISES_STAFF, make_org(OrgKind.LICENSED_PREMISES)))
    assert justify(client, subject_id).status_code == 302
    page = client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    assert "RF-2026-0001" in page
    assert "Tall man who waits outside the toilets" in page
    assert "Shared: seen following women home" in page
    for secret in ("Canary Name", "Birdy", "1 Canary Street", "CANARY-POLICE-NOTE", "1990"):
        assert secret not in page
    assert "RF-2026-0001" in client.get("/subjects/").get_data(as_text=True)

    clock.now = NOW + timedelta(days=91)  # past the review date, before any expiry run
    assert client.get(f"/subjects/{subject_id}").status_code == 404
    assert "RF-2026-0001" not in client.get("/subjects/").get_data(as_text=True)
    assert all(note.expired_at is None for note in notes(app))


def test_a_subject_with_only_police_notes_is_not_found_for_members(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    subject_id = officer_records_subject(client, login_as, police_note())
    for role in MEMBERS:
        login_as(role)
        assert client.get(f"/subjects/{subject_id}").status_code == 404
        assert justify(client, subject_id).status_code == 404
    for role in (Role.ANALYST, Role.ADMIN):
        login_as(role)
        assert client.get(f"/subjects/{subject_id}").status_code == 403


def test_the_name_is_shared_with_members_only_when_the_settings_say_so(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    subject_id = officer_records_subject(client, login_as, partnership_note())
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_NAME_WITH_MEMBERS", True)
    login_as(Role.WELFARE)
    justify(client, subject_id)
    page = client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    assert "Canary Name" in page and "Birdy" in page
    assert "1 Canary Street" not in page and "1990" not in page
    assert "RF-2026-0001" in client.get("/subjects/?q=canary").get_data(as_text=True)


def test_police_see_everything_including_expired_notes(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], clock: Clock
) -> None:
    subject_id = officer_records_subject(client, login_as, police_note(), partnership_note())
    clock.now = NOW + timedelta(days=91)
    login_as(Role.INSPECTOR)
    justify(client, subject_id)
    page = client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    for shown in ("Canary Name", "1 Canary Street", "CANARY-POLICE-NOTE", "Expired"):
        assert shown in page
    assert "RF-2026-0001" in client.get("/subjects/?q=Birdy").get_data(as_text=True)


def test_the_canary_never_reaches_anyone_but_police(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    secrets = ("Canary Name", "1990-01-02", "1990", "1 Canary Street", "CANARY-POLICE-NOTE")
    subject_id = officer_records_subject(client, login_as, police_note(), partnership_note())
    pages = [
        f"/subjects/{subject_id}",
        f"/subjects/{subject_id}/edit",
        f"/subjects/{subject_id}/notes/new",
        "/subjects/",
        "/subjects/new",
        "/subjects/?q=Canary",
        "/dashboard",
    ]
    for role in NOT_POLICE:
        login_as(role)
        justify(client, subject_id)
        for url in pages:
            page = client.get(url).get_data(as_text=True)
            for secret in secrets:
                assert secret not in page, (role, url, secret)
        login_as(Role.PREMISES_STAFF)
        assert "RF-2026-0001" not in client.get("/subjects/?q=Canary").get_data(as_text=True)


def test_a_profile_needs_a_reason_and_every_view_records_it(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], clock: Clock
) -> None:
    subject_id = officer_records_subject(client, login_as, partnership_note())
    login_as(Role.PREMISES_STAFF)
    first = client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    assert "Why are you looking at this red flag?" in first
    assert "Tall man who waits outside the toilets" not in first
    assert "Shared: seen following women home" not in first
    assert events(app, "subject.viewed") == []

    refused = justify(client, subject_id, reason="other", detail="")
    assert refused.status_code == 400
    assert "Say why you are looking at this red flag" in refused.get_data(as_text=True)
    assert justify(client, subject_id, reason="").status_code == 400

    assert justify(client, subject_id, reason="other", detail="Asked by the DPS").status_code == 302
    client.get(f"/subjects/{subject_id}")
    client.get(f"/subjects/{subject_id}")
    viewed = events(app, "subject.viewed")
    assert len(viewed) == 2
    assert viewed[0].justification == "Other: Asked by the DPS"
    assert viewed[0].object_id == str(subject_id)

    clock.now = NOW + timedelta(minutes=31)
    again = client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    assert "Why are you looking at this red flag?" in again
    assert len(events(app, "subject.viewed")) == 2


def test_changing_the_details_needs_a_reason_first(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    subject_id = officer_records_subject(client, login_as, police_note())
    login_as(Role.OFFICER)
    asked = client.get(f"/subjects/{subject_id}/edit")
    assert asked.headers["Location"] == f"/subjects/{subject_id}"
    justify(client, subject_id, reason="note_review")
    page = client.get(f"/subjects/{subject_id}/edit").get_data(as_text=True)
    assert "Canary Name" in page and "1990-01-02" in page
    assert 'name="version" type="hidden" value="1"' in page
    changed = client.post(
        f"/subjects/{subject_id}/edit", data=subject_form(clothing="Red jacket", version="1")
    )
    assert changed.status_code == 302
    (updated,) = events(app, "subject.updated")
    assert updated.details["fields"] == ["clothing"]


def test_searches_are_audited(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.WELFARE)
    client.get("/subjects/?q=hoodie")
    (searched,) = events(app, "subject.searched")
    assert searched.details["query"] == "hoodie"


def test_a_note_is_renewed_with_a_reason_and_not_without(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], clock: Clock
) -> None:
    subject_id = officer_records_subject(client, login_as, partnership_note())
    (note,) = notes(app)
    url = f"/subjects/{subject_id}/notes/{note.id}/renew"
    assert client.get(url).status_code == 200
    clock.now = NOW + timedelta(days=80)
    refused = client.post(url, data={"reason": "  ", "version": "1"})
    assert refused.status_code == 400
    assert "Say why the note should be kept" in refused.get_data(as_text=True)
    assert notes(app)[0].review_on == date(2027, 2, 26)

    renewed = client.post(url, data={"reason": "Seen again last week", "version": "1"})
    assert renewed.status_code == 302
    assert notes(app)[0].review_on == (NOW + timedelta(days=80)).date() + timedelta(days=90)
    with app.app_context():
        (renewal,) = db.session.scalars(select(NoteRenewal))
        assert (renewal.reason, renewal.previous_review_on) == (
            "Seen again last week",
            date(2027, 2, 26),
        )
    (renewed,) = events(app, "subject.note_renewed")
    assert renewed.justification == "Seen again last week"


def test_overdue_notes_expire_with_the_command(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], clock: Clock
) -> None:
    officer_records_subject(client, login_as, partnership_note(), police_note())
    runner = app.test_cli_runner()
    assert "Expired 0 note(s)." in runner.invoke(args=["subjects", "expire"]).output
    clock.now = NOW + timedelta(days=91)
    result = runner.invoke(args=["subjects", "expire"])
    assert "Expired 2 note(s)." in result.output, result.output
    assert all(note.expired_at == clock.now for note in notes(app))
    assert len(events(app, "subject.note_expired")) == 2
    assert "Expired 0 note(s)." in runner.invoke(args=["subjects", "expire"]).output
