"""What tonight's exclusions page shows: the dispersal areas in force tonight, the people
excluded from a member's venues, and for police and the coordinator the orders in force,
those ending soon and recent breaches. Reading only."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.sql.elements import BindParameter

from partnership.auth.models import User
from partnership.core.enums import POLICE_ROLES
from partnership.core.nights import night_bounds, night_of
from partnership.core.pagination import Shortlist, shortlist_of, shortlist_statement
from partnership.core.statements import PerReader
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

T = TypeVar("T")
# A day or a moment, or a bound parameter standing for one.
Day = date | ColumnElement[date]
Moment = datetime | ColumnElement[datetime]


# Each list of the page shows at most this many: door staff page through the people
# excluded from their venues; police and the coordinator see the first of each list (the
# soonest to end, the newest breaches) and how many there are, with the full lists a link
# away. The page costs the same with 5 orders in force as with 500.
SHOWN = 10


def _notices_in_force(user: User, day: Day) -> Select[tuple[ExclusionNotice]]:
    """The notices in force on ``day`` that ``user`` may see, soonest to end first."""
    return (
        _in_force(user, day)
        .options(contains_eager(ExclusionNotice.subject))  # the join the rule already made
        .order_by(ExclusionNotice.ends_on, ExclusionNotice.id)
    )


def _people_excluded(user: User, day: date, page: int) -> Pagination:
    """Door staff's page ``page`` of the notices in force covering their venues, with the
    red flags' photos for the cards."""
    query = _notices_in_force(user, day).options(
        contains_eager(ExclusionNotice.subject).selectinload(Subject.photos)
    )
    return db.paginate(query, page=page, per_page=SHOWN, error_out=False)


def _in_force(user: User, day: Day) -> Select[tuple[ExclusionNotice]]:
    return (
        visible_notices(user, day)
        .join(Subject, Subject.id == ExclusionNotice.subject_id)
        .where(
            Subject.erased_at.is_(None),
            ExclusionNotice.lifted_at.is_(None),
            ExclusionNotice.starts_on <= day,
            ExclusionNotice.ends_on >= day,
        )
    )


def _ending_notices(user: User) -> Select[tuple[ExclusionNotice]]:
    """The notices in force that may stop covering anyone by the time ``soon``: a notice
    covers to 06:00 after the night of its last day, so only those ending tonight or
    tomorrow can (the caller keeps those that do)."""
    return (
        _in_force(user, DAY)
        .where(ExclusionNotice.ends_on <= _TOMORROW)
        .order_by(ExclusionNotice.ends_on, ExclusionNotice.id)
        .limit(SHOWN)
    )


def _directions_in_force(user: User, now: Moment) -> Select[tuple[DispersalDirection]]:
    return (
        visible_directions(user)
        .where(
            DispersalDirection.withdrawn_at.is_(None),
            DispersalDirection.given_at <= now,
            DispersalDirection.ends_at > now,
        )
        .options(joinedload(DispersalDirection.subject))
        .order_by(DispersalDirection.ends_at, DispersalDirection.id)
    )


def _recent_breaches(user: User) -> Select[tuple[Breach]]:
    """Breaches since :data:`RECENT_BREACHES` ago of the directions and notices ``user``
    may see, newest first."""
    return (
        visible_breaches(user, DAY)
        .where(Breach.occurred_at >= BREACHES_SINCE)
        .options(joinedload(Breach.venue))
        .order_by(Breach.occurred_at.desc(), Breach.id.desc())
    )


# The moment of a page and the days and times that follow from it, as parameters: each
# reader's statements of orders (here and on the dashboard) are built once
# (core.statements) and run with the values of :func:`moment_params`.
NOW: BindParameter[datetime] = bindparam("now")
DAY: BindParameter[date] = bindparam("day")
_TOMORROW: BindParameter[date] = bindparam("tomorrow")
_SOON: BindParameter[datetime] = bindparam("soon")
BREACHES_SINCE: BindParameter[datetime] = bindparam("since")


def moment_params(now: datetime) -> dict[str, Any]:
    """The values of the parameters above at ``now``."""
    day = notice_day(now)
    return {
        "now": now,
        "day": day,
        "tomorrow": day + timedelta(days=1),
        "soon": now + EXPIRING_WITHIN,
        "since": now - RECENT_BREACHES,
    }


