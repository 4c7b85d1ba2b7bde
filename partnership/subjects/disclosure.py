"""Red flags: subject access (everything held about a person, as PDF or JSON) and erasure.

A subject access request names a person as the data-protection officer receives it: full
name and date of birth, perhaps an address or postcode (:func:`find_for_details`, exact
matches only). Police may instead give the reference of a red flag (they see every one);
administrators, who open no record contents otherwise, never find a profile by reference
for a disclosure, since references are numbered in order. Erasure finds a red flag by its
exact reference (:func:`find_for_request`). Functions flush and leave one audit event; the
view commits.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import get_locale
from sqlalchemy import and_, delete, func, or_, select

from partnership.alerts.models import Alert
from partnership.auth.models import User
from partnership.core import audit
from partnership.core.catalogue import ngettext
from partnership.core.description import DESCRIPTION_FIELDS
from partnership.core.pdf import render_pdf
from partnership.extensions import db
from partnership.subjects import search as subject_search
from partnership.subjects.models import RedFlagNote, Subject, SubjectLink, SubjectPhoto
from partnership.subjects.visibility import disclosable_subjects

PERSONAL_FIELDS = ("name", "aliases", "date_of_birth", "address")


@dataclass(frozen=True)
class Person:
    """Whom a subject access request is about, as the requester gave their details."""

    name: str
    date_of_birth: date
    address: str = ""


def normalised(text: str) -> str:
    """Text with letter case and spacing set aside: "  Jo   SMITH" and "jo smith" agree."""
    return " ".join(text.casefold().split())


def _names(subject: Subject) -> set[str]:
    """The names ``subject`` is held under: its name and each alias (listed with commas,
    semicolons or one to a line), normalised."""
    names = {normalised(part) for part in re.split(r"[,;\n]", subject.aliases)}
    names.add(normalised(subject.name))
    names.discard("")
    return names


# A UK postcode with its space taken out, as :func:`_address_key` leaves it.
_POSTCODE = re.compile(r"[a-z]{1,2}[0-9][0-9a-z]?[0-9][a-z]{2}")


def _address_key(text: str) -> str:
    """An address with case, spacing and punctuation set aside."""
    return "".join(character for character in text.casefold() if character.isalnum())


def _address_agrees(given: str, held: str) -> bool:
    """Whether the address or postcode the requester gave is the one held: a postcode must
    appear in the held address; a whole address must be the held one, letter case, spacing
    and punctuation aside."""
    given_key, held_key = _address_key(given), _address_key(held)
    if not given_key or not held_key:
        return False
    if _POSTCODE.fullmatch(given_key):
        return given_key in held_key
    return given_key == held_key


def find_for_details(user: User, person: Person, today: date) -> list[Subject]:
    """The red flags a subject access request by ``user`` about ``person`` covers: exact
    matches only, never near ones, oldest first.

    A profile matches when one of its names (name or an alias, letter case and spacing
    aside) is the full name given and either its date of birth is the one given, or it
    holds no date of birth and the address or postcode given agrees with the address it
    holds. A profile merged into another leads to the one it was merged into (the request
    covers the whole person); erased profiles match nothing. The profiles looked through
    are :func:`~partnership.subjects.visibility.disclosable_subjects`.
    """
    query = disclosable_subjects(user, today)
    name = normalised(person.name)
    if not name:
        return []
    dated = [Subject.date_of_birth == person.date_of_birth]
    if _address_key(person.address):
        dated.append(and_(Subject.date_of_birth.is_(None), Subject.address != ""))
    found: dict[int, Subject] = {}
    for subject in db.session.scalars(query.where(or_(*dated)).order_by(Subject.id)):
        if name not in _names(subject):
            continue
        if subject.date_of_birth is None and not _address_agrees(person.address, subject.address):
            continue
        whole = subject.merged_into or subject
        if whole.erased_at is None:
            found.setdefault(whole.id, whole)
    return sorted(found.values(), key=lambda subject: subject.id)


def find_for_request(user: User, reference: str, today: date) -> Subject | None:
    """The subject an erasure request by ``user``, or a police officer's subject access
    request, names by its reference; or None.

    The reference must be exact (any letter case), among the profiles
    :func:`~partnership.subjects.visibility.disclosable_subjects` looks through. A profile
    merged into another leads to the one it was merged into, where the person's notes,
    links and photos now are, so the request covers the whole person (merging repoints
    earlier merges, so it is one step).
    """
    subject = db.session.scalar(
        disclosable_subjects(user, today).where(
            func.upper(Subject.reference) == reference.strip().upper()
        )
    )
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


def held_about(subjects: Sequence[Subject], reason: str, now: datetime) -> dict[str, Any]:
    """Everything the portal holds about the person ``subjects`` are about, with native
    values (dates, bytes): for each profile its description and personal details, every
    note (expired ones too) with its renewals, every link with the record's kind, night,
    place and behaviours, every photo, and each profile merged into it. Writes nothing;
    see :func:`subject_access` and :func:`subject_access_pdf` for the audited disclosures
    built on it. ``reason`` (the request's reference) is written at the top."""
    return {
        "produced_at": now,
        "request": reason.strip(),
        "profiles": [
            {
                **_profile(subject, now.date()),
                "merged_profiles": [
                    {"merged_at": merged.merged_at, **_profile(merged, now.date())}
                    for merged in merged_profiles(subject)
                ],
            }
            for subject in subjects
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


def _disclosed(
    actor: User, subjects: Sequence[Subject], reason: str, file_format: str, found_by: str
) -> None:
    audit.record(
        "subject.disclosed",
        actor=actor,
        object_type="subject",
        object_id=subjects[0].id if len(subjects) == 1 else None,
        justification=reason.strip(),
        format=file_format,
        found_by=found_by,
        subjects=[subject.id for subject in subjects],
        references=[subject.reference for subject in subjects],
        merged=[merged.reference for subject in subjects for merged in merged_profiles(subject)],
    )


def record_no_match(actor: User, reason: str, person: Person) -> None:
    """One ``subject.access_no_match`` event for a request that matched no red flag,
    carrying its reason (the request's reference). The person's details are not kept in
    the audit trail: the request's reference leads to them in the requester's own file."""
    audit.record(
        "subject.access_no_match",
        actor=actor,
        object_type="subject",
        justification=reason.strip(),
        address_given=bool(_address_key(person.address)),
    )


def subject_access(
    actor: User, subjects: Sequence[Subject], reason: str, now: datetime, found_by: str
) -> dict[str, Any]:
    """Everything held about the person ``subjects`` are about as JSON-ready data (dates
    in ISO 8601, photos base64), with one ``subject.disclosed`` audit event (format "json")
    carrying ``reason`` and how the profiles were found (``found_by``)."""
    data: dict[str, Any] = _jsonable(held_about(subjects, reason, now))
    _disclosed(actor, subjects, reason, "json", found_by)
    return data


def subject_access_pdf(
    actor: User, subjects: Sequence[Subject], reason: str, now: datetime, found_by: str
) -> bytes:
    """Everything held about the person ``subjects`` are about as a PDF in the current
    locale, photos embedded, with one ``subject.disclosed`` audit event (format "pdf")
    carrying ``reason`` and how the profiles were found (``found_by``)."""
    data = held_about(subjects, reason, now)
    images = {
        f"photo-{photo['id']}": (photo["data"], photo["content_type"])
        for profile in data["profiles"]
        for held in (profile, *profile["merged_profiles"])
        for photo in held["photos"]
    }
    references = ", ".join(subject.reference for subject in subjects)
    pdf = render_pdf(
        "subjects/pdf/subject_access.html",
        title=ngettext(
            "Subject access: red flag %(references)s",
            "Subject access: red flags %(references)s",
            len(subjects),
            references=references,
        ),
        lang=str(get_locale()),
        images=images,
        data=data,
    )
    _disclosed(actor, subjects, reason, "pdf", found_by)
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
    carries ``reason`` and what was removed, counted (no contents). The search index
    forgets the emptied words (:func:`search.forget_erased`)."""
    profiles = [subject, *merged_profiles(subject)]
    removed = {"notes": 0, "links": 0, "photos": 0}
    for profile in profiles:
        for key, number in _erase_one(profile, now).items():
            removed[key] += number
    ids = [profile.id for profile in profiles]
    alerts = db.session.execute(delete(Alert).where(Alert.subject_id.in_(ids)))
    db.session.flush()
    subject_search.forget_erased()
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
