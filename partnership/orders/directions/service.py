"""Section 35 directions to leave: giving one, varying or withdrawing it with its own notice,
and breaches recorded by police.

:func:`give_direction` keeps every rule of :mod:`partnership.orders.directions.rules`,
refusing with the first broken one (:class:`~partnership.core.saving.Refused`, so nothing
is written). Functions add and flush, leave one audit event and tell their listeners
(:mod:`partnership.core.signals`); the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.enums import POLICE_ROLES, BreachOutcome, Exemption
from partnership.core.i18n import local_datetime
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.nights import LONDON, NonexistentTimeError, is_nonexistent, to_local
from partnership.core.references import next_reference
from partnership.core.saving import Refused
from partnership.core.signals import breach_recorded, direction_given
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation, running_after
from partnership.orders.authorisations.visibility import visible_authorisations
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import (
    VARIED,
    WITHDRAWN,
    DirectionChange,
    DispersalDirection,
)
from partnership.orders.directions.rules import (
    CHECKS,
    CLOCK_SLACK,
    MAX_EXCLUSION,
    DirectionData,
    check_leave_time,
    check_part,
    context_for,
)
from partnership.orders.directions.visibility import NOT_POLICE, rank_refusal

PREFIX = "S35"
# Authorisations offered on the form: in force now, or within this long before (a direction
# recorded a little after it was given).
RECENT = timedelta(hours=12)


@dataclass(frozen=True)
class VariationData:
    """The requirements as varied (all of them, changed or not) and the variation's notice."""

    ends_at: datetime | None
    whole_locality: bool
    excluded_geometry: dict[str, Any] | None
    excluded_description: str
    leave_by: datetime | None
    route: str
    reason: str
    notice_in_writing: bool


@dataclass(frozen=True)
class BreachData:
    occurred_at: datetime
    place: str
    outcome: str
    notes: str = ""


def authorisations_to_choose(user: User, now: datetime) -> list[DispersalAuthorisation]:
    """Authorisations to offer on the form: in force now or at some time in the last 12
    hours (a direction recorded soon after it was given), those in force now first."""
    since = now - RECENT
    found = list(
        db.session.scalars(
            visible_authorisations(user)
            .where(
                DispersalAuthorisation.starts_at <= now,
                DispersalAuthorisation.ends_at > since,
                running_after(since),
            )
            .order_by(DispersalAuthorisation.starts_at.desc(), DispersalAuthorisation.id.desc())
        )
    )
    return sorted(found, key=lambda a: not a.in_force(now))


def next_occurrence(clock: time, after: datetime) -> datetime:
    """The first moment at or after ``after`` that London clocks show ``clock`` (today or
    tomorrow): "leave by 01:45". On the night the clocks go back the earlier of the two
    01:30s that is not past is meant; a time skipped when they go forward raises
    :class:`~partnership.core.nights.NonexistentTimeError`."""
    local_day = to_local(after).date()
    for day in (local_day, local_day + timedelta(days=1)):
        wall = datetime.combine(day, clock)
        if is_nonexistent(wall):
            if wall.replace(tzinfo=LONDON).astimezone(UTC) >= after:
                raise NonexistentTimeError(wall.isoformat())
            continue
        for fold in (0, 1):
            moment = wall.replace(fold=fold, tzinfo=LONDON).astimezone(UTC)
            if moment >= after:
                return moment
    raise NonexistentTimeError(clock.isoformat())  # pragma: no cover (a day always has it)


def latest_end(direction: DispersalDirection) -> datetime:
    """The latest a direction can ever end: 48 hours from when it was first given."""
    return direction.given_at + MAX_EXCLUSION


def effective_end(direction: DispersalDirection) -> datetime:
    """When the direction stops (or stopped) binding: its end, or when it was withdrawn."""
    if direction.withdrawn_at is not None:
        return min(direction.ends_at, direction.withdrawn_at)
    return direction.ends_at


def status(direction: DispersalDirection, now: datetime) -> str:
    """``active``, ``withdrawn`` or ``ended``, for the pages' tags."""
    if direction.withdrawn_at is not None:
        return WITHDRAWN
    if now >= direction.ends_at:
        return "ended"
    return "active"


