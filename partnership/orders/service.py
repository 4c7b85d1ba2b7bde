"""Orders: who sees which order (one rule per kind), and references.

The services of each kind of order live beside this module (authorisations.py,
directions.py, notices.py); they add and flush and leave their audit event, and the view
commits once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, or_, select

from partnership.auth.models import User
from partnership.core.enums import POLICE_ROLES, Role
from partnership.extensions import db
from partnership.orders.models import (
    DispersalAuthorisation,
    DispersalDirection,
    ExclusionNotice,
    NoticeVenue,
)
from partnership.venues.models import Venue

# Everyone who may see the dispersal areas and times in force (never the people).
AREA_VIEWERS = frozenset(
    {Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR}
)
NOTICE_MANAGERS = frozenset({Role.COORDINATOR})
NOTICE_READERS = POLICE_ROLES | NOTICE_MANAGERS


def next_reference(model: Any, prefix: str, year: int) -> str:
    """The next free reference of ``year`` for ``model``: <prefix>-<year>-<4 digits>."""
    start = f"{prefix}-{year}-"
    last = db.session.scalar(
        select(func.max(model.reference)).where(model.reference.like(f"{start}%"))
    )
    number = int(last.removeprefix(start)) + 1 if last else 1
    return f"{start}{number:04d}"


def visible_authorisations(user: User) -> Select[tuple[DispersalAuthorisation]]:
    """Section 34 records: police only (members see areas in force through
    :func:`areas_in_force`, never the record)."""
    query = select(DispersalAuthorisation)
    if user.role_enum in POLICE_ROLES:
        return query
    return query.where(false())


def visible_directions(user: User) -> Select[tuple[DispersalDirection]]:
    """Section 35 records, about people: police only."""
    query = select(DispersalDirection)
    if user.role_enum in POLICE_ROLES:
        return query
    return query.where(false())


def _member_venue_ids(user: User) -> Select[tuple[int]]:
    return select(Venue.id).where(Venue.organisation_id == user.organisation_id)


def visible_notices(user: User, today: date) -> Select[tuple[ExclusionNotice]]:
    """Partnership exclusion notices: police and coordinators see every notice; bar and door
    staff see the notices active on ``today`` that cover one of their organisation's venues
    (the people excluded tonight); everyone else none."""
    query = select(ExclusionNotice)
    role = user.role_enum
    if role in NOTICE_READERS:
        return query
    if role is Role.PREMISES_STAFF:
        return query.where(
            ExclusionNotice.lifted_at.is_(None),
            ExclusionNotice.starts_on <= today,
            ExclusionNotice.ends_on >= today,
            exists().where(
                NoticeVenue.notice_id == ExclusionNotice.id,
                NoticeVenue.venue_id.in_(_member_venue_ids(user)),
            ),
        )
    return query.where(false())


def areas_in_force(user: User, start: datetime, end: datetime) -> list[DispersalAuthorisation]:
    """Authorisations in force at any time between ``start`` and ``end`` (not ended early
    before ``start``), for anyone who may see dispersal areas; their templates show the
    locality, the boundary and the times only."""
    if user.role_enum not in AREA_VIEWERS:
        return []
    return list(
        db.session.scalars(
            select(DispersalAuthorisation)
            .where(
                DispersalAuthorisation.starts_at < end,
                DispersalAuthorisation.ends_at > start,
                or_(
                    DispersalAuthorisation.ended_at.is_(None),
                    and_(
                        DispersalAuthorisation.ended_at > start,
                        DispersalAuthorisation.ended_at > DispersalAuthorisation.starts_at,
                    ),
                ),
            )
            .order_by(DispersalAuthorisation.starts_at)
        )
    )
