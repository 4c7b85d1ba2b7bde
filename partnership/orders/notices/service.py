"""Partnership exclusion notices: issuing one, variation, lifting, expiry by date, "seen at
my venue" breaches recorded by member venues, and the notices list. Appeals are in
:mod:`partnership.orders.notices.appeals`; tonight's exclusions page in
:mod:`partnership.orders.notices.tonight`.

A notice is judged by the night, like every other night record: it covers the whole night
of its last day, until 06:00 the next morning
(:func:`~partnership.orders.notices.visibility.notice_day`). Dates a coordinator types
(start, end, review, appeal by) are calendar dates in Europe/London.

Functions that change something add and flush and leave one audit event (object type
"notice"); issuing a notice and recording a breach then tell their listeners
(:mod:`partnership.core.signals`); the view commits once. A refusal raises
:class:`NoticeRefused` (a :class:`~partnership.core.saving.Refused`) before anything is
written.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from partnership.auth.models import Organisation, User
from partnership.core import audit
from partnership.core.catalogue import gettext as _
from partnership.core.enums import Sharing, VenueBreachAction
from partnership.core.i18n import local_date
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.nights import night_bounds, to_local
from partnership.core.references import next_reference
from partnership.core.saving import Refused
from partnership.core.signals import breach_recorded, notice_issued
from partnership.extensions import db
from partnership.orders.breaches.models import Breach
from partnership.orders.notices.models import ExclusionNotice, NoticeVenue
from partnership.orders.notices.visibility import (
    is_door_staff,
    manages_notices,
    notice_day,
    visible_notices,
)
from partnership.sightings.models import Sighting
from partnership.subjects import links
from partnership.subjects.models import Subject, SubjectLink, SubjectPhoto
from partnership.subjects.visibility import photos_shown
from partnership.venues.models import Venue

REFERENCE_PREFIX = "PEN"
DURATIONS = (3, 6, 12)
MAX_MONTHS = 12
# The notices list shows the current notices a page at a time and this many of the most
# recently ended.
PAGE_SIZE = 25
ENDED_SHOWN = 50

STATUS_LABELS: dict[str, Any] = {
    "active": _l("Active"),
    "upcoming": _l("Not started yet"),
    "expired": _l("Expired"),
    "lifted": _l("Lifted"),
}


class NoticeRefused(Refused):
    """Why a notice, appeal, variation, lifting or breach cannot be saved, as a message
    for the person and (optionally) the form field it is about."""


# Dates ---------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` moved on by whole ``months``, kept inside a short month (31 Jan + 1 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_for(starts_on: date, months: int) -> date:
    """The last day of a notice of ``months`` months starting on ``starts_on``: from
    1 December, 3 months run to 28 February inclusive."""
    return add_months(starts_on, months) - timedelta(days=1)


def local_today(now: datetime) -> date:
    """The calendar date in Europe/London at ``now``: the date a notice is issued on."""
    return to_local(now).date()


def ends_at(notice: ExclusionNotice) -> datetime:
    """The moment a notice stops covering anyone: 06:00 after the night of its last day."""
    return night_bounds(notice.ends_on).end


def status(notice: ExclusionNotice, day: date) -> str:
    """``lifted``, ``expired``, ``upcoming`` or ``active`` on ``day`` (see :func:`notice_day`)."""
    if notice.lifted_at is not None:
        return "lifted"
    if day > notice.ends_on:
        return "expired"
    if day < notice.starts_on:
        return "upcoming"
    return "active"


def status_label(notice: ExclusionNotice, day: date) -> str:
    return str(STATUS_LABELS[status(notice, day)])


def default_appeal_how() -> str:
    """How to appeal, as the settings word it (EXCLUSION_APPEAL_HOW), else the built-in
    wording in the reader's language."""
    configured = str(current_app.config.get("EXCLUSION_APPEAL_HOW") or "").strip()
    return configured or _(
        "Write to the partnership coordinator by the last day to appeal, quoting the"
        " notice's reference and saying why the notice should be withdrawn or shortened."
        " You may ask someone to help you write it."
    )


