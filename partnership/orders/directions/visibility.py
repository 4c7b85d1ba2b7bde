"""Who may see Section 35 directions, and who may give or change one.

Directions are about people: police only. Giving or changing one takes a constable of
any rank, or a PCSO designated with the power (section 35(1) and the Police Reform Act
2002).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, select

from partnership.auth.models import User
from partnership.core.enums import POLICE_ROLES, Rank
from partnership.core.lazy import lazy_gettext as _l
from partnership.extensions import db
from partnership.orders.directions.models import DispersalDirection

# Section 35(1) and the Police Reform Act 2002: a constable (any rank), or a PCSO
# designated with the power.
CONSTABLE_RANKS = frozenset({Rank.CONSTABLE, Rank.SERGEANT, Rank.INSPECTOR})

NOT_POLICE = _l("Only police officers can give, change or record breaches of a direction")
NO_RANK = _l(
    "Your account has no police rank recorded, so you cannot give or change a direction."
    " Ask an administrator to add your rank."
)
PCSO_NOT_DESIGNATED = _l(
    "Only a constable or a designated PCSO can give or change a direction, and your account"
    " is not marked as designated. Ask a constable to give it."
)


def visible_directions(user: User) -> Select[tuple[DispersalDirection]]:
    """Section 35 records, about people: police only."""
    query = select(DispersalDirection)
    if user.role_enum in POLICE_ROLES:
        return query
    return query.where(false())


def find_visible_direction(user: User, direction_id: int) -> DispersalDirection | None:
    """The direction, if ``user`` may see it (police); else None (the view answers 404)."""
    return db.session.scalar(visible_directions(user).where(DispersalDirection.id == direction_id))


def rank_refusal(user: User) -> Any:
    """Why ``user`` may not give or change a direction, or None if they may: police, a
    constable of any rank, or a PCSO designated with the power."""
    if user.role_enum not in POLICE_ROLES:
        return NOT_POLICE
    rank = user.rank_enum
    if rank is None:
        return NO_RANK
    if rank is Rank.PCSO and not user.designated_pcso:
        return PCSO_NOT_DESIGNATED
    if rank is not Rank.PCSO and rank not in CONSTABLE_RANKS:
        return NO_RANK
    return None


def may_give(user: User) -> bool:
    return rank_refusal(user) is None
