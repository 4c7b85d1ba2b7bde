"""Red flags: linking sightings, Safe Space uses and welfare notes to subjects, and
"details obtained" (the suggestions, explained in words, are in
:mod:`partnership.subjects.suggestions`).

Nothing is ever linked automatically: suggestions only say why a person might want to.
Functions that change something add and flush and leave their audit event; the view
commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.access import POLICE_ROLES
from partnership.core.catalogue import gettext as _
from partnership.core.saving import Refused
from partnership.core.signals import subject_linked
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.sightings.visibility import find_visible_sighting, visible_sightings
from partnership.subjects import service as subjects
from partnership.subjects.models import Subject, SubjectLink
from partnership.subjects.visibility import (
    find_visible_subject,
    may_link,
    may_unlink,
    visible_subjects,
)
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from partnership.welfare.visibility import (
    find_visible_safe_space_use,
    find_visible_welfare_note,
    visible_safe_space_uses,
    visible_welfare_notes,
)

LinkedRecord = Sighting | SafeSpaceUse | WelfareNote

# The record kinds in URLs and audit events, and the link column pointing at each.
KINDS = ("sighting", "safe_space_use", "welfare_note")

# A merged profile points at the one it was merged into; a chain longer than this is a fault.


class LinkRefused(Refused):
    """Raised when a link may not be made; ``message`` says why, for the person."""


class AlreadyLinked(LinkRefused):
    """The subject is already linked to the record: nothing was written."""

    def __init__(self, link: SubjectLink) -> None:
        super().__init__(
            _(
                "%(reference)s is already linked to this record.",
                reference=link.subject.reference,
            )
        )
        self.link = link


def kind_of(record: LinkedRecord) -> str:
    """``"sighting"``, ``"safe_space_use"`` or ``"welfare_note"``."""
    if isinstance(record, Sighting):
        return "sighting"
    if isinstance(record, SafeSpaceUse):
        return "safe_space_use"
    return "welfare_note"


def link_column(kind: str) -> InstrumentedAttribute[int | None]:
    """The column of :class:`SubjectLink` that points at a record of ``kind``."""
    columns: dict[str, InstrumentedAttribute[int | None]] = {
        "sighting": SubjectLink.sighting_id,
        "safe_space_use": SubjectLink.safe_space_use_id,
        "welfare_note": SubjectLink.welfare_note_id,
    }
    return columns[kind]


def find_record(user: User, kind: str, record_id: int) -> LinkedRecord | None:
    """The sighting, Safe Space use or welfare note if ``user`` may see it; None if not,
    or if ``kind`` is not one of :data:`KINDS`."""
    if kind == "sighting":
        return find_visible_sighting(user, record_id)
    if kind == "safe_space_use":
        return find_visible_safe_space_use(user, record_id)
    if kind == "welfare_note":
        return find_visible_welfare_note(user, record_id)
    return None


def find_subject(user: User, subject_id: int, today: date) -> Subject | None:
    """A subject ``user`` may see and link to (not merged into another, not erased)."""
    subject = find_visible_subject(user, subject_id, today)
    if subject is None or subject.merged_into_id is not None:
        return None
    return subject


def find_by_reference(user: User, reference: str, today: date) -> Subject | None:
    """The subject with ``reference`` that ``user`` may see; an old reference of a merged
    profile leads to the one it was merged into, if ``user`` may see that."""
    found = subjects.find_by_reference(user, reference, today)
    if found is None or found.merged_into_id is None:
        return found
    return find_visible_subject(user, found.merged_into_id, today)


def find_link(user: User, link_id: int, today: date) -> SubjectLink | None:
    """A link whose subject and record ``user`` may both see; else None (404)."""
    link = db.session.get(SubjectLink, link_id)
    if link is None:
        return None
    if find_visible_subject(user, link.subject_id, today) is None:
        return None
    record = link.record
    if find_record(user, kind_of(record), record.id) is None:
        return None
    return link


def existing_link(subject: Subject, record: LinkedRecord) -> SubjectLink | None:
    return db.session.scalar(
        select(SubjectLink).where(
            SubjectLink.subject_id == subject.id, link_column(kind_of(record)) == record.id
        )
    )


def link_record(
    actor: User,
    subject: Subject,
    record: LinkedRecord,
    reason: str,
    now: datetime,
    details_obtained: bool = False,
) -> SubjectLink:
    """Link ``record`` to ``subject`` as ``actor`` decided, with their reason (audited as
    the justification), and raise the alerts a new link causes.

    Raises :class:`AlreadyLinked` if the two are already linked, and
    :class:`LinkRefused` if ``actor`` may not link the record or the subject was merged
    or erased; nothing is written then.
    """
    if not may_link(actor, record):
        raise LinkRefused(_("You cannot link this record."))
    if subject.erased_at is not None or subject.merged_into_id is not None:
        raise LinkRefused(_("This red flag can no longer be linked."))
    existing = existing_link(subject, record)
    if existing is not None:
        raise AlreadyLinked(existing)
    kind = kind_of(record)
    link = SubjectLink(
        subject_id=subject.id,
        details_obtained=details_obtained,
        linked_by_id=actor.id,
        organisation_id=actor.organisation_id,
        linked_at=now,
    )
    setattr(link, link_column(kind).key, record.id)
    db.session.add(link)
    db.session.flush()
    audit.record(
        "subject.linked",
        actor=actor,
        object_type="subject",
        object_id=subject.id,
        justification=reason.strip(),
        record_type=kind,
        record_id=record.id,
        link=link.id,
        details_obtained=details_obtained,
    )
    subject_linked.send(link, now=now)
    return link


def unlink(actor: User, link: SubjectLink, now: datetime) -> None:
    """Remove a link (police, or staff of the organisation that made it); audited with
    what it joined. Raises :class:`LinkRefused` for anyone else."""
    if not may_unlink(actor, link):
        raise LinkRefused(_("You cannot remove this link."))
    record = link.record
    subject_id, link_id = link.subject_id, link.id
    db.session.delete(link)
    db.session.flush()
    audit.record(
        "subject.unlinked",
        actor=actor,
        object_type="subject",
        object_id=subject_id,
        record_type=kind_of(record),
        record_id=record.id,
        link=link_id,
        linked_at=link.linked_at.isoformat(),
        at=now.isoformat(),
    )


def links_for_record(user: User, record: LinkedRecord, today: date) -> list[SubjectLink]:
    """The links of ``record`` whose subject ``user`` may see, oldest first."""
    visible = visible_subjects(user, today).with_only_columns(Subject.id)
    query = (
        select(SubjectLink)
        .where(link_column(kind_of(record)) == record.id, SubjectLink.subject_id.in_(visible))
        .options(joinedload(SubjectLink.subject))
        .order_by(SubjectLink.id)
    )
    return list(db.session.scalars(query))


def links_for_subject(user: User, subject: Subject) -> list[SubjectLink]:
    """The links of ``subject`` whose record ``user`` may see, newest night first."""
    query = (
        select(SubjectLink)
        .where(
            SubjectLink.subject_id == subject.id,
            or_(
                SubjectLink.sighting_id.in_(visible_sightings(user).with_only_columns(Sighting.id)),
                SubjectLink.safe_space_use_id.in_(
                    visible_safe_space_uses(user).with_only_columns(SafeSpaceUse.id)
                ),
                SubjectLink.welfare_note_id.in_(
                    visible_welfare_notes(user).with_only_columns(WelfareNote.id)
                ),
            ),
        )
        .options(
            selectinload(SubjectLink.sighting).joinedload(Sighting.venue),
            selectinload(SubjectLink.safe_space_use).joinedload(SafeSpaceUse.venue),
            selectinload(SubjectLink.welfare_note).joinedload(WelfareNote.venue),
        )
    )
    found = list(db.session.scalars(query))
    found.sort(key=lambda link: (link.record.night, link.id), reverse=True)
    return found


@dataclass(frozen=True)
class RecordLinks:
    """The red flags section of a record's page, as ``user`` may see and change it."""

    links: list[SubjectLink]
    removable: frozenset[int]
    can_link: bool
    can_record_details: bool
    kind: str


