"""Receiving reports from the public.

Nothing here reads the request: a report is stored from the answers alone, so no address,
browser or device detail can reach it. Functions add and flush and leave their audit event;
the view commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from partnership.core import audit
from partnership.core.signals import public_report_received
from partnership.core.uploads import CleanImage
from partnership.extensions import db
from partnership.public.models import PublicReport, PublicReportBehaviour, PublicReportPhoto
from partnership.sightings.service import area_for
from partnership.venues.models import Venue

# No 0/O, 1/I/L or 5/S lookalikes: a reference read out over the phone is heard right.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"
REFERENCE_TRIES = 20


@dataclass
class ReportAnswers:
    """The checked answers of the public report form."""

    reporter: str
    language: str
    night: date
    time_of_night: str
    behaviours: list[str]
    venue_id: int | None = None
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    other_behaviour: str = ""
    description: str = ""
    wants_contact: bool = False
    contact_name: str = ""
    contact_detail: str = ""
    contact_times: str = ""


def new_reference() -> str:
    """A random reference like ``PR-K7QD-3XWM`` that no report has yet."""
    for _attempt in range(REFERENCE_TRIES):
        body = "".join(secrets.choice(REFERENCE_ALPHABET) for _n in range(8))
        reference = f"PR-{body[:4]}-{body[4:]}"
        if db.session.scalar(select(PublicReport.id).where(PublicReport.reference == reference)):
            continue
        return reference
    raise RuntimeError("no free public report reference after several tries")


def find_by_submission_key(key: str) -> PublicReport | None:
    """The report already made from this form, if it was sent twice."""
    if not key:
        return None
    return db.session.scalar(select(PublicReport).where(PublicReport.submission_key == key))


def active_venues() -> list[Venue]:
    return list(
        db.session.scalars(select(Venue).where(Venue.active.is_(True)).order_by(Venue.name))
    )


def receive_report(
    answers: ReportAnswers,
    photo: CleanImage | None,
    submission_key: str,
    now: datetime,
    digest: str | None = None,
) -> PublicReport:
    """Store a public report with its behaviours and photo, as one unit, and audit it.
    ``digest`` is that of the answers the form's key came with
    (:mod:`partnership.core.submissions`).

    Guarantees: contact details are stored only when the person asked to be contacted; the
    venue is used only if it is active; the area comes from the venue or the pin; the audit
    event has no actor and nothing about the sender beyond the report's id. Then
    ``public_report_received`` is sent (:mod:`partnership.core.signals`).
    """
    venue = db.session.get(Venue, answers.venue_id) if answers.venue_id else None
    if venue is not None and not venue.active:
        venue = None
    area = area_for(venue, answers.latitude, answers.longitude)
    report = PublicReport(
        reference=new_reference(),
        submission_key=submission_key,
        submission_digest=digest,
        reporter=answers.reporter,
        language=answers.language,
        venue_id=venue.id if venue else None,
        area_id=area.id if area else None,
        place=answers.place.strip(),
        latitude=answers.latitude,
        longitude=answers.longitude,
        night=answers.night,
        time_of_night=answers.time_of_night,
        other_behaviour=answers.other_behaviour.strip(),
        description=answers.description.strip(),
        wants_contact=answers.wants_contact,
        contact_name=answers.contact_name.strip() if answers.wants_contact else "",
        contact_detail=answers.contact_detail.strip() if answers.wants_contact else "",
        contact_times=answers.contact_times.strip() if answers.wants_contact else "",
        received_at=now,
    )
    report.behaviours = [PublicReportBehaviour(code=c) for c in sorted(set(answers.behaviours))]
    if photo is not None:
        report.photo = PublicReportPhoto(**photo.stored())
    db.session.add(report)
    db.session.flush()
    audit.record(
        "public_report.received",
        actor=None,
        object_type="public_report",
        object_id=report.id,
    )
    public_report_received.send(report, now=now)
    return report
