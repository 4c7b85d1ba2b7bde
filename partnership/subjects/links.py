"""Red flags: linking sightings, Safe Space uses and welfare notes to subjects, the
suggestions explained in words, and "details obtained".

Nothing is ever linked automatically: suggestions only say why a person might want to.
Functions that change something add and flush and leave their audit event; the view
commits once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ColumnElement, Select, and_, case, exists, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.description import CODED_FIELDS, DescriptionMatch, match_description
from partnership.core.enums import POLICE_ROLES, Behaviour, NoteSharing, Role
from partnership.core.i18n import local_date
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.saving import Refused
from partnership.core.signals import subject_linked
from partnership.extensions import db
from partnership.sightings import service as sightings
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.subjects import service as subjects
from partnership.subjects.models import RedFlagNote, Subject, SubjectLink
from partnership.welfare import service as welfare
from partnership.welfare.models import SafeSpaceUse, WelfareNote

LinkedRecord = Sighting | SafeSpaceUse | WelfareNote

# The record kinds in URLs and audit events, and the link column pointing at each.
KINDS = ("sighting", "safe_space_use", "welfare_note")
# Who may open the link pages at all; which records each may link is :func:`can_link`.
LINKERS = (Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR)
FRONTLINE_MEMBERS = frozenset({Role.PREMISES_STAFF, Role.WELFARE})

# Suggestions: how far apart two nights may be, and bounds on the work done.
SUGGEST_NIGHTS = 3
SUGGESTION_LIMIT = 10
SCAN_LIMIT = 200  # rows read per kind of reason
REASONS_PER_KIND = 3  # sentences of one kind for one subject
# A merged profile points at the one it was merged into; a chain longer than this is a fault.

# The coded description fields as they read inside a sentence.
FIELD_NAMES = {
    "apparent_sex": _l("apparent sex"),
    "age_band": _l("age"),
    "height": _l("height"),
    "build": _l("build"),
}


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


def _column(kind: str) -> InstrumentedAttribute[int | None]:
    columns: dict[str, InstrumentedAttribute[int | None]] = {
        "sighting": SubjectLink.sighting_id,
        "safe_space_use": SubjectLink.safe_space_use_id,
        "welfare_note": SubjectLink.welfare_note_id,
    }
    return columns[kind]


def can_link(user: User, record: LinkedRecord) -> bool:
    """Police may link any record they can see; bar and door staff and welfare users only
    their own organisation's records; everyone else none. The caller must already have
    found ``record`` through :func:`find_record` (the visibility rule)."""
    role = user.role_enum
    if role in POLICE_ROLES:
        return True
    return role in FRONTLINE_MEMBERS and record.organisation_id == user.organisation_id


def can_unlink(user: User, link: SubjectLink) -> bool:
    """Police may remove any link; bar and door staff and welfare users the links their
    own organisation made."""
    role = user.role_enum
    if role in POLICE_ROLES:
        return True
    return role in FRONTLINE_MEMBERS and link.organisation_id == user.organisation_id


def find_record(user: User, kind: str, record_id: int) -> LinkedRecord | None:
    """The sighting, Safe Space use or welfare note if ``user`` may see it; None if not,
    or if ``kind`` is not one of :data:`KINDS`."""
    if kind == "sighting":
        return sightings.find_visible(user, record_id)
    if kind == "safe_space_use":
        return welfare.find_safe_space_use(user, record_id)
    if kind == "welfare_note":
        return welfare.find_welfare_note(user, record_id)
    return None


def find_subject(user: User, subject_id: int, today: date) -> Subject | None:
    """A subject ``user`` may see and link to (not merged into another, not erased)."""
    subject = subjects.find_visible(user, subject_id, today)
    if subject is None or subject.merged_into_id is not None:
        return None
    return subject


def find_by_reference(user: User, reference: str, today: date) -> Subject | None:
    """The subject with ``reference`` that ``user`` may see; an old reference of a merged
    profile leads to the one it was merged into, if ``user`` may see that."""
    found = subjects.find_by_reference(user, reference, today)
    if found is None or found.merged_into_id is None:
        return found
    return subjects.find_visible(user, found.merged_into_id, today)


def find_link(user: User, link_id: int, today: date) -> SubjectLink | None:
    """A link whose subject and record ``user`` may both see; else None (404)."""
    link = db.session.get(SubjectLink, link_id)
    if link is None:
        return None
    if subjects.find_visible(user, link.subject_id, today) is None:
        return None
    record = link.record
    if find_record(user, kind_of(record), record.id) is None:
        return None
    return link


def existing_link(subject: Subject, record: LinkedRecord) -> SubjectLink | None:
    return db.session.scalar(
        select(SubjectLink).where(
            SubjectLink.subject_id == subject.id, _column(kind_of(record)) == record.id
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
    if not can_link(actor, record):
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
    setattr(link, _column(kind).key, record.id)
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
    if not can_unlink(actor, link):
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
    visible = subjects.visible_subjects(user, today).with_only_columns(Subject.id)
    query = (
        select(SubjectLink)
        .where(_column(kind_of(record)) == record.id, SubjectLink.subject_id.in_(visible))
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
                SubjectLink.sighting_id.in_(
                    sightings.visible_sightings(user).with_only_columns(Sighting.id)
                ),
                SubjectLink.safe_space_use_id.in_(
                    welfare.visible_safe_space_uses(user).with_only_columns(SafeSpaceUse.id)
                ),
                SubjectLink.welfare_note_id.in_(
                    welfare.visible_welfare_notes(user).with_only_columns(WelfareNote.id)
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
        removable=frozenset(link.id for link in found if can_unlink(user, link)),
        can_link=can_link(user, record),
        can_record_details=isinstance(record, Sighting) and user.role_enum in POLICE_ROLES,
        kind=kind_of(record),
    )


# Suggestions ---------------------------------------------------------------------------


@dataclass
class Suggestion:
    """A subject that might be the person in a record, and why, in sentences."""

    subject: Subject
    reasons: list[str] = field(default_factory=list)


def _night(day: date) -> str:
    return local_date(day)


def _behaviour_labels(codes: set[str]) -> str:
    return ", ".join(Behaviour(code).label for code in Behaviour if code in codes)


def _field_names(match: DescriptionMatch) -> str:
    return ", ".join(str(FIELD_NAMES[name]) for name in match.fields)


def _candidates(user: User, today: date, linked: set[int]) -> Select[tuple[int]]:
    """Ids of the subjects that may be suggested to ``user``: visible, not merged into
    another (erased ones are never visible), not already linked to the record."""
    query = subjects.visible_subjects(user, today).where(Subject.merged_into_id.is_(None))
    if linked:
        query = query.where(Subject.id.not_in(linked))
    return query.with_only_columns(Subject.id)


def _base_sighting(user: User, record: LinkedRecord) -> Sighting | None:
    """The sighting whose venue, night and behaviours reason (1) compares: the record
    itself, or the sighting logged from a Safe Space use or welfare note if visible."""
    if isinstance(record, Sighting):
        return record
    if record.sighting_id is None:
        return None
    return sightings.find_visible(user, record.sighting_id)


def _same_venue_and_behaviour(
    user: User,
    record: LinkedRecord,
    base: Sighting,
    candidates: Select[tuple[int]],
    reasons: dict[int, list[str]],
) -> None:
    """Reason (1): linked to another sighting at the same venue within a few nights,
    with at least one behaviour in common."""
    codes = {code for code in base.behaviour_codes if code != Behaviour.OTHER.value}
    if base.venue_id is None or not codes:
        return
    query = (
        sightings.visible_sightings(user)
        .join(SubjectLink, SubjectLink.sighting_id == Sighting.id)
        .add_columns(SubjectLink.subject_id)
        .where(
            SubjectLink.subject_id.in_(candidates),
            Sighting.venue_id == base.venue_id,
            Sighting.night >= base.night - timedelta(days=SUGGEST_NIGHTS),
            Sighting.night <= base.night + timedelta(days=SUGGEST_NIGHTS),
            Sighting.id.in_(
                select(SightingBehaviour.sighting_id).where(SightingBehaviour.code.in_(codes))
            ),
        )
        .options(selectinload(Sighting.behaviours), joinedload(Sighting.venue))
        .order_by(Sighting.night.desc(), Sighting.id.desc())
        .limit(SCAN_LIMIT)
    )
    if isinstance(record, Sighting):
        query = query.where(Sighting.id != record.id)
    counted: dict[int, int] = defaultdict(int)
    for other, subject_id in db.session.execute(query).all():
        shared = codes & set(other.behaviour_codes)
        if not shared or counted[subject_id] >= REASONS_PER_KIND or other.venue is None:
            continue
        counted[subject_id] += 1
        reasons[subject_id].append(
            ngettext(
                "Linked to a sighting at %(venue)s on the night of %(night)s"
                " with the same behaviour: %(behaviours)s.",
                "Linked to a sighting at %(venue)s on the night of %(night)s"
                " with the same behaviours: %(behaviours)s.",
                len(shared),
                venue=other.venue.name,
                night=_night(other.night),
                behaviours=_behaviour_labels(shared),
            )
        )


def _compatible(model: type[Subject] | type[Sighting], record: Sighting) -> list[Any]:
    """SQL conditions a description must meet to possibly match ``record``'s (so only a
    bounded number of rows reach :func:`match_description`): no coded field disagrees,
    and at least two agree."""
    given = {name: getattr(record, name) for name in CODED_FIELDS if getattr(record, name)}
    agreeing = [case((getattr(model, name) == value, 1), else_=0) for name, value in given.items()]
    conditions: list[Any] = [
        or_(getattr(model, name) == "", getattr(model, name) == value)
        for name, value in given.items()
    ]
    conditions.append(sum(agreeing[1:], agreeing[0]) >= 2)
    return conditions


def _description_sentence(match: DescriptionMatch, other: Sighting | None) -> str:
    fields, words = _field_names(match), ", ".join(match.words)
    sentence: str
    if other is None and words:
        sentence = _(
            "The red flag's description agrees with this sighting on %(fields)s"
            " and shares the words %(words)s.",
            fields=fields,
            words=words,
        )
    elif other is None:
        sentence = _(
            "The red flag's description agrees with this sighting on %(fields)s.",
            fields=fields,
        )
    elif words:
        sentence = _(
            "A sighting linked to this red flag on the night of %(night)s agrees with this"
            " one on %(fields)s and shares the words %(words)s.",
            night=_night(other.night),
            fields=fields,
            words=words,
        )
    else:
        sentence = _(
            "A sighting linked to this red flag on the night of %(night)s agrees with this"
            " one on %(fields)s.",
            night=_night(other.night),
            fields=fields,
        )
    return sentence


def _matching_description(
    user: User,
    record: Sighting,
    today: date,
    linked: set[int],
    reasons: dict[int, list[str]],
) -> None:
    """Reason (2): the sighting's description matches the subject's own, or that of a
    sighting already linked to the subject (one ``user`` may see)."""
    if sum(1 for name in CODED_FIELDS if getattr(record, name)) < 2:
        return  # too sparse to match anything
    own = (
        subjects.visible_subjects(user, today)
        .where(Subject.merged_into_id.is_(None), *_compatible(Subject, record))
        .order_by(Subject.id.desc())
        .limit(SCAN_LIMIT)
    )
    if linked:
        own = own.where(Subject.id.not_in(linked))
    for subject in db.session.scalars(own):
        match = match_description(record, subject)
        if match is not None:
            reasons[subject.id].append(_description_sentence(match, None))
    others = (
        sightings.visible_sightings(user)
        .join(SubjectLink, SubjectLink.sighting_id == Sighting.id)
        .add_columns(SubjectLink.subject_id)
        .where(
            SubjectLink.subject_id.in_(_candidates(user, today, linked)),
            Sighting.id != record.id,
            *_compatible(Sighting, record),
        )
        .order_by(Sighting.night.desc(), Sighting.id.desc())
        .limit(SCAN_LIMIT)
    )
    counted: dict[int, int] = defaultdict(int)
    for other, subject_id in db.session.execute(others).all():
        match = match_description(record, other)
        if match is None or counted[subject_id] >= REASONS_PER_KIND:
            continue
        counted[subject_id] += 1
        reasons[subject_id].append(_description_sentence(match, other))


def _active_note(user: User, today: date) -> ColumnElement[bool]:
    """A subject (of the enclosing link) has a note active on ``today`` that ``user`` may
    see: any for police, a partnership note for members."""
    condition = and_(
        RedFlagNote.subject_id == SubjectLink.subject_id,
        RedFlagNote.expired_at.is_(None),
        RedFlagNote.review_on >= today,
    )
    if user.role_enum not in POLICE_ROLES:
        condition = and_(condition, RedFlagNote.sharing == NoteSharing.PARTNERSHIP.value)
    return exists().where(condition)


def _seen_at_venue(
    user: User,
    record: LinkedRecord,
    today: date,
    candidates: Select[tuple[int]],
    reasons: dict[int, list[str]],
) -> None:
    """Reason (3): a subject with active notes already linked to a record (one ``user``
    may see) at the record's venue; the latest such night is named."""
    venue = record.venue
    if venue is None:
        return
    latest: dict[int, date] = {}
    visible: list[tuple[Any, Select[Any], str]] = [
        (Sighting, sightings.visible_sightings(user), "sighting"),
        (SafeSpaceUse, welfare.visible_safe_space_uses(user), "safe_space_use"),
        (WelfareNote, welfare.visible_welfare_notes(user), "welfare_note"),
    ]
    for model, query, kind in visible:
        column = _column(kind)
        rows = (
            query.join(SubjectLink, column == model.id)
            .with_only_columns(SubjectLink.subject_id, model.night)
            .where(
                SubjectLink.subject_id.in_(candidates),
                model.venue_id == venue.id,
                _active_note(user, today),
            )
            .order_by(model.night.desc())
            .limit(SCAN_LIMIT)
        )
        if isinstance(record, model):
            rows = rows.where(model.id != record.id)
        for subject_id, night in db.session.execute(rows).all():
            if subject_id not in latest or night > latest[subject_id]:
                latest[subject_id] = night
    for subject_id, night in latest.items():
        reasons[subject_id].append(
            _(
                "Has active notes and was seen at %(venue)s on the night of %(night)s.",
                venue=venue.name,
                night=_night(night),
            )
        )


