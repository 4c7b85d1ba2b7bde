"""Safe Space uses and welfare notes: where they may be recorded, and recording them (who
may see them: :mod:`.visibility`).

Functions add and flush and leave their audit event; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from partnership.auth.models import Organisation, User
from partnership.core import audit
from partnership.core.access import POLICE_ROLES
from partnership.core.catalogue import gettext as _
from partnership.core.enums import HandedTo, OrgKind
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.nights import night_of
from partnership.core.signals import handover_made
from partnership.core.statements import PerReader
from partnership.extensions import db
from partnership.venues.models import Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from partnership.welfare.visibility import (
    may_record_safe_space_at,
    safe_space_venue_rule,
    visible_safe_space_uses,
)

Record = TypeVar("Record", SafeSpaceUse, WelfareNote)

# A hand-over to one of these names a member organisation of the matching kind.
HANDOVER_KINDS: dict[str, OrgKind] = {
    HandedTo.STREET_PASTORS.value: OrgKind.STREET_PASTORS,
    HandedTo.WELFARE.value: OrgKind.WELFARE,
}

CHOOSE_VENUE = _l("Choose the venue")
VENUE_NOT_LISTED = _l("Choose a venue from the list")
NOT_YOUR_VENUE = _l("You can only record a Safe Space use at your own organisation's venues")
CHOOSE_PLACE = _l("Choose a venue or describe the place")
LEFT_BEFORE_ARRIVED = _l("They cannot have left before they arrived")
CHOOSE_HANDOVER_ORGANISATION = {
    HandedTo.STREET_PASTORS.value: _l("Choose which Street Pastors group you handed them to"),
    HandedTo.WELFARE.value: _l("Choose which welfare team you handed them to"),
}


def _no_safe_space(venue: Venue) -> str:
    # Translated now, as a plain string, so the venue's name is escaped where it is shown
    # (a lazy string would be marked safe as it is).
    return str(
        _("%(venue)s does not run a Safe Space. Choose a venue that does.", venue=venue.name)
    )


class Problem(NamedTuple):
    """An answer the rules refuse: the form field to show it on, and why."""

    field: str
    message: Any


class Refused(ValueError):
    """Raised by a record function given answers its rules refuse (nothing is written)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(p.field for p in problems))
        self.problems = problems


def _tonights_uses(user: User, night: date) -> Select[tuple[SafeSpaceUse]]:
    query = visible_safe_space_uses(user).where(SafeSpaceUse.night == night)
    if user.role_enum not in POLICE_ROLES:
        query = query.where(
            or_(
                SafeSpaceUse.organisation_id == user.organisation_id,
                SafeSpaceUse.handed_to_organisation_id == user.organisation_id,
            )
        )
    return query


def _newest_uses(user: User, night: date, limit: int) -> Select[tuple[SafeSpaceUse]]:
    query = _tonights_uses(user, night).options(joinedload(SafeSpaceUse.venue))
    return query.order_by(SafeSpaceUse.arrived_at.desc()).limit(limit)


def _uses_count(user: User, night: date) -> Select[tuple[int]]:
    counted = _tonights_uses(user, night).with_only_columns(SafeSpaceUse.id).order_by(None)
    return select(func.count()).select_from(counted.subquery())


# The dashboard shows both on every visit: built once per reader and night.
_kept_newest = PerReader(_newest_uses)
_kept_count = PerReader(_uses_count)


def tonights_safe_space_uses(user: User, now: datetime, limit: int = 50) -> list[SafeSpaceUse]:
    """Tonight's newest Safe Space uses for the dashboard, at most ``limit``, with their
    venues: the user's organisation's (those it wrote or was handed), or every one for
    police."""
    return list(db.session.scalars(_kept_newest(user, night_of(now), limit)))


def count_tonights_safe_space_uses(user: User, now: datetime) -> int:
    """How many :func:`tonights_safe_space_uses` would give with no limit."""
    return db.session.scalar(_kept_count(user, night_of(now))) or 0


def _by_key(model: type[Record], user: User, key: str) -> Record | None:
    return db.session.scalar(
        select(model).where(model.submission_key == key, model.author_id == user.id)
    )