@dataclass(frozen=True)
class _Statements:
    """The lists police and the coordinator see, as statements for one reader."""

    notices: Select[Any]
    ending_notices: Select[tuple[ExclusionNotice]]
    breaches: Select[Any]
    directions: Select[Any] | None = None
    expiring_directions: Select[tuple[DispersalDirection]] | None = None


def _statements(user: User) -> _Statements:
    notices = _Statements(
        notices=shortlist_statement(_notices_in_force(user, DAY), SHOWN),
        ending_notices=_ending_notices(user),
        breaches=shortlist_statement(_recent_breaches(user), SHOWN),
    )
    if user.role_enum not in POLICE_ROLES:
        return notices
    in_force = _directions_in_force(user, NOW)
    return replace(
        notices,
        directions=shortlist_statement(in_force, SHOWN),
        expiring_directions=in_force.where(DispersalDirection.ends_at <= _SOON).limit(SHOWN),
    )


_kept_statements = PerReader(_statements)


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
    """Tonight's exclusions page for one user: only what their role may see is filled.
    The lists of people and breaches are pages of at most :data:`SHOWN` (``.items``), with
    how many there are in all (``.total``)."""

    night: date
    areas: list[DispersalAuthorisation]
    # Door staff: the people excluded from their organisation's venues.
    excluded: Pagination | None = None
    # Police: the directions in force; police and the coordinator: the notices in force.
    directions: Shortlist[DispersalDirection] | None = None
    notices: Shortlist[ExclusionNotice] | None = None
    expiring_directions: list[DispersalDirection] = field(default_factory=list)
    expiring_notices: list[ExclusionNotice] = field(default_factory=list)
    breaches: Shortlist[Breach] | None = None
    # The notice (or direction) each breach belongs to, for its reference and link.
    breach_notices: dict[int, ExclusionNotice] = field(default_factory=dict)
    breach_directions: dict[int, DispersalDirection] = field(default_factory=dict)

    def shown_notices(self) -> list[ExclusionNotice]:
        return [*_items(self.excluded), *_items(self.notices)]

    def shown_directions(self) -> list[DispersalDirection]:
        return _items(self.directions)


def _items(part: Pagination | Shortlist[Any] | None) -> list[Any]:
    return list(part.items) if part is not None else []


def tonight(user: User, now: datetime, page: int = 1) -> Tonight:
    """What tonight's exclusions page shows ``user`` at ``now``: the dispersal areas in
    force at any time of tonight's 18:00-06:00 window (everyone allowed the page:
    locality, boundary and times, never the people); for bar and door staff, page ``page``
    of the people excluded from their organisation's venues; for police, the directions and
    notices in force, those ending in the next 24 hours and the breaches of the last 7
    days; for the coordinator, the notices in force and their recent breaches. Welfare
    users see only the areas."""
    night = night_of(now)
    bounds = night_bounds(night)
    shown = Tonight(night=night, areas=areas_in_force(user, bounds.start, bounds.end))
    day = notice_day(now)
    soon = now + EXPIRING_WITHIN
    if is_door_staff(user):
        shown.excluded = _people_excluded(user, day, page)
    if not reads_notices(user):
        return shown
    statements = _kept_statements(user)
    params = moment_params(now)
    shown.notices = shortlist_of(statements.notices, params)
    shown.expiring_notices = [
        notice
        for notice in db.session.scalars(statements.ending_notices, params)
        if ends_at(notice) <= soon
    ]
    shown.breaches = shortlist_of(statements.breaches, params)
    shown.breach_notices = _by_id(
        ExclusionNotice,
        {b.notice_id for b in shown.breaches.items if b.notice_id is not None},
    )
    if statements.directions is not None and statements.expiring_directions is not None:
        shown.directions = shortlist_of(statements.directions, params)
        shown.expiring_directions = list(db.session.scalars(statements.expiring_directions, params))
        shown.breach_directions = _by_id(
            DispersalDirection,
            {b.direction_id for b in shown.breaches.items if b.direction_id is not None},
        )
    return shown
