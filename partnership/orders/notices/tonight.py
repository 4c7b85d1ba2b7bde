"""What tonight's exclusions page shows: the dispersal areas in force tonight, the people
excluded from a member's venues, and for police and the coordinator the orders in force,
those ending soon and recent breaches. Reading only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from partnership.auth.models import User
from partnership.core.enums import POLICE_ROLES
from partnership.core.nights import night_bounds, night_of
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.authorisations.visibility import areas_in_force
from partnership.orders.breaches.models import Breach
from partnership.orders.breaches.visibility import visible_breaches
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.directions.visibility import visible_directions
from partnership.orders.notices.models import ExclusionNotice
from partnership.orders.notices.service import ends_at
from partnership.orders.notices.visibility import (
    is_door_staff,
    notice_day,
    reads_notices,
    visible_notices,
)
from partnership.subjects.models import Subject

# Tonight's page: what police see as ending soon, and how far back breaches are listed.
EXPIRING_WITHIN = timedelta(hours=24)
RECENT_BREACHES = timedelta(days=7)


def _active_notices(user: User, day: date) -> list[ExclusionNotice]:
    return list(
        db.session.scalars(
            visible_notices(user, day)
            .join(Subject, Subject.id == ExclusionNotice.subject_id)
            .where(
                Subject.erased_at.is_(None),
                ExclusionNotice.lifted_at.is_(None),
                ExclusionNotice.starts_on <= day,
                ExclusionNotice.ends_on >= day,
            )
            .options(
                joinedload(ExclusionNotice.subject),
                selectinload(ExclusionNotice.venues),
            )
            .order_by(ExclusionNotice.ends_on, ExclusionNotice.id)
        )
    )


def _active_directions(user: User, now: datetime) -> list[DispersalDirection]:
    return list(
        db.session.scalars(
            visible_directions(user)
            .where(
                DispersalDirection.withdrawn_at.is_(None),
                DispersalDirection.given_at <= now,
                DispersalDirection.ends_at > now,
            )
            .options(joinedload(DispersalDirection.subject))
            .order_by(DispersalDirection.ends_at, DispersalDirection.id)
        )
    )


def _recent_breaches(user: User, now: datetime, day: date) -> list[Breach]:
    """Breaches since :data:`RECENT_BREACHES` ago of the directions and notices ``user``
    may see, newest first."""
    return list(
        db.session.scalars(
            visible_breaches(user, day)
            .where(Breach.occurred_at >= now - RECENT_BREACHES)
            .options(joinedload(Breach.venue))
            .order_by(Breach.occurred_at.desc(), Breach.id.desc())
        )
    )


Order = TypeVar("Order", ExclusionNotice, DispersalDirection)


def _by_id(model: type[Order], ids: set[int]) -> dict[int, Order]:
    """The ``model`` records with these ids (the breaches' own), by id."""
    if not ids:
        return {}
    return {
        record.id: record for record in db.session.scalars(select(model).where(model.id.in_(ids)))
    }


@dataclass
class Tonight:
    """Tonight's exclusions page for one user: only what their role may see is filled."""

    night: date
    areas: list[DispersalAuthorisation]
    # Door staff: the people excluded from their organisation's venues.
    excluded: list[ExclusionNotice] = field(default_factory=list)
    # Police: every direction in force; police and the coordinator: every notice in force.
    directions: list[DispersalDirection] = field(default_factory=list)
    notices: list[ExclusionNotice] = field(default_factory=list)
    expiring_directions: list[DispersalDirection] = field(default_factory=list)
    expiring_notices: list[ExclusionNotice] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    # The notice (or direction) each breach belongs to, for its reference and link.
    breach_notices: dict[int, ExclusionNotice] = field(default_factory=dict)
    breach_directions: dict[int, DispersalDirection] = field(default_factory=dict)

    @property
    def people_shown(self) -> int:
        return len(self.excluded) + len(self.directions) + len(self.notices)


def tonight(user: User, now: datetime) -> Tonight:
    """What tonight's exclusions page shows ``user`` at ``now``: the dispersal areas in
    force at any time of tonight's 18:00-06:00 window (everyone allowed the page:
    locality, boundary and times, never the people); for bar and door staff, the people
    excluded from their organisation's venues; for police, every direction and notice in
    force, those ending in the next 24 hours and the breaches of the last 7 days; for the
    coordinator, the notices in force and their recent breaches. Welfare users see only
    the areas."""
    night = night_of(now)
    bounds = night_bounds(night)
    shown = Tonight(night=night, areas=areas_in_force(user, bounds.start, bounds.end))
    day = notice_day(now)
    soon = now + EXPIRING_WITHIN
    if is_door_staff(user):
        shown.excluded = _active_notices(user, day)
    if reads_notices(user):
        shown.notices = _active_notices(user, day)
        shown.expiring_notices = [n for n in shown.notices if ends_at(n) <= soon]
        shown.breaches = _recent_breaches(user, now, day)
        shown.breach_notices = _by_id(
            ExclusionNotice, {b.notice_id for b in shown.breaches if b.notice_id is not None}
        )
    if user.role_enum in POLICE_ROLES:
        shown.directions = _active_directions(user, now)
        shown.expiring_directions = [d for d in shown.directions if d.ends_at <= soon]
        shown.breach_directions = _by_id(
            DispersalDirection,
            {b.direction_id for b in shown.breaches if b.direction_id is not None},
        )
    return shown
