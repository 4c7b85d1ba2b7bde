"""Red flags: who may see which subject and note, recording, editing, renewing and expiring.

Functions add and flush and leave their audit event; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.enums import POLICE_ROLES, NoteSharing, Role
from partnership.extensions import db
from partnership.subjects.models import NoteRenewal, RedFlagNote, Subject

REVIEW_AFTER = timedelta(days=90)
JUSTIFICATION_LIFETIME = timedelta(minutes=30)
# Partnership members who may see a subject's shared card.
MEMBERS = frozenset({Role.PREMISES_STAFF, Role.WELFARE, Role.COORDINATOR})
READERS = MEMBERS | POLICE_ROLES
# Personal details: only police, though the settings may share these two with members.
SHAREABLE_PERSONAL = ("name", "aliases")
POLICE_ONLY_PERSONAL = ("date_of_birth", "address")


def _active_partnership(today: date) -> ColumnElement[bool]:
    return and_(
        RedFlagNote.sharing == NoteSharing.PARTNERSHIP.value,
        RedFlagNote.expired_at.is_(None),
        RedFlagNote.review_on >= today,
    )


def visible_subjects(user: User, today: date) -> Select[tuple[Subject]]:
    """The one rule for who sees which subject (DESIGN.md section 2).

    Police see every subject. Members (bar or door staff, welfare, coordinators)
    see a subject only while it has at least one active partnership note: shared
    with the partnership, not expired and not past its review date on ``today``
    (so an overdue note hides the card before ``flask subjects expire`` runs).
    Everyone else sees none.
    """
    query = select(Subject)
    role = user.role_enum
    if role in POLICE_ROLES:
        return query
    if role in MEMBERS:
        return query.where(
            exists().where(RedFlagNote.subject_id == Subject.id, _active_partnership(today))
        )
    return query.where(false())


def visible_notes(user: User, subject: Subject, today: date) -> Select[tuple[RedFlagNote]]:
    """The one rule for who sees which note of ``subject``, newest first.

    Police see every note, expired ones included (the history). Members see only
    active partnership notes on ``today``. Everyone else sees none. The caller must
    already have found ``subject`` through :func:`visible_subjects`.
    """
    query = (
        select(RedFlagNote)
        .where(RedFlagNote.subject_id == subject.id)
        .order_by(RedFlagNote.created_at.desc(), RedFlagNote.id.desc())
    )
    role = user.role_enum
    if role in POLICE_ROLES:
        return query
    if role in MEMBERS:
        return query.where(_active_partnership(today))
    return query.where(false())


def find_visible(user: User, subject_id: int, today: date) -> Subject | None:
    """The subject, if ``user`` may see it on ``today``; else None (the view answers 404)."""
    return db.session.scalar(visible_subjects(user, today).where(Subject.id == subject_id))


def find_note(subject: Subject, note_id: int) -> RedFlagNote | None:
    """A note of ``subject`` by id (for police pages; they see every note)."""
    return db.session.scalar(
        select(RedFlagNote).where(RedFlagNote.id == note_id, RedFlagNote.subject_id == subject.id)
    )


def personal_fields(user: User) -> frozenset[str]:
    """The personal fields ``user`` may see: all four for police; name and aliases for
    members only when SUBJECT_SHARE_NAME_WITH_MEMBERS is on; otherwise none."""
    if user.role_enum in POLICE_ROLES:
        return frozenset(SHAREABLE_PERSONAL + POLICE_ONLY_PERSONAL)
    if user.role_enum in MEMBERS and current_app.config["SUBJECT_SHARE_NAME_WITH_MEMBERS"]:
        return frozenset(SHAREABLE_PERSONAL)
    return frozenset()


def search(user: User, query_text: str, today: date, limit: int = 50) -> list[Subject]:
    """Subjects ``user`` may see matching ``query_text`` (reference and description; name
    and aliases too when ``user`` may see them), newest first, at most ``limit``."""
    query = visible_subjects(user, today)
    words = query_text.strip()
    if words:
        pattern = f"%{words.lower()}%"
        columns = [
            Subject.reference,
            Subject.description,
            Subject.clothing,
            Subject.distinguishing_features,
        ]
        shown = personal_fields(user)
        columns += [getattr(Subject, name) for name in SHAREABLE_PERSONAL if name in shown]
        query = query.where(or_(*[func.lower(column).like(pattern) for column in columns]))
    return list(db.session.scalars(query.order_by(Subject.id.desc()).limit(limit)))


@dataclass
class SubjectData:
    """What the subject form says, checked."""

    description: str
    apparent_sex: str = ""
    age_band: str = ""
    height: str = ""
    build: str = ""
    clothing: str = ""
    distinguishing_features: str = ""
    name: str = ""
    aliases: str = ""
    date_of_birth: date | None = None
    address: str = ""


SUBJECT_FIELDS = tuple(SubjectData.__dataclass_fields__)


def next_reference(year: int) -> str:
    """The next free reference of ``year``: RF-<year>-<4-digit sequence>."""
    prefix = f"RF-{year}-"
    last = db.session.scalar(
        select(func.max(Subject.reference)).where(Subject.reference.like(f"{prefix}%"))
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


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
