"""Subject access (everything held about a subject, as PDF and JSON) and erasure: who may,
what the files hold, one audit event each, and counts in reports kept after erasure."""

from __future__ import annotations

import base64
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from partnership.alerts.models import Alert, AlertRead
from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.extensions import db
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.subjects import service
from partnership.subjects.models import Subject, SubjectLink, SubjectPhoto
from partnership.venues.models import Venue
from tests.conftest import Clock, events, fix_clock
from tests.factories import jpeg_bytes
from tests.subjects.helpers import (
    justify,
    officer_records_subject,
    partnership_note,
    police_note,
    subject_form,
)
from tests.subjects.test_subjects import NOW

ACCESS = "/subjects/access-request"
ERASE = "/subjects/erase"
REFERENCE = "RF-2026-0001"
MERGED_REFERENCE = "RF-2026-0002"
RENEWAL = "CANARY-RENEWAL kept because seen again"
SHARED_NOTE = "CANARY-SHARED seen following women home"
# Everything personal the subject (and the profile merged into it) holds.
CANARIES = (
    "Canary Name",
    "Birdy",
    "1 Canary Street",
    "1990-01-02",
    "CANARY-POLICE-NOTE",
    "CANARY-SHARED",
    "CANARY-RENEWAL",
    "Tall man who waits outside the toilets",
    "Grey hoodie",
    "Merged Canary",
    "2 Merged Street",
)
REFUSED = (Role.PREMISES_STAFF, Role.WELFARE, Role.COORDINATOR, Role.ANALYST)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(
        monkeypatch, NOW, "partnership.subjects.views", "partnership.subjects.disclosure_views"
    )


@dataclass
class Held:
    subject_id: int
    merged_id: int
    sighting_id: int
    photo: bytes


@pytest.fixture
def held(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_venue: Callable[..., Venue],
) -> Held:
    """A subject with a police note, a renewed partnership note, a sighting linked with
    details obtained, a photo, an alert, and another profile merged into it."""
    subject_id = officer_records_subject(
        client, login_as, police_note(), partnership_note(SHARED_NOTE)
    )
    officer = login_as(Role.OFFICER)
    with app.app_context():
        notes = db.session.get(Subject, subject_id).notes  # type: ignore[union-attr]
        shared_id = next(note.id for note in notes if note.sharing == "partnership")
    renewed = client.post(
        f"/subjects/{subject_id}/notes/{shared_id}/renew", data={"reason": RENEWAL, "version": "1"}
    )
    assert renewed.status_code == 302
    other = client.post(
        "/subjects/new",
        data=subject_form(
            name="Merged Canary", aliases="", date_of_birth="", address="2 Merged Street"
        ),
    )
    merged_id = int(other.headers["Location"].rstrip("/").split("/")[-1])
    justify(client, subject_id)
    merged = client.post(
        f"/subjects/{subject_id}/merge",
        data={"other": MERGED_REFERENCE, "reason": "Same person", "confirm": "y", "version": "1"},
    )
    assert merged.status_code == 302, merged.get_data(as_text=True)

    venue = make_venue(officer.organisation, name="The Anchor Bar")
    photo = jpeg_bytes((24, 16), "green")
    with app.app_context():
        sighting = Sighting(
            submission_key=uuid.uuid4().hex,
            organisation_id=officer.organisation_id,
            author_id=officer.id,
            sharing="partnership",
            occurred_at=NOW,
            night=date(2026, 11, 27),
            venue_id=venue.id,
            place="By the toilets",
            victim_response="not_known",
            action_taken="no_action",
            details_obtained_at=NOW,
        )
        sighting.behaviours = [SightingBehaviour(code="aspb.loitering")]
        db.session.add(sighting)
        db.session.flush()
        db.session.add_all(
            [
                SubjectLink(
                    subject_id=subject_id,
                    sighting_id=sighting.id,
                    organisation_id=officer.organisation_id,
                    linked_by_id=officer.id,
                    details_obtained=True,
                    linked_at=NOW,
                ),
                SubjectPhoto(
                    subject_id=subject_id,
                    added_by_id=officer.id,
                    content_type="image/jpeg",
                    width=24,
                    height=16,
                    size=len(photo),
                    sha256="0" * 64,
                    data=photo,
                ),
            ]
        )
        alert = Alert(
            key=f"test:{subject_id}",
            kind="subject_linked",
            audience="police",
            subject_id=subject_id,
            sighting_id=sighting.id,
        )
        db.session.add(alert)
        db.session.flush()
        db.session.add(AlertRead(alert_id=alert.id, user_id=officer.id))
        db.session.commit()
        return Held(subject_id, merged_id, sighting.id, photo)


