"""The "Orders" section of a red flag's page: the directions, notices and breaches about
one person, as the reader may see them. Reading only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import selectinload

from partnership.auth.models import User
from partnership.extensions import db
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.directions.visibility import visible_directions
from partnership.orders.notices.models import ExclusionNotice
from partnership.orders.notices.service import same_person, status, status_label
from partnership.orders.notices.visibility import (
    manages_notices,
    notice_day,
    reads_notices,
    visible_notices,
)
from partnership.subjects.models import Subject


@dataclass(frozen=True)
class SubjectOrders:
    """The "Orders" section of a red flag's page, as ``user`` may see it."""

    directions: list[DispersalDirection]
    notices: list[ExclusionNotice]
    breaches: list[Breach]
    # Police and the coordinator open notices (and see every one, ended too).
    notice_links: bool
    can_issue: bool
    # The day notices are judged on (:func:`notice_day`).
    day: date

    @property
    def shown(self) -> bool:
        return bool(self.directions or self.notices or self.breaches or self.can_issue)

    def status(self, notice: ExclusionNotice) -> str:
        return status(notice, self.day)

    def status_label(self, notice: ExclusionNotice) -> str:
        return status_label(notice, self.day)


def subject_orders(user: User, subject: Subject, now: datetime) -> SubjectOrders:
    """Orders about ``subject`` for its page: Section 35 directions (police only, through
    :func:`visible_directions`); partnership notices through :func:`visible_notices`
    (police and the coordinator every one, with links; bar and door staff the active
    ones covering their venues, without links; welfare none); and the breaches of the
    directions and notices shown, for police and the coordinator."""
    day = notice_day(now)
    directions = list(
        db.session.scalars(
            visible_directions(user)
            .where(DispersalDirection.subject_id.in_(same_person(subject)))
            .options(selectinload(DispersalDirection.breaches))
            .order_by(DispersalDirection.given_at.desc(), DispersalDirection.id.desc())
        )
    )
    notices = list(
        db.session.scalars(
            visible_notices(user, day)
            .where(ExclusionNotice.subject_id.in_(same_person(subject)))
            .options(selectinload(ExclusionNotice.breaches).joinedload(Breach.venue))
            .order_by(ExclusionNotice.starts_on.desc(), ExclusionNotice.id.desc())
        )
    )
    readers = reads_notices(user)
    if not readers:
        notices = [notice for notice in notices if notice.active(day)]
    breaches: list[Breach] = []
    if readers:
        for direction in directions:
            breaches.extend(direction.breaches)
        for notice in notices:
            breaches.extend(notice.breaches)
        breaches.sort(key=lambda breach: (breach.occurred_at, breach.id), reverse=True)
    return SubjectOrders(
        directions=directions,
        notices=notices,
        breaches=breaches,
        notice_links=readers,
        can_issue=manages_notices(user) and subject.merged_into_id is None,
        day=day,
    )
