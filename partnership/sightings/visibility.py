"""Who may see which sighting, and who may correct one (DESIGN.md section 2).

Every list, detail, export and PDF of sightings reads through :func:`visible_sightings`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.sql.base import ExecutableOption

from partnership.core.access import FRONTLINE_MEMBERS, FRONTLINE_ROLES, POLICE_ROLES
from partnership.core.enums import Sharing
from partnership.core.models import utcnow
from partnership.extensions import db
from partnership.sightings.models import Sighting

if TYPE_CHECKING:
    from partnership.auth.models import User

# Who logs and reads sightings: the frontline.
SIGHTING_READERS = FRONTLINE_ROLES
# How long the author of a sighting may correct it.
CORRECTION_WINDOW = timedelta(hours=24)


def visible_sightings(user: User) -> Select[tuple[Sighting]]:
    """The one rule for who sees which sighting.

    Police see every sighting. Other frontline members see their own
    organisation's sightings shared with it, everything shared with the
    partnership, and what they wrote themselves. Everyone else sees none.
    """
    query = select(Sighting)
    role = user.role_enum
    if role in POLICE_ROLES:
        return query
    if role in FRONTLINE_MEMBERS:
        return query.where(
            or_(
                Sighting.sharing == Sharing.PARTNERSHIP.value,
                and_(
                    Sighting.sharing == Sharing.ORGANISATION.value,
                    Sighting.organisation_id == user.organisation_id,
                ),
                Sighting.author_id == user.id,
            )
        )
    return query.where(false())


def find_visible_sighting(
    user: User, sighting_id: int, *loading: ExecutableOption
) -> Sighting | None:
    """The sighting if ``user`` may see it, else None (the page then answers 404), with
    what ``loading`` asks to be loaded with it."""
    return db.session.scalar(
        visible_sightings(user).where(Sighting.id == sighting_id).options(*loading)
    )


def told_beyond_police() -> ColumnElement[bool]:
    """The sightings whose existence may be told to others than police, in counts and
    alerts (never what they say: who reads one is :func:`visible_sightings`): every one
    but a police-only sighting, whose existence is police business."""
    return Sighting.sharing != Sharing.POLICE.value


def is_told_beyond_police(sighting: Sighting) -> bool:
    """:func:`told_beyond_police` for one sighting in hand."""
    return sighting.sharing != Sharing.POLICE.value


def may_correct_sighting(user: User, sighting: Sighting, now: datetime | None = None) -> bool:
    """Police may correct any sighting they see; the author within 24 hours of writing it."""
    if user.role_enum in POLICE_ROLES:
        return True
    return sighting.author_id == user.id and (now or utcnow()) - sighting.created_at <= (
        CORRECTION_WINDOW
    )
