"""What the dashboard shows beyond tonight's records: the orders in force and the public
reports waiting for triage, for police, and this week against last week, for coordinators
and analysts. Reading only: nothing here
writes or audits (they are headline figures, suppressed as the report suppresses them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import load_only

from partnership.auth.models import User
from partnership.core.pagination import Shortlist, shortlist_of, shortlist_statement
from partnership.core.statements import PerReader
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.authorisations.visibility import visible_authorisations
from partnership.orders.breaches.models import Breach
from partnership.orders.breaches.visibility import visible_breaches
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.directions.visibility import visible_directions
from partnership.orders.notices.models import ExclusionNotice
from partnership.orders.notices.tonight import BREACHES_SINCE, DAY, NOW, moment_params
from partnership.orders.notices.visibility import visible_notices
from partnership.reports import figures
from partnership.reports.present import Figure, summary_figures
from partnership.triage import service as triage

# Each short list of orders on the dashboard shows at most this many.
DASHBOARD_ORDERS = 5


@dataclass(frozen=True)
class OrdersInForce:
    """Police: the orders binding now and the breaches of the last 7 days."""

    authorisations: Shortlist[Any]
    directions: Shortlist[Any]
    notices: Shortlist[Any]
    breaches: Shortlist[Any]
    # The order each breach belongs to, for its reference and link.
    breach_directions: dict[int, DispersalDirection]
    breach_notices: dict[int, ExclusionNotice]


Order = TypeVar("Order", DispersalDirection, ExclusionNotice)


def _by_id(model: type[Order], ids: set[int]) -> dict[int, Order]:
    """The orders with these ids, by id (none read when there are none)."""
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids)).options(load_only(model.reference))
    return {order.id: order for order in db.session.scalars(query)}


@dataclass(frozen=True)
class _Statements:
    authorisations: Select[Any]
    directions: Select[Any]
    notices: Select[Any]
    breaches: Select[Any]


def _statements(user: User) -> _Statements:
    """The dashboard's four short lists of orders as ``user`` may see them, each reading
    only what the dashboard shows of it (not an area's map, say)."""
    now, day = NOW, DAY
    authorisations = (
        visible_authorisations(user)
        .where(
            DispersalAuthorisation.starts_at <= now,
            DispersalAuthorisation.ends_at > now,
            or_(DispersalAuthorisation.ended_at.is_(None), DispersalAuthorisation.ended_at > now),
        )
        .options(
            load_only(
                DispersalAuthorisation.reference,
                DispersalAuthorisation.locality_name,
                DispersalAuthorisation.ends_at,
                DispersalAuthorisation.ended_at,
            )
        )
        .order_by(DispersalAuthorisation.ends_at, DispersalAuthorisation.id)
    )
    directions = (
        visible_directions(user)
        .where(
            DispersalDirection.withdrawn_at.is_(None),
            DispersalDirection.given_at <= now,
            DispersalDirection.ends_at > now,
        )
        .options(load_only(DispersalDirection.reference, DispersalDirection.ends_at))
        .order_by(DispersalDirection.ends_at, DispersalDirection.id)
    )
    notices = (
        visible_notices(user, day)
        .where(
            ExclusionNotice.lifted_at.is_(None),
            ExclusionNotice.starts_on <= day,
            ExclusionNotice.ends_on >= day,
        )
        .options(load_only(ExclusionNotice.reference, ExclusionNotice.ends_on))
        .order_by(ExclusionNotice.ends_on, ExclusionNotice.id)
    )
    breaches = (
        visible_breaches(user, day)
        .where(Breach.occurred_at >= BREACHES_SINCE, Breach.occurred_at <= now)
        .order_by(Breach.occurred_at.desc(), Breach.id.desc())
    )
    return _Statements(
        authorisations=shortlist_statement(authorisations, DASHBOARD_ORDERS),
        directions=shortlist_statement(directions, DASHBOARD_ORDERS),
        notices=shortlist_statement(notices, DASHBOARD_ORDERS),
        breaches=shortlist_statement(breaches, DASHBOARD_ORDERS),
    )


_kept_statements = PerReader(_statements)


def orders_in_force(user: User, now: datetime) -> OrdersInForce:
    """Section 34 authorisations in force at ``now``, Section 35 directions binding at
    ``now``, partnership notices active today and breaches of the last 7 days, as ``user``
    may see them (through the orders' own visibility rules), each soonest-ending first
    (breaches newest first), counted in full but listed :data:`DASHBOARD_ORDERS` at most."""
    statements = _kept_statements(user)
    params = moment_params(now)
    breaches = shortlist_of(statements.breaches, params)
    direction_ids = {b.direction_id for b in breaches.items if b.direction_id is not None}
    notice_ids = {b.notice_id for b in breaches.items if b.notice_id is not None}
    return OrdersInForce(
        authorisations=shortlist_of(statements.authorisations, params),
        directions=shortlist_of(statements.directions, params),
        notices=shortlist_of(statements.notices, params),
        breaches=breaches,
        breach_directions=_by_id(DispersalDirection, direction_ids),
        breach_notices=_by_id(ExclusionNotice, notice_ids),
    )


def public_reports_waiting(user: User, now: datetime, warning_hours: int) -> triage.Waiting:
    """Police: the new public reports, the oldest one's age and whether any has waited more
    than ``warning_hours`` (the queue's own function, so the two warnings always agree)."""
    return triage.waiting(user, now, warning_hours)


def this_week(role: str, now: datetime) -> tuple[figures.Period, tuple[Figure, ...]]:
    """The report's summary figures for this week, each beside last week's, as ``role`` may
    see them (counts of 1 to 4 as "<5" and their movement withheld unless police)."""
    period = figures.preset("this_week", now)
    performance = figures.build_report(period, now=now).performance

    return period, summary_figures(performance, role)
