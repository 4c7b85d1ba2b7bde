"""Partnership (Pubwatch-style, civil) exclusion notices: the coordinator's, with the venues
they cover, the incidents they rely on and their appeals. Member venues see who is excluded
from them tonight. Every notice carries a version number
(:class:`~partnership.core.locking.Versioned`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import User
from partnership.core.locking import Versioned
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db
from partnership.orders.breaches.models import Breach
from partnership.venues.models import Venue

if TYPE_CHECKING:
    from partnership.sightings.models import Sighting
    from partnership.subjects.models import Subject


class ExclusionNotice(Versioned, db.Model):  # type: ignore[name-defined]
    """A partnership (Pubwatch-style, civil) exclusion notice: a person barred from every
    member venue for 3, 6 or 12 months or to a set date, for stated incidents, with the way
    to appeal and the review date."""

    __tablename__ = "exclusion_notices"
    __table_args__ = (
        Index("ix_exclusion_notices_subject_id", "subject_id"),
        Index("ix_exclusion_notices_starts_on_ends_on", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    # A warning given before, if there was one.
    warned_on: Mapped[date | None] = mapped_column(Date)
    warning_note: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    # 3, 6 or 12 months, or None with an end date chosen.
    duration_months: Mapped[int | None] = mapped_column(Integer)
    ends_on: Mapped[date] = mapped_column(Date)
    include_photo: Mapped[bool] = mapped_column(Boolean, default=False)
    appeal_by: Mapped[date] = mapped_column(Date)
    appeal_how: Mapped[str] = mapped_column(Text)
    review_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_by_name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lift_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    subject: Mapped[Subject] = relationship()
    issued_by: Mapped[User | None] = relationship()
    incidents: Mapped[list[Sighting]] = relationship(
        secondary="exclusion_notice_incidents", order_by="Sighting.occurred_at"
    )
    venues: Mapped[list[NoticeVenue]] = relationship(
        cascade="all, delete-orphan", order_by="NoticeVenue.venue_name"
    )
    appeals: Mapped[list[NoticeAppeal]] = relationship(
        cascade="all, delete-orphan", order_by="NoticeAppeal.id"
    )
    breaches: Mapped[list[Breach]] = relationship(
        cascade="all, delete-orphan", order_by="Breach.occurred_at"
    )

    def active(self, today: date) -> bool:
        return self.lifted_at is None and self.starts_on <= today <= self.ends_on


class ExclusionNoticeIncident(db.Model):  # type: ignore[name-defined]
    """A sighting a notice relies on."""

    __tablename__ = "exclusion_notice_incidents"

    notice_id: Mapped[int] = mapped_column(
        ForeignKey("exclusion_notices.id", ondelete="CASCADE"), primary_key=True
    )
    sighting_id: Mapped[int] = mapped_column(
        ForeignKey("sightings.id", ondelete="CASCADE"), primary_key=True
    )


class NoticeVenue(db.Model):  # type: ignore[name-defined]
    """A member venue a notice covers, as it was named when the notice was issued (the
    letter lists them; later changes to the venue list do not rewrite it)."""

    __tablename__ = "notice_venues"
    __table_args__ = (Index("ix_notice_venues_venue_id", "venue_id"),)

    notice_id: Mapped[int] = mapped_column(
        ForeignKey("exclusion_notices.id", ondelete="CASCADE"), primary_key=True
    )
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), primary_key=True)
    venue_name: Mapped[str] = mapped_column(String(200))
    venue_address: Mapped[str] = mapped_column(Text, default="")

    venue: Mapped[Venue] = relationship()


class NoticeAppeal(db.Model):  # type: ignore[name-defined]
    """An appeal against a notice and, once decided, its outcome."""

    __tablename__ = "notice_appeals"
    __table_args__ = (Index("ix_notice_appeals_notice_id", "notice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("exclusion_notices.id", ondelete="CASCADE"))
    received_on: Mapped[date] = mapped_column(Date)
    grounds: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # upheld (the notice stands), varied, overturned; empty while undecided.
    outcome: Mapped[str] = mapped_column(String(20), default="")
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