def give_direction(actor: User, data: DirectionData, now: datetime) -> DispersalDirection:
    """Record a Section 35 direction given by ``actor`` at ``data.given_at``.

    Guarantees, otherwise :class:`Refused` (the first rule broken) and nothing is added:
    ``actor`` is a constable (any rank) or a designated PCSO, confirmed in uniform; the
    authorisation was in force when it was given, and a place marked on the map is inside
    its locality; the person is a red flag ``actor`` can see or has a name or description,
    and a date of birth or apparent age; every section 36 question was answered "no" and
    the person is not under 10; the excluded area is the whole locality or a part inside
    it, described in words; it ends after it is given and within 48 hours; the time to
    leave by falls in between; items surrendered say how to get them back; a notice not
    in writing says why; the offence warning was given; for someone under 16, what was
    done is recorded. A red flag's name, date of birth, address and description fill in
    what was not entered, so the Section 38 record stands on its own. Adds, flushes and
    leaves one ``direction.given`` audit event, then sends :data:`direction_given`.
    """
    context = context_for(actor, data, now)
    for check in CHECKS:
        check(context)
    authorisation, ends_at = context.authorisation, context.ends_at()
    if authorisation is None or ends_at is None:  # the checks above refuse this
        raise ValueError("a direction needs its authorisation and end")
    subject = context.subject
    direction = DispersalDirection(
        reference=next_reference(DispersalDirection, PREFIX, to_local(data.given_at).year),
        authorisation_id=authorisation.id,
        subject_id=subject.id if subject is not None else None,
        person_name=data.person_name.strip() or (subject.name if subject else ""),
        date_of_birth=context.date_of_birth,
        apparent_age=data.apparent_age,
        address=data.address.strip() or (subject.address if subject else ""),
        description=data.description.strip() or (subject.description if subject else ""),
        given_at=data.given_at,
        place=data.place.strip(),
        latitude=data.latitude,
        longitude=data.longitude,
        given_by_id=actor.id,
        given_by_name=actor.name,
        given_by_rank=actor.rank or "",
        in_uniform=True,
        excluded_geometry=None if data.whole_locality else data.excluded_geometry,
        excluded_description=data.excluded_description.strip(),
        ends_at=ends_at,
        leave_by=data.leave_by,
        route=data.route.strip(),
        items_surrendered=data.items_surrendered.strip(),
        items_return=data.items_return.strip() if data.items_surrendered.strip() else "",
        in_writing=data.in_writing,
        not_in_writing_reason="" if data.in_writing else data.not_in_writing_reason.strip(),
        offence_warning_given=True,
        under_16_action=data.under_16_action,
        under_16_note=data.under_16_note.strip(),
        exemptions_checked={e.value: bool(data.exemptions.get(e.value)) for e in Exemption},
        created_at=now,
        updated_at=now,
    )
    db.session.add(direction)
    db.session.flush()
    audit.record(
        "direction.given",
        actor=actor,
        object_type="direction",
        object_id=direction.id,
        reference=direction.reference,
        authorisation=authorisation.reference,
        subject_id=direction.subject_id,
        given_at=direction.given_at.isoformat(),
        ends_at=direction.ends_at.isoformat(),
        whole_locality=direction.excluded_geometry is None,
        in_writing=direction.in_writing,
    )
    direction_given.send(direction, now=now)
    return direction


# --- Variation and withdrawal (section 35(9)) ----------------------------------------


def _requirements(direction: DispersalDirection) -> dict[str, Any]:
    """What a variation can change, as JSON (moments as ISO 8601 UTC)."""
    return {
        "ends_at": direction.ends_at.isoformat(),
        "excluded_geometry": direction.excluded_geometry,
        "excluded_description": direction.excluded_description,
        "leave_by": direction.leave_by.isoformat() if direction.leave_by else None,
        "route": direction.route,
    }


def _check_changeable(actor: User, direction: DispersalDirection, now: datetime) -> None:
    refusal = rank_refusal(actor)
    if refusal is not None:
        raise Refused(refusal)
    if direction.withdrawn_at is not None:
        raise Refused(
            _l(
                "This direction was withdrawn at %(when)s: it can no longer be varied or withdrawn",
                when=local_datetime(direction.withdrawn_at),
            )
        )
    if now >= direction.ends_at:
        raise Refused(
            _l(
                "This direction ended at %(when)s: it can no longer be varied or withdrawn",
                when=local_datetime(direction.ends_at),
            )
        )


def _check_notice(reason: str) -> None:
    if not reason.strip():
        raise Refused(
            _l("Give the reason, as you told the person in the notice of it"), field="reason"
        )


def _add_change(
    actor: User,
    direction: DispersalDirection,
    kind: str,
    reason: str,
    notice_in_writing: bool,
    *,
    before: dict[str, Any],
    after: dict[str, Any],
    now: datetime,
) -> DirectionChange:
    """Keep the record of a change ``actor`` made to ``direction`` at ``now`` (what was in
    force before and after, and the notice of it), and flush."""
    change = DirectionChange(
        direction_id=direction.id,
        kind=kind,
        changed_at=now,
        changed_by_id=actor.id,
        changed_by_name=actor.name,
        reason=reason.strip(),
        notice_in_writing=notice_in_writing,
        before=before,
        after=after,
    )
    direction.updated_at = now
    direction.changes.append(change)
    db.session.flush()
    return change


