"""Red flags: a person whose behaviour worries the partnership, and the notes about them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.auth.models import Organisation, User
from partnership.core.description import DescribedPerson
from partnership.core.locking import Versioned
from partnership.core.models import StoredImage, UTCDateTime, utcnow
from partnership.extensions import db

if TYPE_CHECKING:
    from partnership.sightings.models import Sighting
    from partnership.welfare.models import SafeSpaceUse, WelfareNote


class Subject(Versioned, DescribedPerson, db.Model):  # type: ignore[name-defined]
    """A person of concern: a description everyone allowed may see, and personal
    details (name, aliases, date of birth, address) for police.

    Visibility is decided in :func:`partnership.subjects.visibility.visible_subjects`.
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
    # A profile found to be the same person as another: its notes, links and photos
    # moved there; the row stays so its reference still leads somewhere (police only).
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("subjects.id", ondelete="SET NULL")
    )
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Erased on a subject access or erasure request: every personal field emptied and
    # notes, links and photos deleted; the bare row keeps report counts whole.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    merged_into: Mapped[Subject | None] = relationship(remote_side=[id])
    notes: Mapped[list[RedFlagNote]] = relationship(
        cascade="all, delete-orphan", order_by="RedFlagNote.id.desc()"
    )
    links: Mapped[list[SubjectLink]] = relationship(
        cascade="all, delete-orphan", order_by="SubjectLink.id", back_populates="subject"
    )
    photos: Mapped[list[SubjectPhoto]] = relationship(
        cascade="all, delete-orphan", order_by="SubjectPhoto.id"
    )


class RedFlagNote(Versioned, db.Model):  # type: ignore[name-defined]
    """What was seen or known about a subject, shared with police or the partnership,
    until its review date; renewing it needs a reason.

    Visibility is decided in :func:`partnership.subjects.visibility.visible_notes`.
    """

    __tablename__ = "red_flag_notes"
    __table_args__ = (
        Index("ix_red_flag_notes_subject_id", "subject_id"),
        Index("ix_red_flag_notes_sharing_review_on", "sharing", "review_on"),
    )
    # Expiry is the review date passing, not an edit: a renewal opened before it still saves.
    unversioned = Versioned.unversioned | {"expired_at"}

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


class SubjectLink(db.Model):  # type: ignore[name-defined]
    """A sighting, Safe Space use or welfare note judged to be about a subject, by a person
    (never automatically); ``details_obtained`` when an officer required and got the
    person's details there."""

    __tablename__ = "subject_links"
    __table_args__ = (
        CheckConstraint(
            "CAST(sighting_id IS NOT NULL AS INTEGER)"
            " + CAST(safe_space_use_id IS NOT NULL AS INTEGER)"
            " + CAST(welfare_note_id IS NOT NULL AS INTEGER) = 1",
            name="one_record",
        ),
        UniqueConstraint(
            "subject_id", "sighting_id", name="uq_subject_links_subject_id_sighting_id"
        ),
        UniqueConstraint(
            "subject_id", "safe_space_use_id", name="uq_subject_links_subject_id_safe_space_use_id"
        ),
        UniqueConstraint(
            "subject_id", "welfare_note_id", name="uq_subject_links_subject_id_welfare_note_id"
        ),
        Index("ix_subject_links_sighting_id", "sighting_id"),
        Index("ix_subject_links_safe_space_use_id", "safe_space_use_id"),
        Index("ix_subject_links_welfare_note_id", "welfare_note_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    sighting_id: Mapped[int | None] = mapped_column(ForeignKey("sightings.id", ondelete="CASCADE"))
    safe_space_use_id: Mapped[int | None] = mapped_column(
        ForeignKey("safe_space_uses.id", ondelete="CASCADE")
    )
    welfare_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("welfare_notes.id", ondelete="CASCADE")
    )
    details_obtained: Mapped[bool] = mapped_column(Boolean, default=False)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    subject: Mapped[Subject] = relationship(back_populates="links")
    linked_by: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()
    sighting: Mapped[Sighting | None] = relationship()
    safe_space_use: Mapped[SafeSpaceUse | None] = relationship()
    welfare_note: Mapped[WelfareNote | None] = relationship()

    @property
    def record(self) -> Sighting | SafeSpaceUse | WelfareNote:
        found = self.sighting or self.safe_space_use or self.welfare_note
        if found is None:  # the one_record constraint forbids this
            raise LookupError(f"subject link {self.id} points at no record")
        return found


class SubjectPhoto(StoredImage, db.Model):  # type: ignore[name-defined]
    """A photo of a subject, added by police; members see it only where the
    partnership's data-sharing settings allow (SUBJECT_SHARE_PHOTO_WITH_MEMBERS)."""

    __tablename__ = "subject_photos"
    __table_args__ = (Index("ix_subject_photos_subject_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
