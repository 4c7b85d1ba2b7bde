"""Anonymous reports from the public: where someone felt unsafe, and the police's triage.

Nothing here records who sent a report: no address, browser, device or account. The photo,
if any, is re-encoded on upload (:mod:`partnership.core.uploads`). Contact details exist only
when the person asked to be contacted. Visibility is decided in
:func:`partnership.triage.visibility.visible_public_reports`: police only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import User
from partnership.core.enums import TriageStatus
from partnership.core.locking import Versioned
from partnership.core.models import StoredImage, UTCDateTime, utcnow
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.venues.models import Area, Venue


class PublicReport(Versioned, db.Model):  # type: ignore[name-defined]
    """What a member of the public told the partnership, and what the police did with it."""

    __tablename__ = "public_reports"
    __table_args__ = (
        Index("ix_public_reports_status_received_at", "status", "received_at"),
        Index("ix_public_reports_night", "night"),
        Index("ix_public_reports_venue_id_night", "venue_id", "night"),
        Index("ix_public_reports_area_id_night", "area_id", "night"),
    )
    # Who made the latest step, and when, is the audit trail's record of each step.
    unversioned = Versioned.unversioned | {"triaged_at", "triaged_by_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    # Given to the person on their receipt: random, so it says nothing of how many came before.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    # The key a double-tapped submit sends twice: one report, not two; and a digest of the
    # answers it came with (partnership.core.submissions). Reports have no author, so a
    # key is unique among all of them; other answers sent with one are refused, not lost.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    submission_digest: Mapped[str | None] = mapped_column(String(64))
    reporter: Mapped[str] = mapped_column(String(20))  # ReporterKind
    language: Mapped[str] = mapped_column(String(5))  # the language it was written in
    # Where: a venue from the list, a pin on the map, a description, or any of them.
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    place: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # When: the night (named by the date it starts, as everywhere) and roughly what time.
    night: Mapped[date] = mapped_column(Date)
    time_of_night: Mapped[str] = mapped_column(String(20))  # TimeOfNight
    other_behaviour: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Only when the person asked to be contacted.
    wants_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str] = mapped_column(Text, default="")
    contact_detail: Mapped[str] = mapped_column(Text, default="")
    contact_times: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Triage by the police.
    status: Mapped[str] = mapped_column(String(20), default=TriageStatus.NEW.value)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    urgent_action: Mapped[str] = mapped_column(Text, default="")  # what was done, when urgent
    triage_note: Mapped[str] = mapped_column(Text, default="")
    # The red flag card triage linked it to: a column only, read by partnership.triage (the
    # anonymous side knows nothing of red flags).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="SET NULL"))
    # The sighting it became, shared with the partnership.
    sighting_id: Mapped[int | None] = mapped_column(ForeignKey("sightings.id", ondelete="SET NULL"))

    venue: Mapped[Venue | None] = relationship()
    area: Mapped[Area | None] = relationship()
    triaged_by: Mapped[User | None] = relationship()
    sighting: Mapped[Sighting | None] = relationship()
    behaviours: Mapped[list[PublicReportBehaviour]] = relationship(
        cascade="all, delete-orphan", order_by="PublicReportBehaviour.code"
    )
    photo: Mapped[PublicReportPhoto | None] = relationship(
        cascade="all, delete-orphan", uselist=False
    )

    @property
    def behaviour_codes(self) -> list[str]:
        return [b.code for b in self.behaviours]


class PublicReportBehaviour(db.Model):  # type: ignore[name-defined]
    """One behaviour of a public report (the sightings' taxonomy): a row each, for counts."""

    __tablename__ = "public_report_behaviours"
    __table_args__ = (Index("ix_public_report_behaviours_code_report_id", "code", "report_id"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("public_reports.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class PublicReportPhoto(StoredImage, db.Model):  # type: ignore[name-defined]
    """The one photo a public report may carry, re-encoded without metadata."""

    __tablename__ = "public_report_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("public_reports.id", ondelete="CASCADE"), unique=True
    )
