"""The partnership exclusion notice letter and the appeal outcome letter, as PDFs (the
frame: :mod:`partnership.orders.documents`)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from partnership.auth.models import User
from partnership.core.catalogue import gettext as _
from partnership.core.enums import DocumentLanguage
from partnership.orders.documents import produce, produced
from partnership.orders.notices.models import ExclusionNotice, NoticeAppeal


def notice_letter_pdf(
    actor: User, notice: ExclusionNotice, language: DocumentLanguage, now: datetime
) -> bytes:
    """The partnership exclusion notice letter: the reference, the person (their reference
    and description; their name only when SUBJECT_SHARE_NAME_WITH_MEMBERS is on, since
    the letter is shown at the venues; their latest photo only when the notice includes
    one and SUBJECT_SHARE_PHOTO_WITH_MEMBERS is on), the reasons, the incidents relied on
    (dates and venues), the start and end, every venue named at issue with its address,
    how to appeal and by when, the review date and the coordinator. One
    ``notice.document_produced`` audit event with the language and reference."""
    subject = notice.subject
    images: dict[str, tuple[bytes, str]] = {}
    if (
        notice.include_photo
        and current_app.config["SUBJECT_SHARE_PHOTO_WITH_MEMBERS"]
        and subject.photos
    ):
        latest = subject.photos[-1]
        images["photo"] = (latest.data, latest.content_type)
    incidents = [
        {
            "occurred_at": sighting.occurred_at,
            "where": sighting.venue.name if sighting.venue is not None else sighting.place,
        }
        for sighting in notice.incidents
    ]
    pdf = produce(
        "orders/pdf/notice_letter.html",
        language,
        lambda: _("Exclusion notice %(reference)s", reference=notice.reference),
        images=images,
        n=notice,
        subject=subject,
        show_name=bool(current_app.config["SUBJECT_SHARE_NAME_WITH_MEMBERS"]),
        photo="photo" in images,
        incidents=incidents,
        printed_at=now,
    )
    produced(
        actor,
        "notice",
        notice.id,
        document="exclusion_notice_letter",
        reference=notice.reference,
        language=language,
        photo="photo" in images,
    )
    return pdf


def decided_appeal(notice: ExclusionNotice, appeal_id: int) -> NoticeAppeal | None:
    """The appeal ``appeal_id`` against ``notice`` if it has been decided (only a decided
    appeal has an outcome letter); else None."""
    for appeal in notice.appeals:
        if appeal.id == appeal_id and appeal.outcome:
            return appeal
    return None


def appeal_outcome_pdf(
    actor: User,
    notice: ExclusionNotice,
    appeal: NoticeAppeal,
    language: DocumentLanguage,
    now: datetime,
) -> bytes:
    """The letter with the outcome of an appeal against ``notice``: the notice reference,
    when the appeal was received, its grounds, the outcome and its reasons, what happens
    now and who decided. ``appeal`` must be one of the notice's decided appeals
    (:func:`decided_appeal`). One ``notice.document_produced`` audit event with the
    language, the notice reference and the appeal."""
    if appeal.notice_id != notice.id or not appeal.outcome:
        raise ValueError("an outcome letter needs a decided appeal against this notice")
    pdf = produce(
        "orders/pdf/appeal_outcome.html",
        language,
        lambda: _("Appeal outcome for exclusion notice %(reference)s", reference=notice.reference),
        n=notice,
        appeal=appeal,
        printed_at=now,
    )
    produced(
        actor,
        "notice",
        notice.id,
        document="appeal_outcome_letter",
        reference=notice.reference,
        language=language,
        appeal_id=appeal.id,
    )
    return pdf
