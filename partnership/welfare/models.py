"""Safe Space uses at venues and Street Pastor / welfare patrol notes.

Visibility for both is decided in :mod:`partnership.welfare.visibility`: the author's
organisation, police, coordinators, and an organisation the person was handed to.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import Organisation, User
from partnership.core.locking import Versioned
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.venues.models import Venue


class SafeSpaceUse(Versioned, db.Model):  # type: ignore[name-defined]
    """Someone helped in a venue's Safe Space, without a name by default."""

    __tablename__ = "safe_space_uses"
    __table_args__ = (
        Index("ix_safe_space_uses_night_id", "night", "id"),
        Index("ix_safe_space_uses_organisation_id_night", "organisation_id", "night"),
        Index("ix_safe_space_uses_handed_to_organisation_id", "handed_to_organisation_id"),
        Index("ix_safe_space_uses_venue_id_night", "venue_id", "night"),
        UniqueConstraint(
            "author_id", "submission_key", name="uq_safe_space_uses_author_id_submission_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The author's key for the form and a digest of its answers (partnership.core.submissions).
    submission_key: Mapped[str] = mapped_column(String(64))
    submission_digest: Mapped[str | None] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    night: Mapped[date] = mapped_column(Date)
    age_band: Mapped[str] = mapped_column(String(20), default="")
    gender: Mapped[str] = mapped_column(String(20), default="")
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    support: Mapped[list[str]] = mapped_column(JSON, default=list)
    handed_to: Mapped[str] = mapped_column(String(30))
    handed_to_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    sighting_id: Mapped[int | None] = mapped_column(ForeignKey("sightings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    handed_to_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[handed_to_organisation_id]
    )
    author: Mapped[User | None] = relationship()
    venue: Mapped[Venue] = relationship()
    sighting: Mapped[Sighting | None] = relationship()


class WelfareNote(Versioned, db.Model):  # type: ignore[name-defined]
    """A patrol encounter: where, when, the help given and any hand-over."""

    __tablename__ = "welfare_notes"
    __table_args__ = (
        Index("ix_welfare_notes_night_id", "night", "id"),
        Index("ix_welfare_notes_organisation_id_night", "organisation_id", "night"),
        Index("ix_welfare_notes_handed_to_organisation_id", "handed_to_organisation_id"),
        UniqueConstraint(
            "author_id", "submission_key", name="uq_welfare_notes_author_id_submission_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The author's key for the form and a digest of its answers (partnership.core.submissions).
    submission_key: Mapped[str] = mapped_column(String(64))
    submission_digest: Mapped[str | None] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    night: Mapped[date] = mapped_column(Date)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    place: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    age_band: Mapped[str] = mapped_column(String(20), default="")
    gender: Mapped[str] = mapped_column(String(20), default="")
    support: Mapped[list[str]] = mapped_column(JSON, default=list)
    handed_to: Mapped[str] = mapped_column(String(30))
    handed_to_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    sighting_id: Mapped[int | None] = mapped_column(ForeignKey("sightings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    handed_to_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[handed_to_organisation_id]
    )
    author: Mapped[User | None] = relationship()
    venue: Mapped[Venue | None] = relationship()
    sighting: Mapped[Sighting | None] = relationship()
