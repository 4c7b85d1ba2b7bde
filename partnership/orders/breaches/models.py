"""Breaches of orders: of a Section 35 direction, recorded by police, or of a partnership
exclusion notice, "seen at my venue" recorded by premises staff. Each belongs to exactly
one order; who may see one follows who may see its order
(:mod:`partnership.orders.breaches.visibility`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import User
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db
from partnership.venues.models import Venue


class Breach(db.Model):  # type: ignore[name-defined]
    """A breach: of a direction, recorded by police (outcome arrested, reported or warned),
    or of a partnership notice, "seen at my venue" recorded by premises staff."""

    __tablename__ = "breaches"
    __table_args__ = (
        CheckConstraint(
            "CAST(direction_id IS NOT NULL AS INTEGER)"
            " + CAST(notice_id IS NOT NULL AS INTEGER) = 1",
            name="one_order",
        ),
        Index("ix_breaches_direction_id", "direction_id"),
        Index("ix_breaches_notice_id", "notice_id"),
        Index("ix_breaches_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispersal_directions.id", ondelete="CASCADE")
    )
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("exclusion_notices.id", ondelete="CASCADE")
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(Text, default="")
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # Directions: arrested, reported, warned. Notices: what the venue did (refused_entry,
    # asked_to_leave, police_called).
    outcome: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    venue: Mapped[Venue | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
