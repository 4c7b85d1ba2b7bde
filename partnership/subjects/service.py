"""Red flags: recording, editing, renewing and expiring (who may see which subject and
note: :mod:`.visibility`).

Functions add and flush and leave their audit event; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from partnership.alerts.models import Alert
from partnership.auth.models import User
from partnership.core import audit, locking, references
from partnership.core.catalogue import gettext as _
from partnership.core.description import DESCRIPTION_FIELDS, DescriptionData
from partnership.core.enums import ViewReason
from partnership.core.models import AuditEvent
from partnership.core.saving import Refused
from partnership.core.signals import note_shared
from partnership.core.uploads import CleanImage
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.subjects import search as subject_search
from partnership.subjects.models import (
    NoteRenewal,
    RedFlagNote,
    Subject,
    SubjectPhoto,
)
from partnership.subjects.visibility import visible_subjects

REVIEW_AFTER = timedelta(days=90)
JUSTIFICATION_LIFETIME = timedelta(minutes=30)


def find_note(subject: Subject, note_id: int) -> RedFlagNote | None:
    """A note of ``subject`` by id (for police pages; they see every note)."""
    return db.session.scalar(
        select(RedFlagNote).where(RedFlagNote.id == note_id, RedFlagNote.subject_id == subject.id)
    )


def reason_said(code: str, detail: str) -> str:
    """A reason as the audit trail keeps it: the chosen reason's words, then any details."""
    label = str(ViewReason(code).label)
    detail = detail.strip()
    return f"{label}: {detail}" if detail else label


def find_by_reference(user: User, reference: str, today: date) -> Subject | None:
    """The subject ``user`` may see with exactly ``reference`` (any letter case, spaces
    around it ignored), if any."""
    if not reference.strip():
        return None
    return db.session.scalar(
        visible_subjects(user, today).where(
            func.upper(Subject.reference) == reference.strip().upper()
        )
    )


def search_query(
    user: User, query_text: str, today: date, limit: int = 50
) -> Select[tuple[Subject]]:
    """The query :func:`search` runs."""
    query = visible_subjects(user, today).where(Subject.merged_into_id.is_(None))
    words = query_text.strip()
    if words:
        query = query.where(subject_search.matching(user, words))
    return query.order_by(Subject.id.desc()).limit(limit)


def search(user: User, query_text: str, today: date, limit: int = 50) -> list[Subject]:
    """Subjects ``user`` may see with ``query_text`` inside their reference, description,
    clothing or distinguishing features (name and aliases too when ``user`` may see them),
    ignoring letter case, newest first, at most ``limit``. The words are text: ``%``,
    ``_``, ``"`` and ``*`` match themselves. Profiles merged into another are left out:
    the one they were merged into is found. An index finds the words (:mod:`.search`)."""
    subject_search.plan_for_the_words()
    return list(db.session.scalars(search_query(user, query_text, today, limit)))


@dataclass
class SubjectData(DescriptionData):
    """What the subject form says, checked."""

    description: str
    name: str = ""
    aliases: str = ""
    date_of_birth: date | None = None
    address: str = ""


SUBJECT_FIELDS = tuple(SubjectData.__dataclass_fields__)


def subject_data(form: Any) -> SubjectData:
    """What a form with the subject's fields (a new red flag, details obtained) says."""
    texts = [name for name in SUBJECT_FIELDS if name != "date_of_birth"]
    return SubjectData(
        **{name: getattr(form, name).data or "" for name in texts},
        date_of_birth=form.date_of_birth.data,
    )


def next_reference(year: int) -> str:
    """The next free reference of ``year``: RF-<year>-<4-digit sequence>."""
    return references.next_reference(Subject, "RF", year)


def _apply(subject: Subject, data: SubjectData) -> None:
    for name in SUBJECT_FIELDS:
        value = getattr(data, name)
        setattr(subject, name, value.strip() if isinstance(value, str) else value)


def create_subject(actor: User, data: SubjectData, now: datetime) -> Subject:
    """Add a subject with a new reference; the unique reference refuses a duplicate."""
    subject = Subject(
        reference=next_reference(now.year),
        created_by_id=actor.id,
        organisation_id=actor.organisation_id,
        created_at=now,
        updated_at=now,
    )
    _apply(subject, data)
    db.session.add(subject)
    db.session.flush()
    audit.record(
        "subject.created",
        actor=actor,
        object_type="subject",
        object_id=subject.id,
        reference=subject.reference,
    )
    return subject