def default_appeal_by(issued_on: date) -> date:
    """The last day for an appeal: EXCLUSION_APPEAL_DAYS after the day of issue."""
    return issued_on + timedelta(days=int(current_app.config["EXCLUSION_APPEAL_DAYS"]))


def check_dates(starts_on: date, ends_on: date | None, review_on: date | None) -> tuple[date, date]:
    """The end and review dates, if they keep the rules; else :class:`NoticeRefused`."""
    if ends_on is None:
        raise NoticeRefused(_("Enter the date the notice ends"), "ends_on")
    if ends_on <= starts_on:
        raise NoticeRefused(_("The end date must be after the start date"), "ends_on")
    latest = end_for(starts_on, MAX_MONTHS)
    if ends_on > latest:
        raise NoticeRefused(
            _(
                "A notice can last at most 12 months: end it on or before %(day)s",
                day=local_date(latest),
            ),
            "ends_on",
        )
    if review_on is None:
        raise NoticeRefused(_("Enter the date the notice will be reviewed"), "review_on")
    if review_on >= ends_on:
        raise NoticeRefused(_("The review date must be before the notice ends"), "review_on")
    if review_on < starts_on:
        raise NoticeRefused(_("The review date cannot be before the notice starts"), "review_on")
    return ends_on, review_on


def check_manager(actor: User) -> None:
    """Refuses anyone but the coordinator."""
    if not manages_notices(actor):
        raise NoticeRefused(_("Only the partnership coordinator can change exclusion notices."))


def person(notice: ExclusionNotice) -> Subject:
    """The red flag a notice is about; if that profile was later merged into another, the
    one it was merged into (where its photos and description now are)."""
    subject = notice.subject
    return subject.merged_into if subject.merged_into is not None else subject


def same_person(subject: Subject) -> Select[tuple[int]]:
    """The ids of ``subject`` and of the profiles merged into it: orders given under an
    old profile stay with the person (merging moves notes and links, not orders)."""
    return select(Subject.id).where(
        or_(Subject.id == subject.id, Subject.merged_into_id == subject.id)
    )


def notice_photo(user: User, notice: ExclusionNotice) -> SubjectPhoto | None:
    """The photo shown with a notice: the red flag's first photo, only when the notice was
    issued with it and ``user`` may see red flag photos (police always; members only when
    SUBJECT_SHARE_PHOTO_WITH_MEMBERS is on). The caller must have found ``notice``
    through :func:`~partnership.orders.notices.visibility.find_visible_notice`."""
    if not notice.include_photo or not photos_shown(user):
        return None
    shown = person(notice)
    if shown.erased_at is not None or not shown.photos:
        return None
    return shown.photos[0]


def incident_choices(subject: Subject) -> list[Sighting]:
    """The sightings a notice about ``subject`` may rely on: those linked to it and shared
    with the partnership (the coordinator opens no sightings, so only what every member
    may see is offered, by night, venue and behaviour), newest first."""
    return list(
        db.session.scalars(
            select(Sighting)
            .join(SubjectLink, SubjectLink.sighting_id == Sighting.id)
            .where(
                SubjectLink.subject_id == subject.id,
                Sighting.sharing == Sharing.PARTNERSHIP.value,
            )
            .options(selectinload(Sighting.behaviours), joinedload(Sighting.venue))
            .order_by(Sighting.occurred_at.desc(), Sighting.id.desc())
        )
    )


def member_venues() -> list[Venue]:
    """Every active venue of an active member organisation, by name: what a notice covers."""
    return list(
        db.session.scalars(
            select(Venue)
            .join(Organisation, Organisation.id == Venue.organisation_id)
            .where(Venue.active.is_(True), Organisation.active.is_(True))
            .order_by(Venue.name, Venue.id)
        )
    )


def _venue_address(venue: Venue) -> str:
    return ", ".join(part for part in (venue.address.strip(), venue.postcode.strip()) if part)


# Issuing -------------------------------------------------------------------------------


@dataclass
class NoticeData:
    """What the notice form says. ``duration_months`` is 3, 6 or 12, or None with
    ``ends_on`` chosen; ``appeal_by`` None means the default (issue date + 14 days) and
    an empty ``appeal_how`` the default wording."""

    subject_reference: str
    reasons: str
    starts_on: date | None
    duration_months: int | None
    ends_on: date | None
    review_on: date | None
    incident_ids: list[int] = field(default_factory=list)
    warned_on: date | None = None
    warning_note: str = ""
    include_photo: bool = False
    appeal_how: str = ""
    appeal_by: date | None = None


