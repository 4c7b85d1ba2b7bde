"""The police's daily triage of public reports: the queue, the warning when one has waited
too long, and each triage step. Who may see a report is
:mod:`partnership.triage.visibility`.

Functions add and flush and leave their audit event; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.enums import Sharing, TimeOfNight, TriageStatus
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.models import AuditEvent
from partnership.core.nights import night_bounds, to_utc
from partnership.core.saving import Refused
from partnership.core.statements import PerReader
from partnership.extensions import db
from partnership.public.models import PublicReport, PublicReportPhoto
from partnership.sightings.service import Prefill, SourceKind, register_source
from partnership.subjects import links as subject_links
from partnership.subjects.models import Subject
from partnership.triage.visibility import (
    find_visible_public_report,
    may_triage,
    visible_public_reports,
)
from partnership.venues.models import Area, Venue

# The queue's tabs: a status, or every report.
ALL = "all"
QUEUE_TABS = (
    TriageStatus.NEW.value,
    TriageStatus.URGENT.value,
    TriageStatus.REVIEWED.value,
    TriageStatus.NOT_FOR_ACTION.value,
    ALL,
)
# What a triage step may set a report to: "new" is only where reports start.
TRIAGE_CHOICES = (
    TriageStatus.REVIEWED.value,
    TriageStatus.URGENT.value,
    TriageStatus.NOT_FOR_ACTION.value,
)
# The audit actions that make up a report's triage history.
HISTORY_ACTIONS = ("public_report.triaged", "public_report.sighting_linked")


def queue(user: User, tab: str) -> Select[tuple[PublicReport]]:
    """The reports of one tab of the queue that ``user`` may see, oldest first (the one
    that has waited longest at the top), with what each row shows loaded."""
    query = visible_public_reports(user).options(
        selectinload(PublicReport.behaviours),
        # Whether there is a photo, not its bytes.
        selectinload(PublicReport.photo).load_only(
            PublicReportPhoto.id, PublicReportPhoto.report_id
        ),
        selectinload(PublicReport.venue),
        selectinload(PublicReport.area),
    )
    if tab != ALL:
        query = query.where(PublicReport.status == tab)
    return query.order_by(PublicReport.received_at, PublicReport.id)


@dataclass(frozen=True)
class Waiting:
    """The new reports ``user`` may see: how many, since when the oldest has waited, and
    how many have waited longer than the warning allows."""

    count: int
    oldest_received_at: datetime | None
    overdue: int
    warning_hours: int

    @property
    def warning(self) -> bool:
        return self.overdue > 0


def waiting(user: User, now: datetime, warning_hours: int) -> Waiting:
    """What waits for triage at ``now``: the queue's banner and the dashboard's panel use
    this one function, so the two always agree. A report warns once it has waited more
    than ``warning_hours`` (TRIAGE_WARNING_HOURS)."""
    new = (
        visible_public_reports(user)
        .where(PublicReport.status == TriageStatus.NEW.value)
        .with_only_columns(PublicReport.received_at)
        .subquery()
    )
    count, oldest = db.session.execute(
        select(func.count(), func.min(new.c.received_at)).select_from(new)
    ).one()
    overdue = 0
    if count:
        cutoff = now - timedelta(hours=warning_hours)
        overdue = (
            db.session.scalar(
                select(func.count()).select_from(new).where(new.c.received_at < cutoff)
            )
            or 0
        )
    return Waiting(count or 0, oldest, overdue, warning_hours)


def _count_new(user: User) -> Select[tuple[int]]:
    return select(func.count()).select_from(
        visible_public_reports(user)
        .where(PublicReport.status == TriageStatus.NEW.value)
        .with_only_columns(PublicReport.id)
        .subquery()
    )


_new_statement = PerReader(_count_new)


def new_count(user: User) -> int:
    """How many new reports wait for ``user`` (0 for anyone who may not see them); the
    menu shows it on every page, so its statement is built once per reader."""
    if not may_triage(user):
        return 0
    return db.session.scalar(_new_statement(user)) or 0


def waited(report: PublicReport, now: datetime) -> timedelta:
    return max(now - report.received_at, timedelta(0))


# Each band of the night as (hours after the night's date begins) start and end, local time.
BANDS: dict[str, tuple[int, int]] = {
    TimeOfNight.DAYTIME.value: (6, 18),
    TimeOfNight.EARLY_EVENING.value: (18, 21),
    TimeOfNight.LATE_EVENING.value: (21, 24),
    TimeOfNight.AFTER_MIDNIGHT.value: (24, 27),
    TimeOfNight.SMALL_HOURS.value: (27, 30),
}


def _local_moment(night: date, hours: int) -> datetime:
    """``hours`` after midnight starting the night's date, London wall-clock time, in UTC.
    Band edges fall on whole hours away from 01:00-02:00, so none is skipped or doubled."""
    day = night + timedelta(days=hours // 24)
    return to_utc(datetime.combine(day, time(hours % 24)))


def likely_moment(report: PublicReport) -> datetime:
    """A sensible moment for what a report describes: the middle of the band of the night
    it names (the whole night when the person was not sure), counted in real elapsed time
    so a clock-change night is handled, and never after the report arrived."""
    band = BANDS.get(report.time_of_night)
    if band is None:
        bounds = night_bounds(report.night)
        start, end = bounds.start, bounds.end
    else:
        start, end = _local_moment(report.night, band[0]), _local_moment(report.night, band[1])
    return min(start + (end - start) / 2, report.received_at)


@dataclass
class TriageData:
    """What a triage step says, from the form."""

    status: str
    urgent_action: str = ""
    note: str = ""
    venue_id: int | None = None
    area_id: int | None = None
    subject_reference: str = ""


URGENT_NEEDS_ACTION = _l("Say what action was taken on this urgent report")


def triage_report(
    actor: User, report: PublicReport, data: TriageData, now: datetime
) -> PublicReport:
    """Record one triage step: the status (urgent only with the action taken), the note,
    and the venue, area and red flag card the report is linked to (a card by its
    reference, which must be one ``actor`` may see). Leaves one audit event with the
    status and which links changed, never the free text. (Of two officers triaging at
    once, the second is refused by the version check in
    :func:`~partnership.core.saving.save_or_keep`, told what the first did.)"""
    if data.status not in TRIAGE_CHOICES:
        raise Refused(_l("Choose what to do with this report"), "status")
    action = data.urgent_action.strip()
    if data.status == TriageStatus.URGENT.value and not action:
        raise Refused(URGENT_NEEDS_ACTION, "urgent_action")
    venue = db.session.get(Venue, data.venue_id) if data.venue_id else None
    if data.venue_id and venue is None:
        raise Refused(_l("Choose a venue from the list"), "venue_id")
    area = db.session.get(Area, data.area_id) if data.area_id else None
    if data.area_id and area is None:
        raise Refused(_l("Choose an area from the list"), "area_id")
    subject: Subject | None = None
    reference = data.subject_reference.strip()
    if reference:
        subject = subject_links.find_by_reference(actor, reference, now.date())
        if subject is None:
            raise Refused(
                _l(
                    "There is no red flag card with the reference %(reference)s. Check the"
                    " reference, or leave it empty.",
                    reference=reference,
                ),
                "subject_reference",
            )
    before = {
        "venue": report.venue_id,
        "area": report.area_id,
        "subject": report.subject_id,
    }
    report.status = data.status
    report.urgent_action = action if data.status == TriageStatus.URGENT.value else ""
    report.triage_note = data.note.strip()
    report.venue_id = venue.id if venue else None
    report.area_id = area.id if area else None
    report.subject_id = subject.id if subject else None
    report.triaged_at = now
    report.triaged_by_id = actor.id
    db.session.flush()
    after = {"venue": report.venue_id, "area": report.area_id, "subject": report.subject_id}
    audit.record(
        "public_report.triaged",
        actor=actor,
        object_type="public_report",
        object_id=report.id,
        status=report.status,
        links_changed=sorted(k for k in after if after[k] != before[k]),
        venue_id=report.venue_id,
        area_id=report.area_id,
        subject_id=report.subject_id,
    )
    return report


def mark_reviewed_on_sighting(actor: User, report: PublicReport, now: datetime) -> dict[str, Any]:
    """A new report that became a sighting has been looked at: it is now reviewed (a report
    already triaged keeps its status). Returns what the link's audit event adds: the
    status."""
    if report.status == TriageStatus.NEW.value:
        report.status = TriageStatus.REVIEWED.value
        report.triaged_at = now
        report.triaged_by_id = actor.id
    return {"status": report.status}


def earliest_sighting(report: PublicReport) -> datetime:
    """How far back a sighting made from ``report`` may be: a public report may be about a
    night up to a year before it was sent, so its sighting may be as old as that night's
    date (from 06:00, its daytime included)."""
    return night_bounds(report.night - timedelta(days=1)).end


def sighting_prefill(report: PublicReport) -> Prefill:
    """A sighting logged from ``report`` starts with what the person said, at a likely
    moment of the time they gave, shared with the partnership."""
    return Prefill(
        likely_moment(report),
        {
            "latitude": "" if report.latitude is None else str(report.latitude),
            "longitude": "" if report.longitude is None else str(report.longitude),
            "behaviours": report.behaviour_codes,
            "other_behaviour": report.other_behaviour,
            "description": report.description,
            "sharing": Sharing.PARTNERSHIP.value,
        },
    )


def linked_subject(report: PublicReport) -> Subject | None:
    """The red flag card triage linked ``report`` to, if any."""
    return db.session.get(Subject, report.subject_id) if report.subject_id else None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    organisation: str
    action: str
    status: str | None
    links_changed: list[str]
    sighting_id: int | None


def history(report: PublicReport) -> list[HistoryEntry]:
    """Every triage step of ``report``, oldest first, from the audit trail (who, when,
    status, which links changed, the sighting it became)."""
    rows = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "public_report",
            AuditEvent.object_id == str(report.id),
            AuditEvent.action.in_(HISTORY_ACTIONS),
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    names: dict[int, str] = {
        user_id: name
        for user_id, name in db.session.execute(
            select(User.id, User.name).where(
                User.id.in_(
                    select(AuditEvent.actor_id).where(
                        AuditEvent.object_type == "public_report",
                        AuditEvent.object_id == str(report.id),
                    )
                )
            )
        )
    }
    return [
        HistoryEntry(
            at=event.created_at,
            who=names.get(event.actor_id or 0) or event.actor_email or "",
            organisation=event.organisation_name or "",
            action=event.action,
            status=(event.details or {}).get("status"),
            links_changed=list((event.details or {}).get("links_changed", [])),
            sighting_id=(event.details or {}).get("sighting"),
        )
        for event in rows
    ]


def record_viewed(actor: User, report: PublicReport) -> None:
    audit.record(
        "public_report.viewed", actor=actor, object_type="public_report", object_id=report.id
    )


# Police log a sighting from a public report (the sightings form's ``public_report:id``).
register_source(
    "public_report",
    SourceKind(
        find_visible_public_report,
        earliest=earliest_sighting,
        prefill=sighting_prefill,
        linked=mark_reviewed_on_sighting,
    ),
)