def update_subject(actor: User, subject: Subject, data: SubjectData, now: datetime) -> list[str]:
    """Change a subject; returns the names of the fields changed (audited, values not)."""
    before = {name: getattr(subject, name) for name in SUBJECT_FIELDS}
    _apply(subject, data)
    changed = sorted(name for name in SUBJECT_FIELDS if getattr(subject, name) != before[name])
    if changed:
        subject.updated_at = now
        db.session.flush()
        audit.record(
            "subject.updated",
            actor=actor,
            object_type="subject",
            object_id=subject.id,
            fields=changed,
        )
    return changed


@dataclass
class NoteData:
    """What the note form says, checked."""

    text: str
    sharing: str
    behaviours: list[str] = field(default_factory=list)
    source_evaluation: str = ""
    intelligence_assessment: str = ""
    handling_code: str = ""


def add_note(actor: User, subject: Subject, data: NoteData, now: datetime) -> RedFlagNote:
    """Add a note to ``subject``, due for review 90 days after ``now``."""
    note = RedFlagNote(
        subject_id=subject.id,
        author_id=actor.id,
        organisation_id=actor.organisation_id,
        behaviours=sorted(set(data.behaviours)),
        text=data.text.strip(),
        sharing=data.sharing,
        source_evaluation=data.source_evaluation,
        intelligence_assessment=data.intelligence_assessment,
        handling_code=data.handling_code,
        review_on=now.date() + REVIEW_AFTER,
        created_at=now,
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        "subject.note_added",
        actor=actor,
        object_type="subject",
        object_id=subject.id,
        note=note.id,
        sharing=note.sharing,
    )
    note_shared.send(note, now=now)
    return note


def renew_note(actor: User, note: RedFlagNote, reason: str, now: datetime) -> NoteRenewal:
    """Keep a note for 90 more days from ``now``, with the reason; an expired note is
    active again. The renewal and its audit event both carry the reason."""
    renewal = NoteRenewal(
        note_id=note.id,
        renewed_by_id=actor.id,
        renewed_at=now,
        reason=reason.strip(),
        previous_review_on=note.review_on,
        new_review_on=now.date() + REVIEW_AFTER,
    )
    note.review_on = renewal.new_review_on
    note.expired_at = None
    # A renewal is a change of the note even on a day that leaves its review date as it was.
    locking.changed(note, "review_on")
    db.session.add(renewal)
    db.session.flush()
    audit.record(
        "subject.note_renewed",
        actor=actor,
        object_type="subject",
        object_id=note.subject_id,
        justification=renewal.reason,
        note=note.id,
        previous_review_on=renewal.previous_review_on.isoformat(),
        new_review_on=renewal.new_review_on.isoformat(),
    )
    return renewal


def expire_overdue(now: datetime) -> list[RedFlagNote]:
    """Mark every unexpired note whose review date is before ``now``'s date as expired,
    with one audit event each; returns them."""
    overdue = list(
        db.session.scalars(
            select(RedFlagNote)
            .where(RedFlagNote.expired_at.is_(None), RedFlagNote.review_on < now.date())
            .order_by(RedFlagNote.id)
        )
    )
    for note in overdue:
        note.expired_at = now
        db.session.flush()
        audit.record(
            "subject.note_expired",
            actor=None,
            object_type="subject",
            object_id=note.subject_id,
            note=note.id,
            review_on=note.review_on.isoformat(),
        )
    return overdue


def add_photo(actor: User, subject: Subject, image: CleanImage, now: datetime) -> SubjectPhoto:
    """Keep a re-encoded photo (no metadata survives) with ``subject``."""
    photo = SubjectPhoto(
        subject_id=subject.id,
        added_by_id=actor.id,
        created_at=now,
        **image.stored(),
    )
    db.session.add(photo)
    subject.updated_at = now
    db.session.flush()
    audit.record(
        "subject.photo_added",
        actor=actor,
        object_type="subject",
        object_id=subject.id,
        photo=photo.id,
    )
    return photo


def find_photo(subject: Subject, photo_id: int) -> SubjectPhoto | None:
    """A photo of ``subject`` by id."""
    return db.session.scalar(
        select(SubjectPhoto).where(
            SubjectPhoto.id == photo_id, SubjectPhoto.subject_id == subject.id
        )
    )


def remove_photo(actor: User, photo: SubjectPhoto, now: datetime) -> None:
    """Delete a photo of a subject (the bytes go with the row)."""
    subject_id = photo.subject_id
    db.session.delete(photo)
    db.session.flush()
    audit.record(
        "subject.photo_removed",
        actor=actor,
        object_type="subject",
        object_id=subject_id,
        photo=photo.id,
    )


