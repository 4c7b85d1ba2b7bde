"""Section 34 dispersal authorisations: authorising a locality, and ending one early.

Every statutory rule of section 34 (DESIGN.md section 4) is one check here, with its own
message for the form field it is about. :func:`authorise` refuses with the first broken
rule (:class:`~partnership.core.saving.Refused`, so nothing is written);
:func:`authorisation_problems` lists every broken rule at once, for the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from partnership.auth.models import User
from partnership.core import audit, geo
from partnership.core.enums import Necessity
from partnership.core.i18n import local_datetime
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.nights import to_local
from partnership.core.references import next_reference
from partnership.core.saving import Refused
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.authorisations.visibility import may_authorise
from partnership.venues.models import Area

PREFIX = "S34"
# Section 34(5): an authorisation lasts no more than 48 hours.
MAX_DURATION = timedelta(hours=48)
# Authorised for now or ahead of a planned event, never back-dated: a start a few
# minutes ago is the form taking time to fill in, not a back-dated authorisation.
START_GRACE = timedelta(minutes=15)
MAX_AHEAD = timedelta(days=7)

RANK_REFUSAL = _l(
    "Only an inspector or above can authorise a dispersal area. Ask the duty inspector to"
    " authorise it."
)
END_RANK_REFUSAL = _l("Only an inspector or above can end an authorisation early")


@dataclass(frozen=True)
class AuthorisationData:
    """What an inspector enters: either an existing area (``area_id``) or a locality drawn
    or pasted for the purpose (``locality_name`` and GeoJSON ``geometry``); moments in UTC
    (None when not given)."""

    area_id: int | None
    locality_name: str
    geometry: str
    boundary: str
    starts_at: datetime | None
    ends_at: datetime | None
    necessity: list[str] = field(default_factory=list)
    grounds: str = ""
    echr_regard: str = ""
    confirmed: bool = False


@dataclass(frozen=True)
class Locality:
    area: Area | None
    name: str
    geometry: dict[str, Any]


def _check_rank(actor: User, data: AuthorisationData, now: datetime) -> None:
    if not may_authorise(actor):
        raise Refused(RANK_REFUSAL)


def _locality(data: AuthorisationData) -> Locality:
    """The locality chosen or drawn, or :class:`Refused` saying what is missing."""
    drawn = data.geometry.strip()
    if data.area_id is not None:
        area = db.session.scalar(select(Area).where(Area.id == data.area_id, Area.active.is_(True)))
        if area is None:
            raise Refused(
                _l("Choose one of the areas listed, or draw the locality on the map"),
                field="area_id",
            )
        if drawn:
            raise Refused(
                _l(
                    "Choose an area or draw a locality, not both: to use %(area)s, empty the"
                    " GeoJSON box",
                    area=area.name,
                ),
                field="area_id",
            )
        return Locality(area=area, name=area.name, geometry=area.geometry)
    if not drawn:
        raise Refused(
            _l("Choose an area, or draw the locality on the map or paste its GeoJSON"),
            field="area_id",
        )
    try:
        geometry = geo.parse_area_geometry(drawn)
    except geo.GeoError as error:
        raise Refused(error.message, field="geometry") from None
    name = data.locality_name.strip()
    if not name:
        raise Refused(
            _l("Enter a name for the locality you drew, like Wind Street and Castle Square"),
            field="locality_name",
        )
    return Locality(area=None, name=name, geometry=geometry)


def _check_locality(actor: User, data: AuthorisationData, now: datetime) -> None:
    _locality(data)


def _check_boundary(actor: User, data: AuthorisationData, now: datetime) -> None:
    if not data.boundary.strip():
        raise Refused(
            _l("Write out the streets that bound the locality: the paperwork lists them"),
            field="boundary",
        )


def _check_start(actor: User, data: AuthorisationData, now: datetime) -> None:
    if data.starts_at is None:
        raise Refused(_l("Enter the date and time the authorisation starts"), field="start_day")
    if data.starts_at < now - START_GRACE:
        raise Refused(
            _l(
                "The start cannot be more than 15 minutes ago: an authorisation starts now or later"
            ),
            field="start_time",
        )
    if data.starts_at > now + MAX_AHEAD:
        raise Refused(_l("The start must be within the next 7 days"), field="start_day")


def _check_end(actor: User, data: AuthorisationData, now: datetime) -> None:
    if data.ends_at is None:
        raise Refused(_l("Enter the date and time the authorisation ends"), field="end_day")
    if data.starts_at is None:
        return  # the start's own message says what to do
    if data.ends_at <= data.starts_at:
        raise Refused(_l("The end must be after the start"), field="end_time")
    if data.ends_at - data.starts_at > MAX_DURATION:
        raise Refused(
            _l(
                "An authorisation can last at most 48 hours: end it no later than %(latest)s",
                latest=local_datetime(data.starts_at + MAX_DURATION),
            ),
            field="end_time",
        )


def _check_necessity(actor: User, data: AuthorisationData, now: datetime) -> None:
    codes = {n.value for n in Necessity}
    if not data.necessity or any(code not in codes for code in data.necessity):
        raise Refused(
            _l(
                "Choose why the authorisation is necessary: to reduce harassment, alarm or"
                " distress, to reduce crime and disorder, or both"
            ),
            field="necessity",
        )


def _check_grounds(actor: User, data: AuthorisationData, now: datetime) -> None:
    if not data.grounds.strip():
        raise Refused(
            _l("Write the grounds: what has happened, and why dispersal powers are needed"),
            field="grounds",
        )


def _check_echr(actor: User, data: AuthorisationData, now: datetime) -> None:
    if not data.echr_regard.strip():
        raise Refused(
            _l(
                "Record the regard you have had to the rights to freedom of expression and"
                " of assembly (ECHR Articles 10 and 11)"
            ),
            field="echr_regard",
        )


def _check_confirmed(actor: User, data: AuthorisationData, now: datetime) -> None:
    if not data.confirmed:
        raise Refused(
            _l("Confirm that you authorise this: it signs the authorisation"), field="confirm"
        )


# In the order the form asks; the rank first, since nothing else matters without it.
CHECKS: tuple[Callable[[User, AuthorisationData, datetime], None], ...] = (
    _check_rank,
    _check_locality,
    _check_boundary,
    _check_start,
    _check_end,
    _check_necessity,
    _check_grounds,
    _check_echr,
    _check_confirmed,
)


def authorisation_problems(actor: User, data: AuthorisationData, now: datetime) -> list[Refused]:
    """Every rule ``data`` breaks (empty if it may be authorised), each a :class:`Refused`
    with its message and field, so a form can show them all at once."""
    problems: list[Refused] = []
    for check in CHECKS:
        try:
            check(actor, data, now)
        except Refused as refused:
            problems.append(refused)
    return problems


def authorise(actor: User, data: AuthorisationData, now: datetime) -> DispersalAuthorisation:
    """Record a Section 34 authorisation signed by ``actor`` at ``now``.

    Guarantees: ``actor`` is an inspector (or above); the locality is an active area (its
    name and shape copied, so later edits to the area do not move it) or a checked shape
    drawn for it, with the boundary streets written out; the period starts no more than
    15 minutes ago and within 7 days and lasts more than nothing and at most 48 hours;
    necessity, grounds and regard to ECHR Articles 10 and 11 are recorded; the inspector
    confirmed it. Otherwise :class:`Refused` (the first rule broken) and nothing is added.
    Adds, flushes and leaves one ``authorisation.created`` audit event.
    """
    for check in CHECKS:
        check(actor, data, now)
    starts_at, ends_at = data.starts_at, data.ends_at
    if starts_at is None or ends_at is None:  # the checks above refuse this
        raise ValueError("an authorisation needs its start and end")
    locality = _locality(data)
    authorisation = DispersalAuthorisation(
        reference=next_reference(DispersalAuthorisation, PREFIX, to_local(now).year),
        area_id=locality.area.id if locality.area else None,
        locality_name=locality.name,
        geometry=locality.geometry,
        boundary=data.boundary.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        necessity=[n.value for n in Necessity if n.value in data.necessity],
        grounds=data.grounds.strip(),
        echr_regard=data.echr_regard.strip(),
        authorised_by_id=actor.id,
        signed_name=actor.name,
        signed_rank=actor.rank or "",
        signed_at=now,
        created_at=now,
        updated_at=now,
    )
    db.session.add(authorisation)
    db.session.flush()
    audit.record(
        "authorisation.created",
        actor=actor,
        object_type="authorisation",
        object_id=authorisation.id,
        reference=authorisation.reference,
        locality=authorisation.locality_name,
        area_id=authorisation.area_id,
        starts_at=authorisation.starts_at.isoformat(),
        ends_at=authorisation.ends_at.isoformat(),
        necessity=authorisation.necessity,
    )
    return authorisation


def may_end(user: User, authorisation: DispersalAuthorisation, now: datetime) -> bool:
    """Whether the page should offer ``user`` the form to end ``authorisation`` early."""
    return may_authorise(user) and authorisation.ended_at is None and now < authorisation.ends_at


def end_early(
    actor: User,
    authorisation: DispersalAuthorisation,
    reason: str,
    now: datetime,
) -> DispersalAuthorisation:
    """End ``authorisation`` at ``now``, before its end: no direction can be given under it
    from then on (directions already given run their course).

    Refused (nothing changed) unless ``actor`` is an inspector (or above), it has not been
    ended already nor run out, and a reason is given. Flushes, leaves one
    ``authorisation.ended_early`` audit event and returns the authorisation. (The form's
    version is checked by :func:`~partnership.core.saving.save_or_keep`.)
    """
    if not may_authorise(actor):
        raise Refused(END_RANK_REFUSAL)
    if authorisation.ended_at is not None:
        raise Refused(
            _l(
                "This authorisation was already ended early, at %(when)s",
                when=local_datetime(authorisation.ended_at),
            )
        )
    if now >= authorisation.ends_at:
        raise Refused(
            _l(
                "This authorisation already ran out at %(when)s: there is nothing to end",
                when=local_datetime(authorisation.ends_at),
            )
        )
    if not reason.strip():
        raise Refused(_l("Give the reason for ending the authorisation early"), field="reason")
    authorisation.ended_at = now
    authorisation.ended_by_id = actor.id
    authorisation.end_reason = reason.strip()
    authorisation.updated_at = now
    db.session.flush()
    audit.record(
        "authorisation.ended_early",
        actor=actor,
        object_type="authorisation",
        object_id=authorisation.id,
        reference=authorisation.reference,
        ended_at=now.isoformat(),
        reason=authorisation.end_reason,
    )
    return authorisation


def status(authorisation: DispersalAuthorisation, now: datetime) -> str:
    """``in_force``, ``not_started``, ``ended_early`` or ``ended``, for the pages' tags."""
    if authorisation.in_force(now):
        return "in_force"
    if authorisation.ended_at is not None and authorisation.ended_at < authorisation.ends_at:
        return "ended_early"
    if now < authorisation.starts_at:
        return "not_started"
    return "ended"
