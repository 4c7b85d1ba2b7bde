"""Red flags: the subjects a record might be about, each with its reasons in words.

Nothing is ever linked automatically and nothing is written: suggestions only say why a
person might want to link (:mod:`partnership.subjects.links` makes the link).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from partnership.auth.models import User
from partnership.core.access import POLICE_ROLES
from partnership.core.catalogue import gettext as _
from partnership.core.catalogue import ngettext
from partnership.core.description import CODED_FIELDS, DescriptionMatch, match_description
from partnership.core.enums import Behaviour, NoteSharing
from partnership.core.i18n import local_date
from partnership.core.lazy import lazy_gettext as _l
from partnership.extensions import db
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.sightings.visibility import find_visible_sighting, visible_sightings
from partnership.subjects.links import LinkedRecord, kind_of, link_column
from partnership.subjects.models import RedFlagNote, Subject, SubjectLink
from partnership.subjects.visibility import visible_subjects
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from partnership.welfare.visibility import visible_safe_space_uses, visible_welfare_notes

# Suggestions: how far apart two nights may be, and bounds on the work done.
SUGGEST_NIGHTS = 3
SUGGESTION_LIMIT = 10
SCAN_LIMIT = 200  # rows read per kind of reason
REASONS_PER_KIND = 3  # sentences of one kind for one subject

# The coded description fields as they read inside a sentence.
FIELD_NAMES = {
    "apparent_sex": _l("apparent sex"),
    "age_band": _l("age"),
    "height": _l("height"),
    "build": _l("build"),
}


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
    query = visible_subjects(user, today).where(Subject.merged_into_id.is_(None))
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
    return find_visible_sighting(user, record.sighting_id)


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
        visible_sightings(user)
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
        visible_subjects(user, today)
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
        visible_sightings(user)
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
        (Sighting, visible_sightings(user), "sighting"),
        (SafeSpaceUse, visible_safe_space_uses(user), "safe_space_use"),
        (WelfareNote, visible_welfare_notes(user), "welfare_note"),
    ]
    for model, query, kind in visible:
        column = link_column(kind)
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
        db.session.scalars(
            select(SubjectLink.subject_id).where(link_column(kind) == record.id)
        ).all()
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