class MergeRefused(Refused):
    """Why two profiles cannot be merged, as a message for the user, about the other
    profile's reference."""

    field = "other"


def _joined(*parts: str) -> str:
    seen: list[str] = []
    for part in parts:
        for item in (piece.strip() for piece in part.split(",")):
            if item and item.lower() not in (s.lower() for s in seen):
                seen.append(item)
    return ", ".join(seen)


def merge_subjects(
    actor: User, keep: Subject, absorb: Subject, reason: str, now: datetime
) -> Subject:
    """Merge ``absorb`` into ``keep``: every note, link, photo and alert moves to ``keep``
    (a record linked to both keeps one link, with "details obtained" if either had it);
    fields ``keep`` leaves blank are filled from ``absorb``; a different name of ``absorb``
    joins ``keep``'s aliases. ``absorb`` stays as a bare pointer (``merged_into``) so its
    reference still leads to ``keep``, and profiles merged into it earlier now point at
    ``keep``. One audit event carries the reason. Raises :class:`MergeRefused`."""
    if keep.id == absorb.id:
        raise MergeRefused(_("A red flag cannot be merged with itself."))
    if absorb.merged_into_id is not None or keep.merged_into_id is not None:
        raise MergeRefused(_("That red flag has already been merged into another."))

    for note in list(absorb.notes):
        note.subject_id = keep.id
    for photo in list(absorb.photos):
        photo.subject_id = keep.id
    kept_links = {
        (link.sighting_id, link.safe_space_use_id, link.welfare_note_id): link
        for link in keep.links
    }
    moved = 0
    for link in list(absorb.links):
        same = kept_links.get((link.sighting_id, link.safe_space_use_id, link.welfare_note_id))
        if same is not None:
            same.details_obtained = same.details_obtained or link.details_obtained
            db.session.delete(link)
        else:
            link.subject_id = keep.id
            moved += 1
    db.session.execute(
        Alert.__table__.update().where(Alert.subject_id == absorb.id).values(subject_id=keep.id)
    )
    db.session.execute(
        Subject.__table__.update()
        .where(Subject.merged_into_id == absorb.id)
        .values(merged_into_id=keep.id)
    )

    if absorb.name and keep.name and absorb.name.lower() != keep.name.lower():
        keep.aliases = _joined(keep.aliases, absorb.name, absorb.aliases)
    else:
        keep.aliases = _joined(keep.aliases, absorb.aliases)
    for name in ("name", "date_of_birth", "address", *DESCRIPTION_FIELDS):
        if not getattr(keep, name) and getattr(absorb, name):
            setattr(keep, name, getattr(absorb, name))
    if absorb.description and absorb.description not in keep.description:
        keep.description = f"{keep.description}\n\n{absorb.description}".strip()
    keep.updated_at = now
    absorb.merged_into_id = keep.id
    absorb.merged_at = now
    db.session.flush()
    db.session.expire(keep)
    db.session.expire(absorb)
    audit.record(
        "subject.merged",
        actor=actor,
        object_type="subject",
        object_id=keep.id,
        justification=reason.strip(),
        merged=absorb.id,
        merged_reference=absorb.reference,
        links_moved=moved,
    )
    return keep


@dataclass(frozen=True)
class Measures:
    """The red-flag figures the partnership reports, for a period."""

    subjects_recorded: int
    notes_added: int
    notes_renewed: int
    notes_expired: int
    links_made: int
    details_obtained: int


def measures(since: datetime, until: datetime) -> Measures:
    """Counts for ``since`` <= moment < ``until``. They come from what erasure keeps: the
    subject's bare row (a merged profile is not counted twice), the sighting's
    ``details_obtained_at`` and the audit trail's content-free events, so erasing a
    subject changes none of them."""

    def events(action: str) -> int:
        return (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action == action,
                    AuditEvent.created_at >= since,
                    AuditEvent.created_at < until,
                )
            )
            or 0
        )

    subjects = db.session.scalar(
        select(func.count())
        .select_from(Subject)
        .where(
            Subject.merged_into_id.is_(None),
            Subject.created_at >= since,
            Subject.created_at < until,
        )
    )
    details = db.session.scalar(
        select(func.count())
        .select_from(Sighting)
        .where(Sighting.details_obtained_at >= since, Sighting.details_obtained_at < until)
    )
    return Measures(
        subjects_recorded=subjects or 0,
        notes_added=events("subject.note_added"),
        notes_renewed=events("subject.note_renewed"),
        notes_expired=events("subject.note_expired"),
        links_made=events("subject.linked"),
        details_obtained=details or 0,
    )