def find_safe_space_use_by_key(user: User, key: str) -> SafeSpaceUse | None:
    """The Safe Space use this user already made from this form, if a tap was sent twice."""
    return _by_key(SafeSpaceUse, user, key)


def find_welfare_note_by_key(user: User, key: str) -> WelfareNote | None:
    """The welfare note this user already made from this form, if a tap was sent twice."""
    return _by_key(WelfareNote, user, key)


def safe_space_venues(user: User) -> list[Venue]:
    """The venues where ``user`` may record a Safe Space use, by name: active venues that
    run a Safe Space, and for bar and door staff only their own organisation's. Police
    may record at any of them; every other role at none."""
    query = select(Venue).where(
        Venue.active.is_(True), Venue.has_safe_space.is_(True), safe_space_venue_rule(user)
    )
    return list(db.session.scalars(query.order_by(Venue.name, Venue.id)))


def venues() -> list[Venue]:
    """Every active venue, by name: where a welfare note may say it happened."""
    query = select(Venue).where(Venue.active.is_(True)).order_by(Venue.name, Venue.id)
    return list(db.session.scalars(query))


def handover_organisations() -> list[Organisation]:
    """The active member organisations someone can be handed over to (Street Pastors
    groups and welfare teams), by name."""
    kinds = [kind.value for kind in HANDOVER_KINDS.values()]
    query = select(Organisation).where(Organisation.active.is_(True), Organisation.kind.in_(kinds))
    return list(db.session.scalars(query.order_by(Organisation.name)))


@dataclass(kw_only=True)
class PersonHelpedData:
    """Who was helped, the help given and who they were handed over to, as both forms say."""

    handed_to: str
    age_band: str = ""
    gender: str = ""
    support: list[str] = field(default_factory=list)
    handed_to_organisation_id: int | None = None
    notes: str = ""


@dataclass
class SafeSpaceUseData(PersonHelpedData):
    """What the form says, times already resolved to UTC."""

    venue_id: int | None
    arrived_at: datetime
    left_at: datetime | None = None
    reasons: list[str] = field(default_factory=list)


@dataclass
class WelfareNoteData(PersonHelpedData):
    """What the form says, the time already resolved to UTC."""

    occurred_at: datetime
    venue_id: int | None = None
    place: str = ""


def _person_helped(
    actor: User, data: PersonHelpedData, submission_key: str, digest: str | None
) -> dict[str, Any]:
    """The columns of :class:`~partnership.welfare.models.PersonHelped` for a new record
    by ``actor``: a hand-over to a member organisation shares the record with it, any
    other hand-over shares it with nobody."""
    return {
        "submission_key": submission_key,
        "submission_digest": digest,
        "organisation_id": actor.organisation_id,
        "author_id": actor.id,
        "age_band": data.age_band,
        "gender": data.gender,
        "support": sorted(set(data.support)),
        "handed_to": data.handed_to,
        "handed_to_organisation_id": _handed_to_organisation(
            data.handed_to, data.handed_to_organisation_id
        ),
        "notes": data.notes.strip(),
    }


def _handover_problems(handed_to: str, organisation_id: int | None) -> list[Problem]:
    kind = HANDOVER_KINDS.get(handed_to)
    if kind is None:
        return []
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or not organisation.active or organisation.kind != kind.value:
        return [Problem("handed_to_organisation_id", CHOOSE_HANDOVER_ORGANISATION[handed_to])]
    return []


def _handed_to_organisation(handed_to: str, organisation_id: int | None) -> int | None:
    # Only a hand-over to Street Pastors or a welfare team shares the record; an
    # organisation left chosen on the form after changing the answer is dropped.
    return organisation_id if handed_to in HANDOVER_KINDS else None


