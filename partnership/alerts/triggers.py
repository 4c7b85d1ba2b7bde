"""What raises alerts: receivers of the services' signals (:mod:`partnership.core.signals`).

Raising an alert is a system action (audit actor None, one ``alert.raised`` per alert),
inside the transaction of the request that sent the signal, after its record was flushed.
The receivers connect when this module is imported (by :func:`partnership.create_app`),
once for the process: every app registers alerts, so none needs its own connection.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from partnership.alerts.models import Alert, AlertKind, Audience
from partnership.core import audit
from partnership.core.description import CODED_FIELDS, match_description
from partnership.core.enums import NoteSharing
from partnership.core.signals import note_shared, sighting_saved, subject_linked
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.sightings.visibility import is_told_beyond_police, told_beyond_police
from partnership.subjects.models import RedFlagNote, Subject, SubjectLink
from partnership.venues.models import Venue

# How many sightings at one venue in one night make it busy.
BUSY_VENUE_SIGHTINGS = 3
# A description seen again fewer than this many nights apart recurs.
RECUR_NIGHTS = 7
# At most this many earlier sightings are compared with a new one.
RECUR_CANDIDATES = 500
# At most this many matching sightings and venues are kept on one alert.
RECUR_KEPT = 10
# Police and coordinators hear about the patterns in sightings and links.
OVERSIGHT = (Audience.POLICE, Audience.COORDINATORS)


def _raise(
    kind: AlertKind,
    audience: Audience,
    key: str,
    now: datetime,
    *,
    organisation_id: int | None = None,
    subject_id: int | None = None,
    sighting_id: int | None = None,
    venue_id: int | None = None,
    night: date | None = None,
    details: dict[str, Any] | None = None,
) -> tuple[Alert, bool]:
    """The alert with ``key``, made now (True) or found (False) if it was raised before.

    The insert runs in a savepoint, so a twin raised by a request at the same moment
    is found rather than failing this request's whole transaction.
    """
    existing = db.session.scalar(select(Alert).where(Alert.key == key))
    if existing is not None:
        return existing, False
    alert = Alert(
        key=key,
        kind=kind.value,
        audience=audience.value,
        organisation_id=organisation_id,
        subject_id=subject_id,
        sighting_id=sighting_id,
        venue_id=venue_id,
        night=night,
        details=details or {},
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:
        raced = db.session.scalar(select(Alert).where(Alert.key == key))
        if raced is None:
            raise
        return raced, False
    audit.record(
        "alert.raised",
        actor=None,
        object_type="alert",
        object_id=alert.id,
        kind=alert.kind,
        audience=alert.audience,
        organisation=organisation_id,
    )
    return alert, True


def _has_active_note(subject_id: int, today: date, sharing: NoteSharing | None = None) -> bool:
    conditions = [
        RedFlagNote.subject_id == subject_id,
        RedFlagNote.expired_at.is_(None),
        RedFlagNote.review_on >= today,
    ]
    if sharing is not None:
        conditions.append(RedFlagNote.sharing == sharing.value)
    return bool(db.session.scalar(select(exists().where(*conditions))))


def _members_may_hear_of(link: SubjectLink) -> bool:
    """A link tells a venue or the coordinators its subject was there, unless the record is
    a sighting whose existence is not theirs to know."""
    return link.sighting is None or is_told_beyond_police(link.sighting)


def _told_of(sighting: Sighting, audience: Audience) -> bool:
    """Whether ``audience`` may hear of ``sighting`` at all: police of every sighting, anyone
    else of those told beyond the police."""
    return audience is Audience.POLICE or is_told_beyond_police(sighting)


def on_sighting_saved(sighting: Sighting, *, now: datetime, **_details: Any) -> None:
    """Raise the alerts a newly recorded sighting causes (busy venue, recurring description).

    Busy venue: once the sighting's venue has :data:`BUSY_VENUE_SIGHTINGS` or more
    sightings on its night, police and coordinators get one alert per venue and night;
    later sightings that night update its count. Police count every sighting; the
    coordinators' alert counts and is raised by the sightings that are not police-only.
    Recurring description: when the sighting is at a venue and its description matches
    (:func:`partnership.core.description.match_description`) a sighting at another venue
    fewer than :data:`RECUR_NIGHTS` nights before or after, police and coordinators get one alert
    naming the venues and the fields that agree; police-only sightings (the new one or those
    it matches) are left out of the coordinators'.
    """
    if sighting.venue_id is None:
        return
    _busy_venue(sighting, now)
    _description_recurs(sighting, now)


def _busy_venue(sighting: Sighting, now: datetime) -> None:
    every, shared = db.session.execute(
        select(
            func.count(),
            func.count(case((told_beyond_police(), Sighting.id))),
        ).where(Sighting.venue_id == sighting.venue_id, Sighting.night == sighting.night)
    ).one()
    counts = {Audience.POLICE: every, Audience.COORDINATORS: shared}
    for audience in OVERSIGHT:
        count = counts[audience]
        if count < BUSY_VENUE_SIGHTINGS:
            continue
        alert, made = _raise(
            AlertKind.BUSY_VENUE,
            audience,
            f"busy_venue:{audience.value}:{sighting.venue_id}:{sighting.night.isoformat()}",
            now,
            venue_id=sighting.venue_id,
            night=sighting.night,
            details={"count": count},
        )
        if not made and alert.details.get("count", 0) < count:
            alert.details = {**alert.details, "count": count}  # a new dict: JSON is not tracked
    db.session.flush()


def _description_recurs(sighting: Sighting, now: datetime) -> None:
    given = [name for name in CODED_FIELDS if getattr(sighting, name)]
    if len(given) < 2:  # too sparse to match anything
        return
    query = select(Sighting).where(
        Sighting.id != sighting.id,
        Sighting.venue_id.is_not(None),
        Sighting.venue_id != sighting.venue_id,
        # Either side: a sighting logged late still meets the ones after it.
        Sighting.night > sighting.night - timedelta(days=RECUR_NIGHTS),
        Sighting.night < sighting.night + timedelta(days=RECUR_NIGHTS),
    )
    for name in given:  # a coded field that disagrees rules a sighting out
        column = getattr(Sighting, name)
        query = query.where(or_(column == "", column == getattr(sighting, name)))
    candidates = db.session.scalars(
        query.order_by(Sighting.night.desc(), Sighting.id.desc()).limit(RECUR_CANDIDATES)
    )
    matches = [
        (other, match)
        for other in candidates
        if (match := match_description(sighting, other)) is not None
    ]
    for audience in OVERSIGHT:
        if not _told_of(sighting, audience):
            continue
        heard = [(other, match) for other, match in matches if _told_of(other, audience)]
        if not heard:
            continue
        fields = {name for _other, match in heard for name in match.fields}
        details = {
            "venue_ids": list(dict.fromkeys(other.venue_id for other, _m in heard))[:RECUR_KEPT],
            "sighting_ids": [other.id for other, _match in heard[:RECUR_KEPT]],
            "matches": len(heard),
            "fields": [name for name in CODED_FIELDS if name in fields],
            "shared_words": any(match.words for _other, match in heard),
            "nights": RECUR_NIGHTS,
        }
        _raise(
            AlertKind.DESCRIPTION_RECURS,
            audience,
            f"description_recurs:{audience.value}:{sighting.id}",
            now,
            sighting_id=sighting.id,
            venue_id=sighting.venue_id,
            night=sighting.night,
            details=details,
        )


def on_subject_linked(link: SubjectLink, *, now: datetime, **_details: Any) -> None:
    """Raise the alerts a new link between a subject and a record causes.

    A sighting linked to a subject with any active note: one alert for police and, unless
    the sighting is police-only, one for coordinators (who see it only while the subject is
    visible to them). A record
    at a venue linked to a subject with an active partnership note: one alert for the
    venue's organisation (not for a police-only sighting).
    """
    today = now.date()
    record = link.record
    venue_id: int | None = record.venue_id
    if link.sighting_id is not None and _has_active_note(link.subject_id, today):
        for audience in OVERSIGHT:
            if audience is not Audience.POLICE and not _members_may_hear_of(link):
                continue
            _raise(
                AlertKind.SUBJECT_LINKED,
                audience,
                f"subject_linked:{audience.value}:{link.id}",
                now,
                subject_id=link.subject_id,
                sighting_id=link.sighting_id,
                venue_id=venue_id,
                night=record.night,
                details={"link": link.id},
            )
    if (
        venue_id is not None
        and _members_may_hear_of(link)
        and _has_active_note(link.subject_id, today, NoteSharing.PARTNERSHIP)
    ):
        venue = db.session.get(Venue, venue_id)
        if venue is not None:
            _raise(
                AlertKind.SEEN_AT_YOUR_VENUE,
                Audience.ORGANISATION,
                f"seen_at_your_venue:{link.subject_id}:{venue.organisation_id}:link:{link.id}",
                now,
                organisation_id=venue.organisation_id,
                subject_id=link.subject_id,
                venue_id=venue.id,
                night=record.night,
                details={"cause": "link", "link": link.id, "venue_ids": [venue.id]},
            )


def on_note_shared(note: RedFlagNote, *, now: datetime, **_details: Any) -> None:
    """Raise the alerts a new red-flag note causes (members whose venue saw the subject).

    A note shared with the partnership, on a subject already linked to records at
    venues: one alert for each organisation owning one of those venues (police-only
    sightings left out), naming its venues and the latest night.
    """
    if note.sharing != NoteSharing.PARTNERSHIP.value or not note.is_active(now.date()):
        return
    subject = db.session.get(Subject, note.subject_id)
    if subject is None:
        return
    by_organisation: dict[int, list[tuple[date, Venue]]] = {}
    for link in subject.links:
        record = link.record
        if record.venue is None or not _members_may_hear_of(link):
            continue
        by_organisation.setdefault(record.venue.organisation_id, []).append(
            (record.night, record.venue)
        )
    for organisation_id, seen in sorted(by_organisation.items()):
        seen.sort(key=lambda pair: (pair[0], pair[1].id), reverse=True)
        night, latest = seen[0]
        _raise(
            AlertKind.SEEN_AT_YOUR_VENUE,
            Audience.ORGANISATION,
            f"seen_at_your_venue:{subject.id}:{organisation_id}:note:{note.id}",
            now,
            organisation_id=organisation_id,
            subject_id=subject.id,
            venue_id=latest.id,
            night=night,
            details={
                "cause": "note",
                "note": note.id,
                "venue_ids": list(dict.fromkeys(venue.id for _night, venue in seen)),
            },
        )


# Connected for the process, strongly: blinker holds receivers globally, and these are
# the same for every app.
sighting_saved.connect(on_sighting_saved, weak=False)
subject_linked.connect(on_subject_linked, weak=False)
note_shared.connect(on_note_shared, weak=False)
