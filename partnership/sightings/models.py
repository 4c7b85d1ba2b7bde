"""Concerning-behaviour sightings, their behaviours, photos and correction history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import Organisation, User
from partnership.core.description import DescribedPerson
from partnership.core.locking import Versioned
from partnership.core.models import StoredImage, UTCDateTime, utcnow
from partnership.extensions import db
from partnership.venues.models import Area, Venue


class Sighting(Versioned, DescribedPerson, db.Model):  # type: ignore[name-defined]
    """What someone saw: the behaviour and the victim's response, not who the person is.

    Visibility is decided in :func:`partnership.sightings.visibility.visible_sightings`.
    """

    __tablename__ = "sightings"
    __table_args__ = (
        Index("ix_sightings_night_id", "night", "id"),
        Index("ix_sightings_organisation_id_night", "organisation_id", "night"),
        Index("ix_sightings_venue_id_night", "venue_id", "night"),
        Index("ix_sightings_area_id_night", "area_id", "night"),
        Index("ix_sightings_sharing_night", "sharing", "night"),
        Index("ix_sightings_author_id", "author_id"),
        # The partnership report counts details obtained by when, over a range.
        Index("ix_sightings_details_obtained_at", "details_obtained_at"),
        # The partnership report reads a range of nights from these alone, never the rows:
        # the hours of the "when" grid (and the record-level export's order), what the
        # victim did and what was done, and where. Each figure groups the night's entries in
        # the index's own order, so a year of a county is counted without a sort.
        # (The first also gives the dashboard tonight's newest sightings without a sort.)
        Index("ix_sightings_night_occurred_at_id", "night", "occurred_at", "id"),
        Index(
            "ix_sightings_night_victim_response_action_taken",
            "night",
            "victim_response",
            "action_taken",
        ),
        Index("ix_sightings_night_venue_id_place", "night", "venue_id", "latitude", "longitude"),
        # A key is the author's own: another person's form never collides with it.
        UniqueConstraint(
            "author_id", "submission_key", name="uq_sightings_author_id_submission_key"
        ),
    )
    # Police recording that they obtained the person's details is not a correction.
    unversioned = Versioned.unversioned | {"details_obtained_at"}

    id: Mapped[int] = mapped_column(primary_key=True)
    # The key a double-tapped submit sends twice: one record, not two; and a digest of the
    # answers it came with (partnership.core.submissions).
    submission_key: Mapped[str] = mapped_column(String(64))
    submission_digest: Mapped[str | None] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sharing: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    night: Mapped[date] = mapped_column(Date)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    place: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    other_behaviour: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    victim_response: Mapped[str] = mapped_column(String(30))
    action_taken: Mapped[str] = mapped_column(String(30))
    vulnerabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # When an officer required and obtained the person's details (a partnership measure);
    # kept when the subject they were recorded on is erased, so the count stays.
    details_obtained_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()
    venue: Mapped[Venue | None] = relationship()
    area: Mapped[Area | None] = relationship()
    behaviours: Mapped[list[SightingBehaviour]] = relationship(
        cascade="all, delete-orphan", order_by="SightingBehaviour.code"
    )
    photos: Mapped[list[Attachment]] = relationship(
        cascade="all, delete-orphan", order_by="Attachment.id"
    )
    revisions: Mapped[list[SightingRevision]] = relationship(
        cascade="all, delete-orphan", order_by="SightingRevision.id"
    )

    @property
    def behaviour_codes(self) -> list[str]:
        return [b.code for b in self.behaviours]


class SightingBehaviour(db.Model):  # type: ignore[name-defined]
    """One behaviour of a sighting: a row each, so lists filter by behaviour with an index.

    ``night`` repeats the sighting's night so the reports count behaviours over a range of
    nights from this table's own index, without joining a year of sightings. It is set with
    the behaviours (:func:`partnership.sightings.service._apply`), or from the sighting when
    a row is added without it.
    """

    __tablename__ = "sighting_behaviours"
    __table_args__ = (
        Index("ix_sighting_behaviours_code_sighting_id", "code", "sighting_id"),
        Index("ix_sighting_behaviours_night_code", "night", "code"),
    )

    sighting_id: Mapped[int] = mapped_column(
        ForeignKey("sightings.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    night: Mapped[date] = mapped_column(Date)


@event.listens_for(SightingBehaviour, "before_insert")
def _night_from_sighting(_mapper: Any, connection: Any, behaviour: SightingBehaviour) -> None:
    if behaviour.night is None:
        behaviour.night = connection.scalar(
            select(Sighting.night).where(Sighting.id == behaviour.sighting_id)
        )


class SightingRevision(db.Model):  # type: ignore[name-defined]
    """A correction: the fields before and after, who and when. Kept for the record's life."""

    __tablename__ = "sighting_revisions"
    __table_args__ = (Index("ix_sighting_revisions_sighting_id", "sighting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sighting_id: Mapped[int] = mapped_column(ForeignKey("sightings.id", ondelete="CASCADE"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)

    changed_by: Mapped[User | None] = relationship()


class Attachment(StoredImage, db.Model):  # type: ignore[name-defined]
    """A photo of a sighting."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_sighting_id", "sighting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sighting_id: Mapped[int] = mapped_column(ForeignKey("sightings.id", ondelete="CASCADE"))
