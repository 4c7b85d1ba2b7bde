"""Section 34 dispersal authorisations: a locality where an inspector allowed directions to
leave, for at most 48 hours. A police record; members see only the areas and times in
force (:func:`partnership.orders.authorisations.visibility.areas_in_force`). It carries a
version number (:class:`~partnership.core.locking.Versioned`): a save based on an older
version is refused, never merged silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, Text, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import User
from partnership.core.locking import Versioned
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db
from partnership.venues.models import Area

if TYPE_CHECKING:
    from partnership.orders.directions.models import DispersalDirection


class DispersalAuthorisation(Versioned, db.Model):  # type: ignore[name-defined]
    """A Section 34 authorisation: an inspector (or above) authorises the use of dispersal
    directions in a locality for at most 48 hours, in writing, with the grounds and a
    recorded regard to ECHR Articles 10 and 11, signed by the inspector's account."""

    __tablename__ = "dispersal_authorisations"
    __table_args__ = (
        Index("ix_dispersal_authorisations_starts_at_ends_at", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The locality: a copy of the shape at the time (an existing area's, or drawn for it).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    locality_name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The boundary written out street by street, for the paperwork.
    boundary: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # harassment_alarm_distress, crime_disorder or both (codes, JSON list).
    necessity: Mapped[list[str]] = mapped_column(JSON, default=list)
    grounds: Mapped[str] = mapped_column(Text)
    echr_regard: Mapped[str] = mapped_column(Text)
    authorised_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The signature: who (name and rank as they were) and when.
    signed_name: Mapped[str] = mapped_column(String(200))
    signed_rank: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    area: Mapped[Area | None] = relationship()
    authorised_by: Mapped[User | None] = relationship(foreign_keys=[authorised_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
    directions: Mapped[list[DispersalDirection]] = relationship(
        back_populates="authorisation", order_by="DispersalDirection.given_at"
    )

    def in_force(self, moment: datetime) -> bool:
        """Whether directions may be given under it at ``moment``."""
        end = min(self.ends_at, self.ended_at) if self.ended_at else self.ends_at
        return self.starts_at <= moment < end


def running_after(moment: datetime) -> ColumnElement[bool]:
    """Authorisations not ended early by ``moment`` (one ended before it started never
    ran): with their period, those in force at some time after ``moment``."""
    return or_(
        DispersalAuthorisation.ended_at.is_(None),
        and_(
            DispersalAuthorisation.ended_at > moment,
            DispersalAuthorisation.ended_at > DispersalAuthorisation.starts_at,
        ),
    )