# The person as the data-protection officer received their request.
NAME, BORN = "Canary Name", "1990-01-02"


def access(client: FlaskClient, **form: str) -> Any:
    """A subject access request by the person's details (or, given, a police reference)."""
    data = {
        "full_name": NAME,
        "date_of_birth": BORN,
        "reason": "SAR-2026-117",
        "file_format": "json",
        **form,
    }
    return client.post(ACCESS, data=data)


def erase(client: FlaskClient, **form: str) -> Any:
    data = {"reference": REFERENCE, "reason": "Erasure request ER-9", "confirm": "y", **form}
    return client.post(ERASE, data=data)


def assert_the_file(response: Any, filename: str) -> None:
    """The subject access file came back as a download named ``filename``, not kept."""
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "no-store"


def test_police_get_everything_held_as_json_audited_once(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    held: Held,
) -> None:
    login_as(Role.INSPECTOR)

    # Letter case and spacing aside, as the requester wrote it.
    response = access(client, full_name="  canary   NAME ")

    assert_the_file(response, f"{REFERENCE}.json")
    assert response.mimetype == "application/json"
    whole = response.get_json()
    assert whole["request"] == "SAR-2026-117"
    (data,) = whole["profiles"]
    assert (data["reference"], data["name"]) == (REFERENCE, "Canary Name")
    assert data["aliases"] == "Birdy, Merged Canary"  # the merge added the other name
    assert (data["date_of_birth"], data["address"]) == ("1990-01-02", "1 Canary Street")
    assert data["description"] == "Tall man who waits outside the toilets"
    assert (data["clothing"], data["apparent_sex"]) == ("Grey hoodie", "male")
    texts = {note["text"]: note for note in data["notes"]}
    assert set(texts) == {"CANARY-POLICE-NOTE", SHARED_NOTE}
    police = texts["CANARY-POLICE-NOTE"]
    assert (police["sharing"], police["source_evaluation"], police["handling_code"]) == (
        "police",
        "1",
        "P",
    )
    assert police["behaviours"] == ["aspb.loitering"] and police["expired"] is False
    (renewal,) = texts[SHARED_NOTE]["renewals"]
    assert renewal["reason"] == RENEWAL
    (link,) = data["links"]
    assert link["record"] == "sighting" and link["record_id"] == held.sighting_id
    assert (link["night"], link["venue"], link["place"]) == (
        "2026-11-27",
        "The Anchor Bar",
        "By the toilets",
    )
    assert link["behaviours"] == ["aspb.loitering"] and link["details_obtained"] is True
    (photo,) = data["photos"]
    assert base64.b64decode(photo["data"]) == held.photo
    assert (photo["width"], photo["height"], photo["content_type"]) == (24, 16, "image/jpeg")
    (merged,) = data["merged_profiles"]
    assert (merged["reference"], merged["name"], merged["address"]) == (
        MERGED_REFERENCE,
        "Merged Canary",
        "2 Merged Street",
    )

    (event,) = events(app, "subject.disclosed")
    assert event.justification == "SAR-2026-117"
    assert (event.details["format"], event.details["found_by"]) == ("json", "details")
    assert event.object_id == str(held.subject_id)
    assert event.details["subjects"] == [held.subject_id]
    assert event.details["merged"] == [MERGED_REFERENCE]


def test_police_get_everything_held_as_a_pdf_audited_once(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    held: Held,
) -> None:
    login_as(Role.OFFICER)

    response = access(client, file_format="pdf")

    assert_the_file(response, f"{REFERENCE}.pdf")
    reader = PdfReader(io.BytesIO(response.data))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    for shown in (
        REFERENCE,
        "Canary Name",
        "1 Canary Street",
        "CANARY-POLICE-NOTE",
        SHARED_NOTE,
        RENEWAL,
        "The Anchor Bar",
        MERGED_REFERENCE,
        "Merged Canary",
        "SAR-2026-117",
    ):
        assert shown in text, shown
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    # The photo, once (pypdf lists a shared image under every page).
    assert len({image.data for page in reader.pages for image in page.images}) == 1
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata is not None and REFERENCE in str(reader.metadata.title)
    (event,) = events(app, "subject.disclosed")
    assert (event.justification, event.details["format"]) == ("SAR-2026-117", "pdf")