def issue_notice(actor: User, data: NoticeData, now: datetime) -> ExclusionNotice:
    """Issue a notice as the coordinator ``actor`` at ``now``, with a new PEN-<year>-NNNN
    reference. It names every active member venue as it is now (name and address copied:
    venues added or renamed later do not change it), relies on the chosen incidents
    (sightings linked to the red flag and shared with the partnership) and/or reasons in
    writing (at least one of the two), runs 3, 6 or 12 months or to a chosen end date (at
    most 12 months), and carries how and by when to appeal and a review date before its
    end. The photo is included only where the data-sharing settings allow it and the red
    flag has one. A red flag with a notice overlapping these dates is refused (vary that
    notice instead). Leaves one ``notice.issued`` audit event and sends
    :data:`notice_issued`. Raises :class:`NoticeRefused`; nothing is written then."""
    if not manages_notices(actor):
        raise NoticeRefused(_("Only the partnership coordinator can issue an exclusion notice."))
    today = local_today(now)
    subject = links.find_by_reference(actor, data.subject_reference, today)
    if subject is None:
        raise NoticeRefused(_("No red flag you can see has that reference"), "subject_reference")

    warning_note = data.warning_note.strip()
    if warning_note and data.warned_on is None:
        raise NoticeRefused(_("Enter the date the warning was given"), "warned_on")
    if data.warned_on is not None and data.warned_on > today:
        raise NoticeRefused(_("The date of the warning cannot be in the future"), "warned_on")

    offered = {sighting.id: sighting for sighting in incident_choices(subject)}
    chosen = sorted(set(data.incident_ids))
    if any(ident not in offered for ident in chosen):
        raise NoticeRefused(_("Choose incidents from this red flag's list"), "incidents")
    reasons = data.reasons.strip()
    if not chosen and not reasons:
        raise NoticeRefused(
            _("Choose at least one incident the notice relies on, or write its reasons"),
            "incidents",
        )

    if data.starts_on is None:
        raise NoticeRefused(_("Enter the date the notice starts"), "starts_on")
    starts_on = data.starts_on
    # Judged by the night: at 01:00 on Saturday a notice may still start on Friday night.
    if starts_on < notice_day(now):
        raise NoticeRefused(_("The notice cannot start before today"), "starts_on")
    if data.duration_months is not None:
        if data.duration_months not in DURATIONS:
            raise NoticeRefused(_("Choose how long the notice lasts"), "duration")
        ends_on: date | None = end_for(starts_on, data.duration_months)
    else:
        ends_on = data.ends_on
    ends_on, review_on = check_dates(starts_on, ends_on, data.review_on)

    appeal_by = data.appeal_by or default_appeal_by(today)
    if appeal_by < today:
        raise NoticeRefused(_("The last day to appeal cannot be before today"), "appeal_by")
    appeal_how = data.appeal_how.strip() or default_appeal_how()

    if data.include_photo:
        if not current_app.config["SUBJECT_SHARE_PHOTO_WITH_MEMBERS"]:
            raise NoticeRefused(
                _(
                    "The partnership's data-sharing settings do not allow photos on"
                    " exclusion notices, so the photo cannot be included."
                ),
                "include_photo",
            )
        if not subject.photos:
            raise NoticeRefused(
                _(
                    "%(reference)s has no photo to include. Police can add one to the red flag.",
                    reference=subject.reference,
                ),
                "include_photo",
            )

    clash = db.session.scalar(
        select(ExclusionNotice).where(
            ExclusionNotice.subject_id.in_(same_person(subject)),
            ExclusionNotice.lifted_at.is_(None),
            ExclusionNotice.starts_on <= ends_on,
            ExclusionNotice.ends_on >= starts_on,
        )
    )
    if clash is not None:
        raise NoticeRefused(
            _(
                "%(reference)s already has exclusion notice %(notice)s for some of these"
                " dates: vary that notice instead.",
                reference=subject.reference,
                notice=clash.reference,
            ),
            "starts_on",
        )

    venues = member_venues()
    if not venues:
        raise NoticeRefused(_("There are no active member venues for a notice to cover."))

    notice = ExclusionNotice(
        reference=next_reference(ExclusionNotice, REFERENCE_PREFIX, today.year),
        subject_id=subject.id,
        warned_on=data.warned_on,
        warning_note=warning_note,
        reasons=reasons,
        starts_on=starts_on,
        duration_months=data.duration_months,
        ends_on=ends_on,
        include_photo=data.include_photo,
        appeal_by=appeal_by,
        appeal_how=appeal_how,
        review_on=review_on,
        issued_by_id=actor.id,
        issued_by_name=actor.name,
        issued_at=now,
        created_at=now,
        updated_at=now,
    )
    notice.incidents = [offered[ident] for ident in chosen]
    notice.venues = [
        NoticeVenue(venue_id=venue.id, venue_name=venue.name, venue_address=_venue_address(venue))
        for venue in venues
    ]
    db.session.add(notice)
    db.session.flush()
    audit.record(
        "notice.issued",
        actor=actor,
        object_type="notice",
        object_id=notice.id,
        reference=notice.reference,
        subject=subject.id,
        subject_reference=subject.reference,
        incidents=chosen,
        venues=len(venues),
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
        review_on=review_on.isoformat(),
        include_photo=data.include_photo,
    )
    notice_issued.send(notice, now=now)
    return notice


