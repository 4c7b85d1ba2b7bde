"""Who may see a breach: whoever may see the order it breaches."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, or_, select

from partnership.auth.models import User
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.directions.visibility import visible_directions
from partnership.orders.notices.models import ExclusionNotice
from partnership.orders.notices.visibility import visible_notices


def visible_breaches(user: User, today: date | ColumnElement[date]) -> Select[tuple[Breach]]:
    """Breaches of the directions and notices ``user`` may see (notices as on ``today``,
    which may be a bound parameter standing for the day)."""
    notice_ids = visible_notices(user, today).with_only_columns(ExclusionNotice.id)
    direction_ids = visible_directions(user).with_only_columns(DispersalDirection.id)
    return select(Breach).where(
        or_(Breach.notice_id.in_(notice_ids), Breach.direction_id.in_(direction_ids))
    )
