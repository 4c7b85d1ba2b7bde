"""Appeals against partnership exclusion notices and their outcomes.

Functions add and flush and leave one audit event (object type "notice"); the view
commits once. A refusal raises :class:`~partnership.orders.notices.service.NoticeRefused`
before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from partnership.auth.models import User
from partnership.core import audit, locking
from partnership.core.catalogue import gettext as _
from partnership.core.enums import AppealOutcome
from partnership.extensions import db
from partnership.orders.notices.models import ExclusionNotice, NoticeAppeal
from partnership.orders.notices.service import (
    NoticeRefused,
    check_dates,
    check_manager,
    local_today,
)
from partnership.orders.notices.visibility import notice_day


def find_appeal(notice: ExclusionNotice, appeal_id: int) -> NoticeAppeal | None:
    """An appeal against ``notice`` by id."""
    return db.session.scalar(
        select(NoticeAppeal).where(
            NoticeAppeal.id == appeal_id, NoticeAppeal.notice_id == notice.id
        )
    )


@dataclass
class AppealData:
    """What the appeal form says."""

    received_on: date | None
    grounds: str


def record_appeal(
    actor: User, notice: ExclusionNotice, data: AppealData, now: datetime
) -> NoticeAppeal:
    """Record an appeal against ``notice`` received on a day from its issue to today, with
    its grounds; one undecided appeal at a time, and none against a lifted notice. An
    appeal received after the last day to appeal is recorded too (the audit event says
    it was late): whether to hear it is the partnership's decision. Recording one moves
    the notice's version on (its appeals changed), so two people recording an appeal at
    once cannot both succeed. Raises :class:`NoticeRefused`."""
    check_manager(actor)
    if notice.lifted_at is not None:
        raise NoticeRefused(_("This notice has been lifted, so there is nothing to appeal."))
    if any(not appeal.outcome for appeal in notice.appeals):
        raise NoticeRefused(_("An appeal against this notice is already waiting for a decision."))
    received_on = data.received_on
    if received_on is None:
        raise NoticeRefused(_("Enter the date the appeal was received"), "received_on")
    if received_on > local_today(now):
        raise NoticeRefused(
            _("The date the appeal was received cannot be in the future"), "received_on"
        )
    if received_on < local_today(notice.issued_at):
        raise NoticeRefused(
            _("The appeal cannot have been received before the notice was issued"),
            "received_on",
        )
    grounds = data.grounds.strip()
    if not grounds:
        raise NoticeRefused(_("Write the grounds of the appeal"), "grounds")
    appeal = NoticeAppeal(
        notice_id=notice.id,
        received_on=received_on,
        grounds=grounds,
        recorded_by_id=actor.id,
        created_at=now,
    )
    db.session.add(appeal)
    locking.changed(notice, "appeals")
    db.session.flush()
    db.session.expire(notice, ["appeals"])
    audit.record(
        "notice.appeal_recorded",
        actor=actor,
        object_type="notice",
        object_id=notice.id,
        appeal=appeal.id,
        received_on=received_on.isoformat(),
        late=received_on > notice.appeal_by,
    )
    return appeal


def decide_appeal(
    actor: User,
    appeal: NoticeAppeal,
    outcome: str,
    reason: str,
    now: datetime,
    *,
    ends_on: date | None = None,
    review_on: date | None = None,
) -> NoticeAppeal:
    """Record the outcome of an undecided appeal with its reason: ``upheld`` (the notice
    stands), ``varied`` (a new end date, and optionally a new review date, checked like
    an issue's) or ``overturned`` (the notice is lifted at ``now``). Every decision moves the
    notice's version on (its appeals changed), so two people deciding at once cannot both
    succeed; the form's version is checked by :func:`~partnership.core.saving.save_or_keep`.
    Raises :class:`NoticeRefused`."""
    check_manager(actor)
    notice = db.session.get(ExclusionNotice, appeal.notice_id)
    if notice is None:  # the foreign key forbids this
        raise LookupError(f"appeal {appeal.id} belongs to no notice")
    if appeal.outcome:
        raise NoticeRefused(_("This appeal has already been decided."))
    if notice.lifted_at is not None:
        raise NoticeRefused(_("This notice has already been lifted."))
    try:
        chosen = AppealOutcome(outcome)
    except ValueError:
        raise NoticeRefused(_("Choose the outcome of the appeal"), "outcome") from None
    reason = reason.strip()
    if not reason:
        raise NoticeRefused(_("Give the reason for the decision"), "reason")
    details: dict[str, Any] = {}
    if chosen is AppealOutcome.VARIED:
        if ends_on is None:
            raise NoticeRefused(_("Enter the new end date"), "ends_on")
        if ends_on < notice_day(now):
            raise NoticeRefused(
                _("The new end date cannot be before today: choose Overturned to lift it."),
                "ends_on",
            )
        ends_on, new_review = check_dates(notice.starts_on, ends_on, review_on or notice.review_on)
        details = {
            "before": {"ends_on": notice.ends_on.isoformat()},
            "after": {"ends_on": ends_on.isoformat()},
        }
        if new_review != notice.review_on:
            details["before"]["review_on"] = notice.review_on.isoformat()
            details["after"]["review_on"] = new_review.isoformat()
        if ends_on != notice.ends_on:
            notice.duration_months = None
        notice.ends_on = ends_on
        notice.review_on = new_review
    elif chosen is AppealOutcome.OVERTURNED:
        notice.lifted_at = now
        notice.lift_reason = reason
    appeal.outcome = chosen.value
    appeal.outcome_reason = reason
    appeal.decided_on = local_today(now)
    appeal.decided_by_id = actor.id
    appeal.decided_by_name = actor.name
    notice.updated_at = now
    locking.changed(notice, "appeals")
    db.session.flush()
    audit.record(
        "notice.appeal_decided",
        actor=actor,
        object_type="notice",
        object_id=notice.id,
        justification=reason,
        appeal=appeal.id,
        outcome=chosen.value,
        **details,
    )
    return appeal