def record_links(user: User, record: LinkedRecord, today: date) -> RecordLinks:
    """What a record's detail page shows about its links for ``user``."""
    found = links_for_record(user, record, today)
    return RecordLinks(
        links=found,
        removable=frozenset(link.id for link in found if may_unlink(user, link)),
        can_link=may_link(user, record),
        can_record_details=isinstance(record, Sighting) and user.role_enum in POLICE_ROLES,
        kind=kind_of(record),
    )


# Details obtained ----------------------------------------------------------------------


def record_details_obtained(
    actor: User,
    sighting: Sighting,
    now: datetime,
    *,
    subject: Subject | None = None,
    data: subjects.SubjectData | None = None,
    reason: str,
) -> SubjectLink:
    """An officer required and obtained the details of the person in ``sighting``: in
    one step, create a subject from ``data`` (or use the existing ``subject``), link it
    with ``details_obtained`` set, and stamp the sighting's ``details_obtained_at``
    (kept if already set). An existing link of the two is marked rather than refused.

    Police only: raises :class:`LinkRefused` for anyone else, and for an existing
    subject that was merged or erased; nothing is written then.
    """
    if actor.role_enum not in POLICE_ROLES:
        raise LinkRefused(_("Only police can record details obtained."))
    if subject is None and data is None:
        raise ValueError("record_details_obtained needs a subject or its data")
    created = subject is None
    if subject is None:
        assert data is not None  # noqa: S101 (checked above)
        subject = subjects.create_subject(actor, data, now)
    elif subject.erased_at is not None or subject.merged_into_id is not None:
        raise LinkRefused(_("This red flag can no longer be linked."))
    link = existing_link(subject, sighting)
    if link is None:
        link = link_record(actor, subject, sighting, reason, now, details_obtained=True)
    else:
        link.details_obtained = True
    if sighting.details_obtained_at is None:
        sighting.details_obtained_at = now
    db.session.flush()
    audit.record(
        "subject.details_obtained",
        actor=actor,
        object_type="subject",
        object_id=subject.id,
        justification=reason.strip(),
        sighting=sighting.id,
        link=link.id,
        created=created,
    )
    return link
