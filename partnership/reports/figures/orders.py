"""Orders: Section 34 authorisations, Section 35 directions, partnership exclusion notices,
their breaches and appeals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select

from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.notices.models import ExclusionNotice, NoticeAppeal
from partnership.reports.figures.common import Count, Window, sum_where


@dataclass(frozen=True)
class OrderFigures:
    """Orders (never filtered): Section 34 authorisations starting, Section 35 directions
    given (withdrawn ones included), partnership notices issued, breaches of either, appeals
    received."""

    authorisations: Count
    directions: Count
    notices: Count
    breaches: Count
    direction_breaches: Count
    notice_breaches: Count
    appeals: Count


def _by_moment(column: Any, window: Window) -> Count:
    current, previous = window.split_moments(column)
    row = db.session.execute(select(current, previous).where(*window.moments(column))).one()
    return Count(int(row[0]), int(row[1]))


def order_figures(window: Window) -> OrderFigures:
    current = Breach.occurred_at >= window.bounds[1]
    of_direction = Breach.direction_id.is_not(None)
    breaches = db.session.execute(
        select(
            sum_where(and_(current, of_direction)),
            sum_where(and_(~current, of_direction)),
            sum_where(and_(current, ~of_direction)),
            sum_where(and_(~current, ~of_direction)),
        ).where(*window.moments(Breach.occurred_at))
    ).one()
    direction_breaches = Count(int(breaches[0]), int(breaches[1]))
    notice_breaches = Count(int(breaches[2]), int(breaches[3]))
    appeals_now, appeals_before = window.split_nights(NoticeAppeal.received_on)
    appeals = db.session.execute(
        select(appeals_now, appeals_before).where(*window.nights(NoticeAppeal.received_on))
    ).one()
    return OrderFigures(
        authorisations=_by_moment(DispersalAuthorisation.starts_at, window),
        directions=_by_moment(DispersalDirection.given_at, window),
        notices=_by_moment(ExclusionNotice.issued_at, window),
        breaches=direction_breaches + notice_breaches,
        direction_breaches=direction_breaches,
        notice_breaches=notice_breaches,
        appeals=Count(int(appeals[0]), int(appeals[1])),
    )