def suggestions(user: User, record: LinkedRecord, today: date) -> list[Suggestion]:
    """Subjects ``record`` might be about, each with its reasons in words, most reasons
    first, at most :data:`SUGGESTION_LIMIT`.

    Only subjects ``user`` may see, never one already linked to the record, merged into
    another or erased; every reason rests only on records ``user`` may see. The reasons:
    (1) linked to another sighting at the same venue within :data:`SUGGEST_NIGHTS`
    nights with a behaviour in common (for a Safe Space use or welfare note, the sighting
    logged from it is compared); (2) for a sighting, a matching description, the
    subject's own or a linked sighting's; (3) active notes and seen at the record's
    venue. Nothing is linked and nothing is written.
    """
    kind = kind_of(record)
    linked = set(
        db.session.scalars(select(SubjectLink.subject_id).where(_column(kind) == record.id)).all()
    )
    candidates = _candidates(user, today, linked)
    reasons: dict[int, list[str]] = defaultdict(list)
    base = _base_sighting(user, record)
    if base is not None:
        _same_venue_and_behaviour(user, record, base, candidates, reasons)
    if isinstance(record, Sighting):
        _matching_description(user, record, today, linked, reasons)
    _seen_at_venue(user, record, today, candidates, reasons)
    if not reasons:
        return []
    found = {
        subject.id: subject
        for subject in db.session.scalars(select(Subject).where(Subject.id.in_(list(reasons))))
    }
    ranked = sorted(found, key=lambda ident: (len(reasons[ident]), ident), reverse=True)
    return [Suggestion(found[ident], reasons[ident]) for ident in ranked[:SUGGESTION_LIMIT]]


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
