"""Red flags: subject access (everything held about a subject, as PDF or JSON) and erasure.

Police find the subject through :func:`partnership.subjects.service.visible_subjects`;
administrators, who open no record contents otherwise, only by its exact reference
(:func:`find_for_request`). Functions flush and leave one audit event; the view commits.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.description import DESCRIPTION_FIELDS
from partnership.core.enums import POLICE_ROLES, Role
from partnership.core.pdf import render_pdf
from partnership.extensions import db
from partnership.subjects import service
from partnership.subjects.models import RedFlagNote, Subject, SubjectLink, SubjectPhoto

PERSONAL_FIELDS = ("name", "aliases", "date_of_birth", "address")


def find_for_request(user: User, reference: str, today: date) -> Subject | None:
    """The subject a subject access or erasure request by ``user`` is about, or None.

    Police look through :func:`service.visible_subjects` (every subject not erased);
    an administrator finds a subject only by its exact reference (any letter case),
    not erased; nobody else finds any. A profile merged into another leads to the one
    it was merged into, where the person's notes, links and photos now are, so the
    request covers the whole person (merging repoints earlier merges, so it is one step).
    """
    if user.role_enum in POLICE_ROLES:
        subject = service.find_by_reference(user, reference, today)
    elif user.role_enum is Role.ADMIN:
        subject = db.session.scalar(
            select(Subject).where(
                Subject.erased_at.is_(None),
                func.upper(Subject.reference) == reference.strip().upper(),
            )
        )
    else:
        return None
    if subject is not None and subject.merged_into is not None:
        subject = subject.merged_into
    if subject is None or subject.erased_at is not None:
        return None
    return subject


def merged_profiles(subject: Subject) -> list[Subject]:
    """The profiles merged into ``subject``, oldest first."""
    return list(
        db.session.scalars(
            select(Subject).where(Subject.merged_into_id == subject.id).order_by(Subject.id)
        )
    )


def _note(note: RedFlagNote, today: date) -> dict[str, Any]:
    return {
        "id": note.id,
        "created_at": note.created_at,
        "organisation": note.organisation.name,
        "behaviours": list(note.behaviours),
        "text": note.text,
        "sharing": note.sharing,
        "source_evaluation": note.source_evaluation,
        "intelligence_assessment": note.intelligence_assessment,
        "handling_code": note.handling_code,
        "review_on": note.review_on,
        "expired": not note.is_active(today),
        "expired_at": note.expired_at,
        "renewals": [
            {
                "renewed_at": renewal.renewed_at,
                "reason": renewal.reason,
                "previous_review_on": renewal.previous_review_on,
                "new_review_on": renewal.new_review_on,
            }
            for renewal in note.renewals
        ],
    }


def _link(link: SubjectLink) -> dict[str, Any]:
    record = link.record
    kind = (
        "sighting"
        if link.sighting_id is not None
        else "safe_space_use"
        if link.safe_space_use_id is not None
        else "welfare_note"
    )
    codes = getattr(record, "behaviour_codes", [])
    venue = record.venue
    return {
        "record": kind,
        "record_id": record.id,
        "night": record.night,
        "venue": venue.name if venue is not None else None,
        "place": getattr(record, "place", ""),
        "behaviours": list(codes),
        "other_behaviour": getattr(record, "other_behaviour", ""),
        "details_obtained": link.details_obtained,
        "organisation": link.organisation.name,
        "linked_at": link.linked_at,
    }


def _photo(photo: SubjectPhoto) -> dict[str, Any]:
    return {
        "id": photo.id,
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
        "size": photo.size,
        "sha256": photo.sha256,
        "created_at": photo.created_at,
        "data": photo.data,
    }


def _profile(subject: Subject, today: date) -> dict[str, Any]:
    return {
        "reference": subject.reference,
        "description": subject.description,
        **{name: getattr(subject, name) for name in DESCRIPTION_FIELDS},
        **{name: getattr(subject, name) for name in PERSONAL_FIELDS},
        "organisation": subject.organisation.name,
        "created_at": subject.created_at,
        "updated_at": subject.updated_at,
        "notes": [_note(note, today) for note in subject.notes],
        "links": [_link(link) for link in subject.links],
        "photos": [_photo(photo) for photo in subject.photos],
    }


def held_about(subject: Subject, reason: str, now: datetime) -> dict[str, Any]:
    """Everything the portal holds about ``subject``, with native values (dates, bytes):
    its description and personal details, every note (expired ones too) with its
    renewals, every link with the record's kind, night, place and behaviours, every
    photo, and each profile merged into it. Writes nothing; see :func:`subject_access`
    and :func:`subject_access_pdf` for the audited disclosures built on it. ``reason``
    (the request's reference) is written at the top."""
    return {
        "produced_at": now,
        "request": reason.strip(),
        **_profile(subject, now.date()),
        "merged_profiles": [
            {"merged_at": merged.merged_at, **_profile(merged, now.date())}
            for merged in merged_profiles(subject)
        ],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _disclosed(actor: User, subject: Subject, reason: str, file_format: str) -> None:
    audit.record(
        "subject.disclosed",
        actor=actor,
        object_type="subject",
        object_id=subject.id,
        justification=reason.strip(),
        format=file_format,
        reference=subject.reference,
        merged=[merged.reference for merged in merged_profiles(subject)],
    )


def subject_access(actor: User, subject: Subject, reason: str, now: datetime) -> dict[str, Any]:
    """Everything held about ``subject`` as JSON-ready data (dates in ISO 8601, photos
    base64), with one ``subject.disclosed`` audit event (format "json") carrying
    ``reason``."""
    data: dict[str, Any] = _jsonable(held_about(subject, reason, now))
    _disclosed(actor, subject, reason, "json")
    return data


def subject_access_pdf(actor: User, subject: Subject, reason: str, now: datetime) -> bytes:
    """Everything held about ``subject`` as a PDF in the current locale, photos
    embedded, with one ``subject.disclosed`` audit event (format "pdf") carrying
    ``reason``."""
    data = held_about(subject, reason, now)
    images = {
        f"photo-{photo['id']}": (photo["data"], photo["content_type"])
        for profile in (data, *data["merged_profiles"])
        for photo in profile["photos"]
    }
    pdf = render_pdf(
        "subjects/pdf/subject_access.html",
        title=_("Subject access: red flag %(reference)s", reference=subject.reference),
        lang=str(get_locale()),
        images=images,
        data=data,
    )
    _disclosed(actor, subject, reason, "pdf")
    return pdf


def _erase_one(subject: Subject, now: datetime) -> dict[str, int]:
    removed = {
        "notes": len(subject.notes),
        "links": len(subject.links),
        "photos": len(subject.photos),
    }
    # delete-orphan: the notes' renewals go with them; sightings and their
    # details_obtained_at stay (they belong to whoever recorded them).
    subject.notes.clear()
    subject.links.clear()
    subject.photos.clear()
    for name in ("description", "name", "aliases", "address", *DESCRIPTION_FIELDS):
        setattr(subject, name, "")
    subject.date_of_birth = None
    subject.erased_at = now
    subject.updated_at = now
    return removed


def erase_subject(actor: User, subject: Subject, reason: str, now: datetime) -> None:
    """Erase ``subject`` and every profile merged into it: their notes (with renewals),
    links, photos and alerts are deleted and every personal and description field is
    emptied. The bare rows stay, reference and dates kept and ``erased_at`` set, with
    the linked sightings and their ``details_obtained_at``, so report counts
    (:func:`service.measures`) do not change. One ``subject.erased`` audit event
    carries ``reason`` and what was removed, counted (no contents)."""
    # Imported here: alerts.models imports the sightings package, which imports this one.
    from partnership.alerts.models import Alert

    profiles = [subject, *merged_profiles(subject)]
    removed = {"notes": 0, "links": 0, "photos": 0}
    for profile in profiles:
        for key, number in _erase_one(profile, now).items():
            removed[key] += number
    ids = [profile.id for profile in profiles]
    alerts = db.session.execute(delete(Alert).where(Alert.subject_id.in_(ids)))
    db.session.flush()
    audit.record(
        "subject.erased",
        actor=actor,
        object_type="subject",
        object_id=subject.id,
        justification=reason.strip(),
        reference=subject.reference,
        merged=[profile.reference for profile in profiles[1:]],
        alerts=alerts.rowcount,  # type: ignore[attr-defined]
        **removed,
    )
