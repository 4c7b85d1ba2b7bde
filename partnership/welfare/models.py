"""Safe Space uses at venues and Street Pastor / welfare patrol notes.

Visibility for both is decided in :mod:`partnership.welfare.visibility`: the author's
organisation, police, coordinators, and an organisation the person was handed to.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declarative_mixin, declared_attr, mapped_column, relationship

from partnership.auth.models import Organisation, User
from partnership.core.locking import Versioned
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.venues.models import Venue


@declarative_mixin
class PersonHelped:
    """What a Safe Space use and a welfare note both hold: who wrote it for which
    organisation (and the form's key), the person helped (without a name), the help given,
    who they were handed over to and the sighting logged from it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The author's key for the form and a digest of its answers (partnership.core.submissions).
    submission_key: Mapped[str] = mapped_column(String(64))
    submission_digest: Mapped[str | None] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    age_band: Mapped[str] = mapped_column(String(20), default="")
    gender: Mapped[str] = mapped_column(String(20), default="")
    support: Mapped[list[str]] = mapped_column(JSON, default=list)
    handed_to: Mapped[str] = mapped_column(String(30))
    handed_to_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    sighting_id: Mapped[int | None] = mapped_column(ForeignKey("sightings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Two keys point at organisations: each relationship names its own, on the mapped
    # class ``cls`` (typed Any: mypy would read it as an instance of the mixin).
    @declared_attr
    def organisation(cls: Any) -> Mapped[Organisation]:
        return relationship(foreign_keys=lambda: [cls.organisation_id])

    @declared_attr
    def handed_to_organisation(cls: Any) -> Mapped[Organisation | None]:
        return relationship(foreign_keys=lambda: [cls.handed_to_organisation_id])

    @declared_attr
    def author(cls) -> Mapped[User | None]:
        return relationship()

    @declared_attr
    def sighting(cls) -> Mapped[Sighting | None]:
        return relationship()


class SafeSpaceUse(PersonHelped, Versioned, db.Model):  # type: ignore[name-defined]
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

    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    night: Mapped[date] = mapped_column(Date)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)

    venue: Mapped[Venue] = relationship()


class WelfareNote(PersonHelped, Versioned, db.Model):  # type: ignore[name-defined]
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

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    night: Mapped[date] = mapped_column(Date)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    place: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    venue: Mapped[Venue | None] = relationship()
