"""Merging two profiles of the same person keeps every note, link, photo and its history;
subject photos are police-only unless the data-sharing settings share them."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.extensions import db
from partnership.subjects.models import RedFlagNote, Subject, SubjectPhoto
from tests.conftest import Clock, events, fix_clock
from tests.factories import add_stored_photo
from tests.sightings.factories import add_sighting
from tests.subjects.factories import add_link
from tests.subjects.helpers import (
    justify,
    officer_records_subject,
    partnership_note,
    police_note,
    subject_form,
)
from tests.subjects.test_subjects import NOW


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fix_clock(monkeypatch, NOW, "partnership.subjects.views")


def reference_of(app: Flask, subject_id: int) -> str:
    with app.app_context():
        return db.session.get(Subject, subject_id).reference  # type: ignore[union-attr]


def second_subject(client: FlaskClient, *notes: dict[str, str]) -> int:
    """Another profile of the same person, recorded by the officer signed in."""
    response = client.post(
        "/subjects/new",
        data=subject_form(name="Other Name", aliases="Bird", date_of_birth="", address=""),
    )
    subject_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    for note in notes:
        client.post(f"/subjects/{subject_id}/notes/new", data=note)
    return subject_id


def link_sighting(app: Flask, subject_id: int, user: User, *, details: bool = False) -> int:
    """A partnership sighting by ``user``, linked to ``subject_id``."""
    sighting_id = add_sighting(app, user, None, night=date(2026, 11, 27))
    add_link(app, subject_id, user, sighting_id=sighting_id, details_obtained=details)
    return sighting_id


def merge_form(other: str, **overrides: str) -> dict[str, str]:
    """The merge form, opened on the kept profile's first version (notes, links and
    photos added since do not move it on)."""
    return {
        "other": other,
        "reason": "Same date of birth and tattoo",
        "confirm": "y",
        "version": "1",
        **overrides,
    }


def test_a_merge_moves_every_note_link_and_photo_and_the_old_reference_leads_on(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], clock: Clock
) -> None:
    keep = officer_records_subject(client, login_as, police_note())
    officer = login_as(Role.OFFICER)
    absorb = second_subject(client, partnership_note())
    shared = link_sighting(app, keep, officer)
    link_sighting(app, absorb, officer, details=False)
    # The same sighting linked to both, with details obtained on one.
    add_link(app, absorb, officer, sighting_id=shared, details_obtained=True)
    add_stored_photo(app, SubjectPhoto, subject_id=absorb)
    justify(client, keep)

    response = client.post(f"/subjects/{keep}/merge", data=merge_form(reference_of(app, absorb)))

    assert response.status_code == 302
    with app.app_context():
        kept = db.session.get(Subject, keep)
        merged = db.session.get(Subject, absorb)
        assert kept is not None and merged is not None
        assert merged.merged_into_id == keep and merged.merged_at is not None
        assert len(kept.notes) == 2 and {n.sharing for n in kept.notes} == {"police", "partnership"}
        assert len(kept.links) == 2  # the shared sighting once, the other sighting moved
        assert [lk.details_obtained for lk in kept.links if lk.sighting_id == shared] == [True]
        assert len(kept.photos) == 1
        assert "Other Name" in kept.aliases and "Bird" in kept.aliases
        assert kept.name == "Canary Name"
        assert (
            db.session.scalars(select(RedFlagNote).where(RedFlagNote.subject_id == absorb)).all()
            == []
        )
    [event] = events(app, "subject.merged")
    assert event.justification == "Same date of birth and tattoo"
    assert event.object_id == str(keep) and event.details["merged"] == absorb
    # The old reference leads to the kept profile; search shows only the kept one.
    old = client.get(f"/subjects/{absorb}")
    assert old.status_code == 302 and old.headers["Location"].endswith(f"/subjects/{keep}")
    client.get("/subjects/")  # shows (and so clears) the messages waiting
    found = client.get("/subjects/?q=Bird").get_data(as_text=True)
    assert reference_of(app, keep) in found and reference_of(app, absorb) not in found


def test_a_merge_is_refused_clearly_and_changes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    keep = officer_records_subject(client, login_as, police_note())
    justify(client, keep)
    before = len(events(app))
    cases = [
        (merge_form("RF-2026-9999"), "No red flag you can see has that reference"),
        (merge_form(reference_of(app, keep)), "A red flag cannot be merged with itself."),
        (merge_form("RF-2026-9999", reason=""), "Say why these are the same person"),
        ({"other": "", "reason": "x"}, "Enter the reference of the other red flag"),
        (
            {"other": "RF-2026-0002", "reason": "Typed reason"},
            "Confirm that both red flags are about the same person",
        ),
    ]
    for data, message in cases:
        response = client.post(f"/subjects/{keep}/merge", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert message in page
        if data.get("reason"):
            assert data["reason"] in page  # what was typed comes back
    # Nothing is written but the one view of the card each page shown again makes.
    written = events(app)[before:]
    assert [(e.action, e.details["page"]) for e in written] == [("subject.viewed", "merge")] * len(
        cases
    )
    with app.app_context():
        assert db.session.scalar(select(Subject).where(Subject.merged_into_id.is_not(None))) is None


def test_a_coordinator_merges_shared_cards_but_not_one_they_cannot_see(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    keep = officer_records_subject(client, login_as, partnership_note())
    login_as(Role.OFFICER)
    hidden = second_subject(client, police_note())
    shared = second_subject(client, partnership_note())
    login_as(Role.COORDINATOR)
    justify(client, keep)
    refused = client.post(f"/subjects/{keep}/merge", data=merge_form(reference_of(app, hidden)))
    assert refused.status_code == 400
    assert "No red flag you can see has that reference" in refused.get_data(as_text=True)
    done = client.post(f"/subjects/{keep}/merge", data=merge_form(reference_of(app, shared)))
    assert done.status_code == 302
    login_as(Role.PREMISES_STAFF)
    assert client.post(f"/subjects/{keep}/merge", data=merge_form("x")).status_code == 403


def test_merging_needs_a_reason_for_viewing_first(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    keep = officer_records_subject(client, login_as, police_note())
    response = client.get(f"/subjects/{keep}/merge")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/subjects/{keep}"
    )


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 37.0, 11.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def add_photo(client: FlaskClient, subject_id: int, data: bytes, name: str = "face.jpg") -> object:
    return client.post(
        f"/subjects/{subject_id}/photos/new",
        data={"photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_police_add_a_photo_without_its_metadata_and_members_see_it_only_when_shared(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    subject_id = officer_records_subject(client, login_as, partnership_note())
    justify(client, subject_id)
    response = add_photo(client, subject_id, jpeg_with_gps())
    assert response.status_code == 302
    with app.app_context():
        photo = db.session.scalars(select(SubjectPhoto)).one()
        photo_id = photo.id
        assert b"PhoneMaker" not in photo.data
        assert not Image.open(io.BytesIO(photo.data)).getexif()
    url = f"/subjects/{subject_id}/photos/{photo_id}"
    assert client.get(url).status_code == 200
    assert url in client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    [viewed] = events(app, "subject.photo_viewed")
    assert viewed.justification

    login_as(Role.PREMISES_STAFF)
    justify(client, subject_id)
    assert url not in client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    assert client.get(url).status_code == 404
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", True)
    assert url in client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/remove").status_code == 403


def test_a_bad_photo_is_refused_clearly_and_nothing_is_kept(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    subject_id = officer_records_subject(client, login_as, police_note())
    justify(client, subject_id)
    response = add_photo(client, subject_id, b"not an image at all", "notes.jpg")
    assert response.status_code == 400
    assert "notes.jpg" in response.get_data(as_text=True)
    missing = client.post(f"/subjects/{subject_id}/photos/new", data={})
    assert missing.status_code == 400 and "Choose a photo" in missing.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(SubjectPhoto)).all() == []


def test_police_remove_a_photo(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    subject_id = officer_records_subject(client, login_as, police_note())
    justify(client, subject_id)
    add_photo(client, subject_id, jpeg_with_gps())
    with app.app_context():
        photo_id = db.session.scalars(select(SubjectPhoto.id)).one()
    response = client.post(f"/subjects/{subject_id}/photos/{photo_id}/remove")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(SubjectPhoto)).all() == []
    assert len(events(app, "subject.photo_removed")) == 1