# Variation and lifting -----------------------------------------------------------------


@dataclass
class VariationData:
    """What the variation form says: the end date, review date and reasons."""

    ends_on: date | None
    review_on: date | None
    reasons: str


def _changeable(notice: ExclusionNotice, now: datetime) -> None:
    if notice.lifted_at is not None:
        raise NoticeRefused(_("This notice has already been lifted."))
    if notice_day(now) > notice.ends_on:
        raise NoticeRefused(_("This notice has expired, so it can no longer be changed."))


def vary_notice(
    actor: User, notice: ExclusionNotice, data: VariationData, now: datetime
) -> list[str]:
    """Change a notice's end date, review date or reasons; returns the names of the fields
    changed (audited with the dates before and after; reasons by name only). A notice
    lifted or expired cannot be changed (the form's version is checked by
    :func:`~partnership.core.saving.save_or_keep`). The end date cannot move before today
    (lift the notice instead) nor break the issuing rules. Raises :class:`NoticeRefused`."""
    check_manager(actor)
    _changeable(notice, now)
    if data.ends_on is not None and data.ends_on < notice_day(now):
        raise NoticeRefused(
            _("The end date cannot be before today: lift the notice instead."), "ends_on"
        )
    ends_on, review_on = check_dates(notice.starts_on, data.ends_on, data.review_on)
    reasons = data.reasons.strip()
    if not reasons and not notice.incidents:
        raise NoticeRefused(
            _("This notice relies on no incidents, so it needs its reasons in writing"),
            "reasons",
        )
    dates_before = {"ends_on": notice.ends_on, "review_on": notice.review_on}
    dates_after = {"ends_on": ends_on, "review_on": review_on}
    dates = [name for name in dates_before if dates_before[name] != dates_after[name]]
    changed = sorted([*dates, *(["reasons"] if reasons != notice.reasons else [])])
    if not changed:
        return []
    if "ends_on" in changed:
        notice.duration_months = None
    notice.ends_on = ends_on
    notice.review_on = review_on
    notice.reasons = reasons
    notice.updated_at = now
    db.session.flush()
    audit.record(
        "notice.varied",
        actor=actor,
        object_type="notice",
        object_id=notice.id,
        fields=changed,
        before={name: dates_before[name].isoformat() for name in dates},
        after={name: dates_after[name].isoformat() for name in dates},
    )
    return changed