def test_the_pdf_is_in_the_language_of_the_user(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
) -> None:
    officer_records_subject(client, login_as, police_note())
    login_as(Role.OFFICER, locale="cy")

    response = access(client, file_format="pdf")

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.trailer["/Root"]["/Lang"] == "cy"


def test_only_police_and_administrators_may_disclose_or_erase(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    officer_records_subject(client, login_as, partnership_note())
    for role in REFUSED:
        login_as(role)
        for url in (ACCESS, f"{ACCESS}?reference={REFERENCE}", ERASE):
            assert client.get(url).status_code == 403, (role, url)
        assert access(client).status_code == 403
        assert erase(client).status_code == 403
    assert events(app, "subject.disclosed") == []
    assert events(app, "subject.erased") == []
    with app.app_context():
        subject = db.session.scalar(select(Subject))
        assert subject is not None and subject.name == "Canary Name"


def test_an_administrator_finds_a_person_by_their_exact_details_never_by_reference(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    officer_records_subject(client, login_as, police_note())
    login_as(Role.ADMIN)
    page = client.get(f"{ACCESS}?reference={REFERENCE}").get_data(as_text=True)
    assert 'name="reference"' not in page and f'value="{REFERENCE}"' not in page

    # A reference (sequential, so it could be paged through) is no way in.
    by_reference = access(client, reference=REFERENCE, full_name="", date_of_birth="")
    assert by_reference.status_code == 400
    assert "Enter the person's full name" in by_reference.get_data(as_text=True)
    assert events(app, "subject.disclosed") == []

    # Near matches find nothing, say so plainly, list nothing, and are audited.
    near = [
        {"full_name": "Canary Nam"},
        {"full_name": "Canary"},
        {"full_name": "Canary Name Jones"},
        {"date_of_birth": "1990-01-03"},
        {"date_of_birth": "1991-01-02"},
        # Day and month swapped: the address agrees, but a date of birth is held.
        {"date_of_birth": "1990-02-01", "address": "1 Canary Street"},
    ]
    for number, details in enumerate(near, start=1):
        response = access(client, reason=f"SAR-NEAR-{number}", **details)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, details
        assert response.mimetype == "text/html"
        assert "No red flag holds the name" in page
        assert REFERENCE not in page and "Tall man" not in page  # nothing is listed
    missed = events(app, "subject.access_no_match")
    assert [e.justification for e in missed] == [f"SAR-NEAR-{n}" for n in range(1, len(near) + 1)]
    assert [e.details["address_given"] for e in missed] == [False] * (len(near) - 1) + [True]
    assert events(app, "subject.disclosed") == []

    # The name is also found among the aliases; any letter case and spacing.
    for name in (" CANARY  name", "birdy"):
        response = access(client, full_name=name, reason="SAR-FOUND")
        assert response.status_code == 200
        (profile,) = response.get_json()["profiles"]
        assert profile["reference"] == REFERENCE and profile["name"] == "Canary Name"
    found = events(app, "subject.disclosed")
    assert [(e.justification, e.details["found_by"]) for e in found] == [
        ("SAR-FOUND", "details")
    ] * 2

    erased = erase(client)
    assert erased.status_code == 302
    assert erased.headers["Location"] == "/dashboard"
    (event,) = events(app, "subject.erased")
    assert event.justification == "Erasure request ER-9"
    # Erased: nothing is held, and the page says so.
    gone = access(client, reason="SAR-AFTER")
    assert "No red flag holds the name Canary Name with the date of birth 2 January 1990." in (
        gone.get_data(as_text=True)
    )


def test_police_may_give_the_reference_of_a_red_flag_instead(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    subject_id = officer_records_subject(client, login_as, police_note())
    response = access(client, reference=" rf-2026-0001 ", full_name="", date_of_birth="")
    assert response.status_code == 200
    (profile,) = response.get_json()["profiles"]
    assert profile["reference"] == REFERENCE
    (event,) = events(app, "subject.disclosed")
    assert (event.object_id, event.details["found_by"]) == (str(subject_id), "reference")


def test_a_red_flag_without_a_date_of_birth_is_found_by_name_and_address(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.OFFICER)
    made = client.post(
        "/subjects/new",
        data=subject_form(date_of_birth="", address="Flat 2, 1 Wind Street, Swansea SA1 1DP"),
    )
    assert made.status_code == 302
    login_as(Role.ADMIN)
    for address in ("", "2 Wind Street", "SA1 1DQ", "1 Wind Street"):
        response = access(client, address=address)
        assert "No red flag holds the name" in response.get_data(as_text=True), address
    for address in ("sa1  1dp", "SA11DP", "flat 2 1 wind street swansea sa1 1dp"):
        response = access(client, address=address)
        assert response.mimetype == "application/json", address
        (profile,) = response.get_json()["profiles"]
        assert profile["reference"] == REFERENCE
    missed = events(app, "subject.access_no_match")
    assert [e.details["address_given"] for e in missed] == [False, True, True, True]


def test_several_profiles_of_the_same_person_come_in_one_file(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    first = officer_records_subject(client, login_as, police_note())
    second = client.post("/subjects/new", data=subject_form(aliases="", address="Elsewhere"))
    assert second.status_code == 302
    other = client.post("/subjects/new", data=subject_form(date_of_birth="1985-05-05"))
    assert other.status_code == 302
    login_as(Role.ADMIN)
    response = access(client)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="RF-2026-0001-RF-2026-0002.json"'
    )
    references = [profile["reference"] for profile in response.get_json()["profiles"]]
    assert references == ["RF-2026-0001", "RF-2026-0002"]
    (event,) = events(app, "subject.disclosed")
    assert event.object_id is None and event.details["subjects"][0] == first
    assert event.details["references"] == references


def test_erasure_removes_the_personal_data_and_keeps_the_counts(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    held: Held,
) -> None:
    officer = login_as(Role.OFFICER)
    with app.app_context():
        before = service.measures(*EVER)
    assert before.subjects_recorded == 1  # the merged profile is not counted twice
    assert (before.notes_added, before.notes_renewed, before.details_obtained) == (2, 1, 1)

    response = erase(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/subjects/"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Red flag {REFERENCE} erased, with {MERGED_REFERENCE} merged into it." in page
    with app.app_context():
        assert service.measures(*EVER) == before
        for table in ("red_flag_notes", "note_renewals", "subject_links", "subject_photos"):
            assert db.session.execute(select(db.metadata.tables[table])).all() == [], table
        assert db.session.scalars(select(Alert)).all() == []
        assert db.session.scalars(select(AlertRead)).all() == []
        for subject_id in (held.subject_id, held.merged_id):
            subject = db.session.get(Subject, subject_id)
            assert subject is not None
            assert subject.erased_at == NOW
            assert subject.reference in (REFERENCE, MERGED_REFERENCE)
        rows = db.session.execute(select(db.metadata.tables["subjects"])).all()
        assert len(rows) == 2
        for row in rows:
            for canary in CANARIES:
                assert canary not in " ".join(str(value) for value in row), canary
        sighting = db.session.get(Sighting, held.sighting_id)
        assert sighting is not None and sighting.details_obtained_at == NOW
        assert sighting.behaviour_codes == ["aspb.loitering"]

    (event,) = events(app, "subject.erased")
    assert event.justification == "Erasure request ER-9"
    assert event.actor_id == officer.id
    assert (event.details["notes"], event.details["links"], event.details["photos"]) == (2, 1, 1)
    assert (event.details["alerts"], event.details["merged"]) == (1, [MERGED_REFERENCE])

    assert client.get(f"/subjects/{held.subject_id}").status_code == 404
    assert client.get(f"/subjects/{held.merged_id}").status_code == 404
    assert REFERENCE not in client.get("/subjects/?q=RF-2026").get_data(as_text=True)
    again = access(client, reference=REFERENCE)
    assert again.status_code == 400
    assert f"There is no red flag with the reference {REFERENCE}" in again.get_data(as_text=True)
    assert "No red flag holds the name" in access(client).get_data(as_text=True)


def test_a_merged_reference_leads_to_the_whole_person(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    held: Held,
) -> None:
    login_as(Role.OFFICER)
    response = access(client, reference=MERGED_REFERENCE)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{REFERENCE}.json"'
    (profile,) = response.get_json()["profiles"]
    assert profile["merged_profiles"][0]["reference"] == MERGED_REFERENCE
    # The merged profile's own details (no date of birth, its address) lead there too.
    login_as(Role.ADMIN)
    response = access(client, full_name="Merged Canary", address="2 merged street")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{REFERENCE}.json"'
    # Its name joined the aliases of the profile kept, which has the date of birth.
    response = access(client, full_name="merged canary")
    (profile,) = response.get_json()["profiles"]
    assert profile["reference"] == REFERENCE


def test_bad_input_is_explained_kept_and_nothing_is_written(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    officer_records_subject(client, login_as, police_note())
    login_as(Role.OFFICER)

    unknown = access(client, reference="RF-2026-9999", reason="SAR-KEPT-1")
    assert unknown.status_code == 400
    page = unknown.get_data(as_text=True)
    assert "There is no red flag with the reference RF-2026-9999. Check the reference." in page
    assert "SAR-KEPT-1" in page and "RF-2026-9999" in page

    no_reason = access(client, reason="  ")
    assert no_reason.status_code == 400
    assert "Enter the request reference or the reason" in no_reason.get_data(as_text=True)
    nothing = access(client, full_name=" ", date_of_birth="", address="SA1 1DP")
    assert nothing.status_code == 400
    page = nothing.get_data(as_text=True)
    assert "Enter the person's full name" in page
    assert "Enter the person's date of birth" in page
    assert 'value="SA1 1DP"' in page
    for wrong in ("31/02/1990", "1990-13-01", "soon", "2099-01-01", "1850-01-01"):
        refused = access(client, date_of_birth=wrong, full_name="Kept Name")
        assert refused.status_code == 400, wrong
        page = refused.get_data(as_text=True)
        assert "Enter the date of birth as a date in the past, for example 1990-01-31" in page
        assert 'value="Kept Name"' in page
    assert access(client, date_of_birth="02/01/1990").mimetype == "application/json"
    bad_format = access(client, file_format="xml")
    assert bad_format.status_code == 400

    unconfirmed = erase(client, confirm="", reason="Kept reason ER-1")
    assert unconfirmed.status_code == 400
    page = unconfirmed.get_data(as_text=True)
    assert "Confirm that you understand this cannot be undone" in page
    assert "Kept reason ER-1" in page
    no_erase_reason = erase(client, reason="")
    assert no_erase_reason.status_code == 400
    assert "Say why this red flag is being erased" in no_erase_reason.get_data(as_text=True)
    unknown_erase = erase(client, reference="RF-2099-0001")
    assert unknown_erase.status_code == 400
    assert "There is no red flag with the reference RF-2099-0001" in unknown_erase.get_data(
        as_text=True
    )

    assert len(events(app, "subject.disclosed")) == 1  # the one well-formed request
    assert events(app, "subject.access_no_match") == []
    assert events(app, "subject.erased") == []
    with app.app_context():
        subject = db.session.scalar(select(Subject))
        assert subject is not None
        assert (subject.name, subject.erased_at, len(subject.notes)) == ("Canary Name", None, 1)


def test_the_pages_open_with_the_reference_filled_in_from_the_profile(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    subject_id = officer_records_subject(client, login_as, police_note())
    justify(client, subject_id)
    profile = client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    assert f'href="/subjects/access-request?reference={REFERENCE}"' in profile
    assert f'href="/subjects/erase?reference={REFERENCE}"' in profile
    for url in (ACCESS, ERASE):
        page = client.get(f"{url}?reference={REFERENCE}")
        assert page.status_code == 200
        assert f'value="{REFERENCE}"' in page.get_data(as_text=True)
    login_as(Role.ADMIN)
    assert client.get(ACCESS).status_code == 200
    admin_page = client.get(f"{ACCESS}?reference={REFERENCE}").get_data(as_text=True)
    assert f'value="{REFERENCE}"' not in admin_page  # administrators never ask by reference
    assert client.get(ERASE).status_code == 200
