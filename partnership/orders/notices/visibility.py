"""Who may see partnership exclusion notices, and who may manage them.

Police and the coordinator see every notice; bar and door staff see the notices in force
tonight that cover one of their organisation's venues (the people excluded tonight), and
record that someone was seen at their venue; everyone else sees none. Only the
coordinator issues and changes notices.

A notice is judged by the night, like every other night record: it covers the whole night
of its last day, until 06:00 the next morning (:func:`notice_day`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, exists, false, select

from partnership.auth.models import User
from partnership.core.enums import POLICE_ROLES, Role
from partnership.core.nights import night_of
from partnership.extensions import db
from partnership.orders.notices.models import ExclusionNotice, NoticeVenue
from partnership.venues.models import Venue

# Who issues, varies and lifts notices and records their appeals.
NOTICE_MANAGERS = frozenset({Role.COORDINATOR})
# Who sees every notice, ended ones too, and the breaches of them.
NOTICE_READERS = POLICE_ROLES | NOTICE_MANAGERS
# Who records that someone excluded was seen at their venue.
VENUE_BREACH_RECORDERS = frozenset({Role.PREMISES_STAFF})
# Who may open a notice's photo: those who may see some notice (welfare see none).
PHOTO_VIEWERS = VENUE_BREACH_RECORDERS | NOTICE_READERS


def is_door_staff(user: User) -> bool:
    """Bar and door staff: they see the people excluded from their own venues tonight."""
    return user.role_enum in VENUE_BREACH_RECORDERS


def reads_notices(user: User) -> bool:
    """Whether ``user`` sees every notice (and opens them), not only tonight's."""
    return user.role_enum in NOTICE_READERS


def manages_notices(user: User) -> bool:
    """Whether ``user`` issues and changes notices."""
    return user.role_enum in NOTICE_MANAGERS


def notice_day(moment: datetime) -> date:
    """The day a notice is judged on at ``moment``: the night's date, so a notice whose
    last day is Friday still covers the small hours of Saturday, to 06:00."""
    return night_of(moment)


def _member_venue_ids(user: User) -> Select[tuple[int]]:
    return select(Venue.id).where(Venue.organisation_id == user.organisation_id)


def visible_notices(
    user: User, today: date | ColumnElement[date]
) -> Select[tuple[ExclusionNotice]]:
    """Partnership exclusion notices: police and coordinators see every notice; bar and door
    staff see the notices active on ``today`` that cover one of their organisation's venues
    (the people excluded tonight); everyone else none. ``today`` may be a bound parameter
    standing for the day, for a statement built once and run on many days."""
    query = select(ExclusionNotice)
    if reads_notices(user):
        return query
    if is_door_staff(user):
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


def find_visible_notice(user: User, notice_id: int, now: datetime) -> ExclusionNotice | None:
    """The notice if ``user`` may see it at ``now`` (:func:`visible_notices` on the
    :func:`notice_day` of ``now``); else None (the view answers 404)."""
    return db.session.scalar(
        visible_notices(user, notice_day(now)).where(ExclusionNotice.id == notice_id)
    )
