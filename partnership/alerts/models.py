"""In-portal alerts: a pattern worth someone's attention, for an audience, read per person."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import Organisation
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.subjects.models import Subject
from partnership.venues.models import Venue


class Audience(StrEnum):
    """Who an alert is for (the ``audience`` column)."""

    POLICE = "police"
    COORDINATORS = "coordinators"
    ORGANISATION = "organisation"  # the staff of one member organisation


class AlertKind(StrEnum):
    """What an alert is about (the ``kind`` column)."""

    SUBJECT_LINKED = "subject_linked"
    BUSY_VENUE = "busy_venue"
    DESCRIPTION_RECURS = "description_recurs"
    SEEN_AT_YOUR_VENUE = "seen_at_your_venue"


class Alert(db.Model):  # type: ignore[name-defined]
    """Something the portal noticed, for police, for coordinators, or for one member
    organisation's staff (``audience``). It names records by reference only; what a
    reader is shown is decided when it is shown.

    Visibility is decided in :func:`partnership.alerts.visibility.visible_alerts`.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_audience_created_at", "audience", "created_at"),
        Index("ix_alerts_organisation_id_created_at", "organisation_id", "created_at"),
        Index("ix_alerts_subject_id", "subject_id"),
        Index("ix_alerts_sighting_id", "sighting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same pattern noticed twice is one alert: kind, audience and what it is about.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    sighting_id: Mapped[int | None] = mapped_column(ForeignKey("sightings.id", ondelete="CASCADE"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    night: Mapped[date | None] = mapped_column(Date)
    # Counts and ids the message needs (never free text about a person).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    subject: Mapped[Subject | None] = relationship()
    sighting: Mapped[Sighting | None] = relationship()
    venue: Mapped[Venue | None] = relationship()


class AlertRead(db.Model):  # type: ignore[name-defined]
    """One person has read (dismissed) one alert."""

    __tablename__ = "alert_reads"
    __table_args__ = (Index("ix_alert_reads_user_id", "user_id"),)

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
