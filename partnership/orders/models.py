"""Orders: Section 34 dispersal authorisations, Section 35 directions with their variations
and withdrawals, partnership exclusion notices with their appeals, and breaches of both.

Section 34/35 records are police records (members see only the areas and times in force);
partnership exclusion notices are the coordinator's (member venues see who is excluded).
Visibility is decided in :mod:`partnership.orders.service`. Every order carries a version
number (:class:`~partnership.core.locking.Versioned`): a save based on an older version is
refused, never merged silently.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import User
from partnership.core.locking import Versioned
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.subjects.models import Subject
from partnership.venues.models import Area, Venue


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