def lift_notice(
    actor: User, notice: ExclusionNotice, reason: str, now: datetime
) -> ExclusionNotice:
    """Lift a notice at ``now`` with the reason (kept on the notice and as the audit
    event's justification). A notice already lifted or expired is refused. Raises
    :class:`NoticeRefused`."""
    check_manager(actor)
    _changeable(notice, now)
    reason = reason.strip()
    if not reason:
        raise NoticeRefused(_("Say why the notice is lifted"), "reason")
    notice.lifted_at = now
    notice.lift_reason = reason
    notice.updated_at = now
    db.session.flush()
    audit.record(
        "notice.lifted",
        actor=actor,
        object_type="notice",
        object_id=notice.id,
        justification=reason,
    )
    return notice


# Seen at my venue ----------------------------------------------------------------------


@dataclass
class VenueBreachData:
    """What the "seen at my venue" form says."""

    occurred_at: datetime
    action: str
    notes: str = ""


def breach_venues(user: User, notice: ExclusionNotice) -> list[Venue]:
    """The venues of ``user``'s organisation that ``notice`` covers, by name."""
    covered = {row.venue_id for row in notice.venues}
    return [
        venue
        for venue in db.session.scalars(
            select(Venue)
            .where(Venue.organisation_id == user.organisation_id)
            .order_by(Venue.name, Venue.id)
        )
        if venue.id in covered
    ]


def record_venue_breach(
    actor: User, notice: ExclusionNotice, venue: Venue, data: VenueBreachData, now: datetime
) -> Breach:
    """Record that the person excluded by ``notice`` was seen at ``venue`` (one of
    ``actor``'s organisation's venues that the notice covers), when, what the venue did
    and any notes. Only bar and door staff record this, only while the notice is in
    force, and only for a moment it was in force. Leaves one ``notice.breach_recorded``
    audit event and sends :data:`breach_recorded`. Raises :class:`NoticeRefused`."""
    if not is_door_staff(actor):
        raise NoticeRefused(_("Only staff at a member venue can record this."))
    if venue.organisation_id != actor.organisation_id or venue.id not in {
        row.venue_id for row in notice.venues
    }:
        raise NoticeRefused(_("This notice does not cover that venue"), "venue_id")
    if not notice.active(notice_day(now)):
        raise NoticeRefused(_("This notice is not in force, so nothing can be recorded."))
    if not notice.active(notice_day(data.occurred_at)):
        raise NoticeRefused(_("The notice was not in force at that time"), "when")
    try:
        action = VenueBreachAction(data.action)
    except ValueError:
        raise NoticeRefused(_("Choose what you did"), "action") from None
    breach = Breach(
        notice_id=notice.id,
        occurred_at=data.occurred_at,
        place=venue.name,
        venue_id=venue.id,
        recorded_by_id=actor.id,
        organisation_id=actor.organisation_id,
        outcome=action.value,
        notes=data.notes.strip(),
        created_at=now,
    )
    db.session.add(breach)
    db.session.flush()
    db.session.expire(notice, ["breaches"])
    audit.record(
        "notice.breach_recorded",
        actor=actor,
        object_type="notice",
        object_id=notice.id,
        breach=breach.id,
        venue=venue.id,
        what_was_done=action.value,
        occurred_at=data.occurred_at.isoformat(),
    )
    breach_recorded.send(breach, now=now)
    return breach


# Lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeLists:
    """The notices list: every notice not yet ended, and the most recently ended."""

    current: Pagination
    ended: list[ExclusionNotice]


def notice_lists(user: User, now: datetime, page: int = 1) -> NoticeLists:
    """The notices ``user`` may see: page ``page`` of the current ones (active or not
    started) by end date, :data:`PAGE_SIZE` a page, and the :data:`ENDED_SHOWN` most
    recently ended (expired or lifted)."""
    day = notice_day(now)
    query = visible_notices(user, day).options(joinedload(ExclusionNotice.subject))
    current = db.paginate(
        query.where(ExclusionNotice.lifted_at.is_(None), ExclusionNotice.ends_on >= day).order_by(
            ExclusionNotice.ends_on, ExclusionNotice.id
        ),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
    )
    ended = list(
        db.session.scalars(
            query.where(or_(ExclusionNotice.lifted_at.is_not(None), ExclusionNotice.ends_on < day))
            .order_by(ExclusionNotice.ends_on.desc(), ExclusionNotice.id.desc())
            .limit(ENDED_SHOWN)
        )
    )
    return NoticeLists(current=current, ended=ended)
