"""Section 35 directions to leave, given to one person under an authorisation, with their
variations and withdrawals (:class:`DirectionChange`). Police records, about people. Every
direction carries a version number (:class:`~partnership.core.locking.Versioned`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import User
from partnership.core.locking import Versioned
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.breaches.models import Breach

if TYPE_CHECKING:
    from partnership.subjects.models import Subject

# The kinds of change (:attr:`DirectionChange.kind`).
VARIED = "varied"
WITHDRAWN = "withdrawn"


class DispersalDirection(Versioned, db.Model):  # type: ignore[name-defined]
    """A Section 35 direction given to one person, with everything Section 38 requires to be
    recorded. Variations and withdrawals are :class:`DirectionChange` rows; the columns here
    hold what is in force now."""

    __tablename__ = "dispersal_directions"
    __table_args__ = (
        Index("ix_dispersal_directions_authorisation_id", "authorisation_id"),
        Index("ix_dispersal_directions_subject_id", "subject_id"),
        Index("ix_dispersal_directions_given_at_ends_at", "given_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    authorisation_id: Mapped[int] = mapped_column(ForeignKey("dispersal_authorisations.id"))
    # The person: a red flag, or entered here (name, date of birth or apparent age,
    # address, description).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="SET NULL"))
    person_name: Mapped[str] = mapped_column(String(200), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    apparent_age: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Where and when it was given, and by whom (a constable in uniform or a designated PCSO).
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    given_by_name: Mapped[str] = mapped_column(String(200))
    given_by_rank: Mapped[str] = mapped_column(String(20))
    in_uniform: Mapped[bool] = mapped_column(Boolean, default=False)
    # The excluded area: the authorised locality (geometry None) or a part of it.
    excluded_geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    excluded_description: Mapped[str] = mapped_column(Text)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    leave_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    route: Mapped[str] = mapped_column(Text, default="")
    # Section 37: items surrendered, and how to get them back.
    items_surrendered: Mapped[str] = mapped_column(Text, default="")
    items_return: Mapped[str] = mapped_column(Text, default="")
    in_writing: Mapped[bool] = mapped_column(Boolean, default=True)
    not_in_writing_reason: Mapped[str] = mapped_column(Text, default="")
    offence_warning_given: Mapped[bool] = mapped_column(Boolean, default=False)
    # For a person who appears under 16: taken_home, place_of_safety or not_taken.
    under_16_action: Mapped[str] = mapped_column(String(20), default="")
    under_16_note: Mapped[str] = mapped_column(Text, default="")
    # Section 36: what was asked before giving it (all answered "no" for it to be given).
    exemptions_checked: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    authorisation: Mapped[DispersalAuthorisation] = relationship(back_populates="directions")
    subject: Mapped[Subject | None] = relationship()
    given_by: Mapped[User | None] = relationship()
    changes: Mapped[list[DirectionChange]] = relationship(
        cascade="all, delete-orphan", order_by="DirectionChange.id"
    )
    breaches: Mapped[list[Breach]] = relationship(
        cascade="all, delete-orphan", order_by="Breach.occurred_at"
    )

    def active(self, moment: datetime) -> bool:
        return self.withdrawn_at is None and self.given_at <= moment < self.ends_at


class DirectionChange(db.Model):  # type: ignore[name-defined]
    """A variation or withdrawal of a direction, with its own notice (Section 35(9)): what
    changed, why, who and when; never past 48 hours from when the direction was first given."""

    __tablename__ = "direction_changes"
    __table_args__ = (Index("ix_direction_changes_direction_id", "direction_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction_id: Mapped[int] = mapped_column(
        ForeignKey("dispersal_directions.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20))  # varied / withdrawn
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_by_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    notice_in_writing: Mapped[bool] = mapped_column(Boolean, default=True)
    # What was in force before and after (ends_at, excluded area, leave_by, route).
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    changed_by: Mapped[User | None] = relationship()