def safe_space_use_problems(actor: User, data: SafeSpaceUseData) -> list[Problem]:
    """Every rule ``data`` breaks, for ``actor``: the venue must be one they may record
    at (see :func:`safe_space_venues`), departure cannot come before arrival, and a
    hand-over to Street Pastors or a welfare team names an active organisation of
    that kind. Empty when it may be recorded."""
    problems = []
    venue = db.session.get(Venue, data.venue_id) if data.venue_id else None
    if data.venue_id is None:
        problems.append(Problem("venue_id", CHOOSE_VENUE))
    elif venue is None or not venue.active:
        problems.append(Problem("venue_id", VENUE_NOT_LISTED))
    elif not may_record_safe_space_at(actor, venue):
        problems.append(Problem("venue_id", NOT_YOUR_VENUE))
    elif not venue.has_safe_space:
        problems.append(Problem("venue_id", _no_safe_space(venue)))
    if data.left_at is not None and data.left_at < data.arrived_at:
        problems.append(Problem("left", LEFT_BEFORE_ARRIVED))
    problems.extend(_handover_problems(data.handed_to, data.handed_to_organisation_id))
    return problems


def _tell_handover(record: SafeSpaceUse | WelfareNote) -> None:
    """Send :data:`~partnership.core.signals.handover_made` when ``record`` hands the
    person over to a member organisation (the only hand-over anyone is told of)."""
    if record.handed_to_organisation_id is not None:
        handover_made.send(record, now=record.created_at)


def record_safe_space_use(
    actor: User, data: SafeSpaceUseData, submission_key: str, digest: str | None = None
) -> SafeSpaceUse:
    """Add a Safe Space use written by ``actor`` for their organisation, and audit it.
    ``digest`` is that of the answers the form's key came with
    (:mod:`partnership.core.submissions`).

    Raises :class:`Refused` without writing anything if the answers break a rule of
    :func:`safe_space_use_problems`. The night is the one the arrival falls in; a
    hand-over to a member organisation shares the record with it, any other
    hand-over shares it with nobody.
    """
    problems = safe_space_use_problems(actor, data)
    if problems:
        raise Refused(problems)
    use = SafeSpaceUse(
        **_person_helped(actor, data, submission_key, digest),
        venue_id=data.venue_id,
        arrived_at=data.arrived_at,
        left_at=data.left_at,
        night=night_of(data.arrived_at),
        reasons=sorted(set(data.reasons)),
    )
    db.session.add(use)
    db.session.flush()
    audit.record(
        "safe_space_use.created",
        actor=actor,
        object_type="safe_space_use",
        object_id=use.id,
        venue=use.venue_id,
        handed_to_organisation=use.handed_to_organisation_id,
    )
    _tell_handover(use)
    return use


def welfare_note_problems(data: WelfareNoteData) -> list[Problem]:
    """Every rule ``data`` breaks: it happened at an active venue or a described place,
    and a hand-over to Street Pastors or a welfare team names an active organisation
    of that kind. Empty when it may be recorded."""
    problems = []
    if data.venue_id is not None:
        venue = db.session.get(Venue, data.venue_id)
        if venue is None or not venue.active:
            problems.append(Problem("venue_id", VENUE_NOT_LISTED))
    elif not data.place.strip():
        problems.append(Problem("place", CHOOSE_PLACE))
    problems.extend(_handover_problems(data.handed_to, data.handed_to_organisation_id))
    return problems


def record_welfare_note(
    actor: User, data: WelfareNoteData, submission_key: str, digest: str | None = None
) -> WelfareNote:
    """Add a welfare note written by ``actor`` for their organisation, and audit it.
    ``digest`` is that of the answers the form's key came with
    (:mod:`partnership.core.submissions`).

    Raises :class:`Refused` without writing anything if the answers break a rule of
    :func:`welfare_note_problems`. The night is the one the moment falls in; a
    hand-over to a member organisation shares the note with it, any other hand-over
    shares it with nobody.
    """
    problems = welfare_note_problems(data)
    if problems:
        raise Refused(problems)
    note = WelfareNote(
        **_person_helped(actor, data, submission_key, digest),
        occurred_at=data.occurred_at,
        night=night_of(data.occurred_at),
        venue_id=data.venue_id,
        place=data.place.strip(),
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        "welfare_note.created",
        actor=actor,
        object_type="welfare_note",
        object_id=note.id,
        venue=note.venue_id,
        handed_to_organisation=note.handed_to_organisation_id,
    )
    _tell_handover(note)
    return note
