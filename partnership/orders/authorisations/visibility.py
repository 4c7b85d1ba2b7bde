"""Who may see Section 34 authorisations, and who may sign one.

The record is police only; everyone allowed tonight's page sees the areas and times in
force (:func:`areas_in_force`), never the record. Only an inspector (or above) may sign.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, false, select

from partnership.auth.models import User
from partnership.core.enums import POLICE_ROLES, Rank, Role
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation, running_after

# Everyone who may see the dispersal areas and times in force (never the people).
AREA_VIEWERS = frozenset(
    {Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR}
)
# Who may open the signing pages: officers too, so that the rank rule can explain itself
# rather than a bare "forbidden"; :func:`may_authorise` refuses anyone below inspector.
SIGNERS = frozenset({Role.OFFICER, Role.INSPECTOR})


def may_authorise(user: User) -> bool:
    """Section 34(1): only an officer of at least the rank of inspector."""
    return user.role_enum is Role.INSPECTOR and user.rank_enum is Rank.INSPECTOR


def visible_authorisations(user: User) -> Select[tuple[DispersalAuthorisation]]:
    """Section 34 records: police only (members see areas in force through
    :func:`areas_in_force`, never the record)."""
    query = select(DispersalAuthorisation)
    if user.role_enum in POLICE_ROLES:
        return query
    return query.where(false())


def find_visible_authorisation(user: User, authorisation_id: int) -> DispersalAuthorisation | None:
    """The authorisation, if ``user`` may see it; else None (the view answers 404)."""
    return db.session.scalar(
        visible_authorisations(user).where(DispersalAuthorisation.id == authorisation_id)
    )


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
                running_after(start),
            )
            .order_by(DispersalAuthorisation.starts_at)
        )
    )