def vary_direction(
    actor: User,
    direction: DispersalDirection,
    data: VariationData,
    now: datetime,
) -> DirectionChange:
    """Vary ``direction`` at ``now``, with its own notice.

    Refused (nothing changed) unless ``actor`` may give directions; it has not been
    withdrawn nor ended; a reason is given; the new end is after now and never
    more than 48 hours from when the direction was first given; the area is the whole
    locality or a described part inside it; the time to leave by falls while it runs;
    and something changes. Adds a :class:`DirectionChange` with what was in force before
    and after, flushes and leaves one ``direction.varied`` audit event. (The form's
    version is checked by :func:`~partnership.core.saving.save_or_keep`.)
    """
    _check_changeable(actor, direction, now)
    _check_notice(data.reason)
    if data.ends_at is None:
        raise Refused(_l("Enter the date and time the direction ends"), field="ends_day")
    if data.ends_at > latest_end(direction):
        raise Refused(
            _l(
                "A direction can never last more than 48 hours from when it was first given:"
                " the latest it can end is %(latest)s",
                latest=local_datetime(latest_end(direction)),
            ),
            field="ends_day",
        )
    if data.ends_at <= now:
        raise Refused(
            _l("The new end must be in the future: to end it now, withdraw it instead"),
            field="ends_day",
        )
    check_part(
        direction.authorisation,
        data.whole_locality,
        data.excluded_geometry,
        data.excluded_description,
    )
    check_leave_time(data.leave_by, direction.given_at, data.ends_at, "leave_by_day")
    before = _requirements(direction)
    after = {
        "ends_at": data.ends_at.isoformat(),
        "excluded_geometry": None if data.whole_locality else data.excluded_geometry,
        "excluded_description": data.excluded_description.strip(),
        "leave_by": data.leave_by.isoformat() if data.leave_by else None,
        "route": data.route.strip(),
    }
    changed = sorted(name for name in after if after[name] != before[name])
    if not changed:
        raise Refused(
            _l(
                "Nothing was changed: change the end, the area, the time to leave by or the"
                " route, or go back"
            )
        )
    direction.ends_at = data.ends_at
    direction.excluded_geometry = None if data.whole_locality else data.excluded_geometry
    direction.excluded_description = data.excluded_description.strip()
    direction.leave_by = data.leave_by
    direction.route = data.route.strip()
    change = _add_change(
        actor,
        direction,
        VARIED,
        data.reason,
        data.notice_in_writing,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
        now=now,
    )
    audit.record(
        "direction.varied",
        actor=actor,
        object_type="direction",
        object_id=direction.id,
        reference=direction.reference,
        fields=changed,
        notice_in_writing=data.notice_in_writing,
    )
    return change


def withdraw_direction(
    actor: User,
    direction: DispersalDirection,
    reason: str,
    notice_in_writing: bool,
    now: datetime,
) -> DirectionChange:
    """Withdraw ``direction`` at ``now``, with its own notice: the person may return.

    Refused (nothing changed) unless ``actor`` may give directions; it has not been
    withdrawn already nor ended; and a reason is given. Adds a :class:`DirectionChange`,
    flushes and leaves one ``direction.withdrawn`` audit event. (The form's version is
    checked by :func:`~partnership.core.saving.save_or_keep`.)
    """
    _check_changeable(actor, direction, now)
    _check_notice(reason)
    direction.withdrawn_at = now
    change = _add_change(
        actor,
        direction,
        WITHDRAWN,
        reason,
        notice_in_writing,
        before={"withdrawn_at": None},
        after={"withdrawn_at": now.isoformat()},
        now=now,
    )
    audit.record(
        "direction.withdrawn",
        actor=actor,
        object_type="direction",
        object_id=direction.id,
        reference=direction.reference,
        notice_in_writing=notice_in_writing,
    )
    return change


# --- Breaches --------------------------------------------------------------------------


def record_breach(
    actor: User, direction: DispersalDirection, data: BreachData, now: datetime
) -> Breach:
    """Record that the person breached ``direction`` (an offence), seen by ``actor``.

    Refused (nothing added) unless ``actor`` is police; the time is not in the future and
    falls while the direction was in force (given, not yet ended or withdrawn); the place
    is given; and the outcome is arrested, reported or warned. Adds the breach, flushes
    and leaves one ``direction.breach_recorded`` audit event, then sends
    :data:`breach_recorded`.
    """
    if actor.role_enum not in POLICE_ROLES:
        raise Refused(NOT_POLICE)
    if data.occurred_at > now + CLOCK_SLACK:
        raise Refused(_l("The time cannot be in the future"), field="clock")
    end = effective_end(direction)
    if not direction.given_at <= data.occurred_at < end:
        raise Refused(
            _l(
                "A breach can only happen while the direction is in force: from %(start)s"
                " until %(end)s",
                start=local_datetime(direction.given_at),
                end=local_datetime(end),
            ),
            field="clock",
        )
    if not data.place.strip():
        raise Refused(_l("Say where they were seen"), field="place")
    if data.outcome not in {outcome.value for outcome in BreachOutcome}:
        raise Refused(_l("Choose what was done about the breach"), field="outcome")
    breach = Breach(
        direction_id=direction.id,
        occurred_at=data.occurred_at,
        place=data.place.strip(),
        recorded_by_id=actor.id,
        organisation_id=actor.organisation_id,
        outcome=data.outcome,
        notes=data.notes.strip(),
        created_at=now,
    )
    direction.breaches.append(breach)
    db.session.flush()
    audit.record(
        "direction.breach_recorded",
        actor=actor,
        object_type="direction",
        object_id=direction.id,
        reference=direction.reference,
        breach=breach.id,
        outcome=breach.outcome,
        occurred_at=breach.occurred_at.isoformat(),
    )
    breach_recorded.send(breach, now=now)
    return breach
