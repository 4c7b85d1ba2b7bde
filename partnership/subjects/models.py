"""Red flags: a person whose behaviour worries the partnership, and the notes about them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import Organisation, User
from partnership.core.description import DescribedPerson
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db


class Subject(DescribedPerson, db.Model):  # type: ignore[name-defined]
    """A person of concern: a description everyone allowed may see, and personal
    details (name, aliases, date of birth, address) for police.

    Visibility is decided in :func:`partnership.subjects.service.visible_subjects`.
    """

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str] = mapped_column(Text)
    # Police only.
    name: Mapped[str] = mapped_column(String(200), default="")
    aliases: Mapped[str] = mapped_column(Text, default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    notes: Mapped[list[RedFlagNote]] = relationship(
        cascade="all, delete-orphan", order_by="RedFlagNote.id.desc()"
    )


class RedFlagNote(db.Model):  # type: ignore[name-defined]
    """What was seen or known about a subject, shared with police or the partnership,
    until its review date; renewing it needs a reason.

    Visibility is decided in :func:`partnership.subjects.service.visible_notes`.
    """

    __tablename__ = "red_flag_notes"
    __table_args__ = (
        Index("ix_red_flag_notes_subject_id", "subject_id"),
        Index("ix_red_flag_notes_sharing_review_on", "sharing", "review_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    behaviours: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)
    sharing: Mapped[str] = mapped_column(String(20))
    source_evaluation: Mapped[str] = mapped_column(String(1), default="")
    intelligence_assessment: Mapped[str] = mapped_column(String(1), default="")
    handling_code: Mapped[str] = mapped_column(String(1), default="")
    review_on: Mapped[date] = mapped_column(Date)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()
    renewals: Mapped[list[NoteRenewal]] = relationship(
        cascade="all, delete-orphan", order_by="NoteRenewal.id"
    )

    def is_active(self, today: date) -> bool:
        """Not expired, and its review date not passed (even before ``flask subjects expire``)."""
        return self.expired_at is None and self.review_on >= today


class NoteRenewal(db.Model):  # type: ignore[name-defined]
    """A note kept for longer: who, when, why, and the review dates before and after."""

    __tablename__ = "note_renewals"
    __table_args__ = (Index("ix_note_renewals_note_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("red_flag_notes.id", ondelete="CASCADE"))
    renewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    previous_review_on: Mapped[date] = mapped_column(Date)
    new_review_on: Mapped[date] = mapped_column(Date)

    renewed_by: Mapped[User | None] = relationship()
