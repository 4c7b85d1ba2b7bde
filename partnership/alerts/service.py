"""Alerts: who sees which, what raises one, and marking them read.

An alert names records by id only (a subject by its reference, venues by name, counts
and nights); what it says is written in the reader's language when it is shown, and
never holds a subject's personal details, a note's text or a sighting's free text.

Raising alerts is a system action (audit actor None, one ``alert.raised`` per alert);
the hooks are called by the services that add sightings, links and notes, inside the
same transaction, after the record is flushed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from babel.lists import format_list
from flask import url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from partnership.alerts.models import Alert, AlertRead
from partnership.auth.models import User
from partnership.core import audit
from partnership.core.description import CODED_FIELDS, match_description
from partnership.core.disclosure import SUPPRESS_BELOW, suppressed
from partnership.core.enums import POLICE_ROLES, NoteSharing, Role, Sharing
from partnership.core.forms import record_id, whole_number
from partnership.core.i18n import local_date
from partnership.core.lazy import lazy_gettext as _l
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.subjects.models import RedFlagNote, Subject
from partnership.venues.models import Venue

if TYPE_CHECKING:
    from partnership.subjects.models import SubjectLink

# How many sightings at one venue in one night make it busy.
BUSY_VENUE_SIGHTINGS = 3
# A description seen again fewer than this many nights apart recurs.
RECUR_NIGHTS = 7
# At most this many earlier sightings are compared with a new one.
RECUR_CANDIDATES = 500
# At most this many matching sightings and venues are kept on one alert.
RECUR_KEPT = 10


class Audience(StrEnum):
    POLICE = "police"
    COORDINATORS = "coordinators"
    ORGANISATION = "organisation"  # the staff of one member organisation


class AlertKind(StrEnum):
    SUBJECT_LINKED = "subject_linked"
    BUSY_VENUE = "busy_venue"
    DESCRIPTION_RECURS = "description_recurs"
    SEEN_AT_YOUR_VENUE = "seen_at_your_venue"


# Staff of a member organisation receive the alerts addressed to it.
ORGANISATION_ROLES = frozenset({Role.PREMISES_STAFF, Role.WELFARE})
RECEIVERS = POLICE_ROLES | ORGANISATION_ROLES | {Role.COORDINATOR}
# Police and coordinators hear about the patterns in sightings and links.
OVERSIGHT = (Audience.POLICE, Audience.COORDINATORS)

# The described-person fields a match can agree on, titled as the forms title them.
FIELD_TITLES: dict[str, Any] = {
    "apparent_sex": _l("Apparent sex"),
    "age_band": _l("Apparent age"),
    "height": _l("Height"),
    "build": _l("Build"),
}


def receives_alerts(role: Role) -> bool:
    """True for the roles that have alerts: police, coordinators and frontline members."""
    return role in RECEIVERS


# --- who sees which ---------------------------------------------------------------


def visible_alerts(user: User, today: date) -> Select[tuple[Alert]]:
    """The one rule for who sees which alert, newest first.

    Police see the alerts addressed to police; coordinators those addressed to
    coordinators; bar and door staff and welfare users those addressed to their own
    organisation; analysts and administrators none. On top of that, an alert about a
    subject is shown only while the reader may see that subject on ``today``
    (:func:`partnership.subjects.service.visible_subjects`): for members and
    coordinators, while a partnership note about the subject is active, so the alert
    goes when the note expires; for police, until the subject is erased.
    """
    # Imported here: the subjects feature's own modules import this one.
    from partnership.subjects.service import visible_subjects

    role = user.role_enum
    query = select(Alert)
    if role in POLICE_ROLES:
        query = query.where(Alert.audience == Audience.POLICE.value)
    elif role == Role.COORDINATOR:
        query = query.where(Alert.audience == Audience.COORDINATORS.value)
    elif role in ORGANISATION_ROLES:
        query = query.where(
            Alert.audience == Audience.ORGANISATION.value,
            Alert.organisation_id == user.organisation_id,
        )
    else:
        return query.where(false())
    subjects = visible_subjects(user, today).with_only_columns(Subject.id)
    return query.where(or_(Alert.subject_id.is_(None), Alert.subject_id.in_(subjects))).order_by(
        Alert.created_at.desc(), Alert.id.desc()
    )


def _unread_by(user: User) -> ColumnElement[bool]:
    return ~exists().where(AlertRead.alert_id == Alert.id, AlertRead.user_id == user.id)


def find_visible(user: User, alert_id: int, today: date) -> Alert | None:
    """The alert, if ``user`` may see it on ``today``; else None (the view answers 404)."""
    return db.session.scalar(visible_alerts(user, today).where(Alert.id == alert_id))


def unread_count(user: User, today: date) -> int:
    """How many alerts ``user`` may see on ``today`` and has not marked read (one query)."""
    if not receives_alerts(user.role_enum):
        return 0
    unread = (
        visible_alerts(user, today)
        .where(_unread_by(user))
        .order_by(None)
        .with_only_columns(Alert.id)
    )
    return db.session.scalar(select(func.count()).select_from(unread.subquery())) or 0


def unread_alerts(user: User, today: date, limit: int) -> list[Alert]:
    """The newest ``limit`` alerts ``user`` has not read yet (for the dashboard)."""
    query = visible_alerts(user, today).where(_unread_by(user))
    return list(db.session.scalars(_with_records(query).limit(limit)))


@dataclass(frozen=True)
class Cursor:
    """Where a page of alerts starts: just after the alert made at ``created_at`` with ``id``."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        micros = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}-{self.id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        """The cursor in ``raw``, or None (the first page) if it is missing or malformed."""
        raw_micros, _sep, raw_id = (raw or "").partition("-")
        micros, ident = whole_number(raw_micros, largest=_MAX_MICROS), record_id(raw_id)
        if micros is None or ident is None:
            return None
        try:
            moment = _EPOCH + timedelta(microseconds=micros)
        except OverflowError:
            return None
        return cls(moment, ident)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_MICROS = 2**63 - 1  # beyond any datetime; a larger number is no cursor


@dataclass(frozen=True)
class Page:
    alerts: list[Alert]
    read: frozenset[int]  # ids of the alerts on this page the user has read
    next: Cursor | None  # None: this is the last page


def page_of_alerts(user: User, today: date, after: Cursor | None, size: int) -> Page:
    """One page of the alerts ``user`` may see, newest first, starting after ``after``
    (keyset paging: a new alert arriving while someone reads shifts nothing)."""
    query = visible_alerts(user, today)
    if after is not None:
        query = query.where(
            or_(
                Alert.created_at < after.created_at,
                and_(Alert.created_at == after.created_at, Alert.id < after.id),
            )
        )
    rows = list(db.session.scalars(_with_records(query).limit(size + 1)))
    alerts = rows[:size]
    read: frozenset[int] = frozenset()
    if alerts:
        read = frozenset(
            db.session.scalars(
                select(AlertRead.alert_id).where(
                    AlertRead.user_id == user.id, AlertRead.alert_id.in_([a.id for a in alerts])
                )
            )
        )
    more = len(rows) > size
    return Page(alerts, read, Cursor(alerts[-1].created_at, alerts[-1].id) if more else None)


def _with_records(query: Select[tuple[Alert]]) -> Select[tuple[Alert]]:
    return query.options(selectinload(Alert.subject), selectinload(Alert.venue))


# --- reading ----------------------------------------------------------------------


def _is_read(user: User, alert: Alert) -> bool:
    return db.session.get(AlertRead, (alert.id, user.id)) is not None


def mark_read(user: User, alert: Alert, now: datetime) -> bool:
    """Mark one alert (already found through :func:`visible_alerts`) read for ``user``;
    True if it was unread. One ``alert.read`` audit event either way."""
    newly = not _is_read(user, alert)
    if newly:
        db.session.add(AlertRead(alert_id=alert.id, user_id=user.id, read_at=now))
        db.session.flush()
    audit.record(
        "alert.read",
        actor=user,
        object_type="alert",
        object_id=alert.id,
        kind=alert.kind,
        already_read=not newly,
    )
    return newly


def mark_all_read(user: User, now: datetime) -> int:
    """Mark every alert ``user`` may see on ``now``'s date and has not read as read;
    returns how many. One ``alert.all_read`` audit event with the number."""
    unread = visible_alerts(user, now.date()).where(_unread_by(user)).order_by(None)
    ids = list(db.session.scalars(unread.with_only_columns(Alert.id)))
    db.session.add_all(AlertRead(alert_id=ident, user_id=user.id, read_at=now) for ident in ids)
    db.session.flush()
    audit.record("alert.all_read", actor=user, object_type="alert", marked=len(ids))
    return len(ids)


def record_listed(user: User, alerts: Sequence[Alert], where: str) -> None:
    """Leave the one ``alert.listed`` audit event for a page showing ``alerts`` (they name
    subjects by reference)."""
    audit.record(
        "alert.listed",
        actor=user,
        object_type="alert",
        where=where,
        shown=len(alerts),
        alerts=[alert.id for alert in alerts],
    )


# --- raising ----------------------------------------------------------------------


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
    a police-only sighting: its existence is not theirs to know."""
    return link.sighting is None or link.sighting.sharing != Sharing.POLICE.value


def _told_of(sighting: Sighting, audience: Audience) -> bool:
    """Whether ``audience`` may hear of ``sighting`` at all: police of every sighting, anyone
    else of every one but a police-only sighting (whose existence is police business)."""
    return audience is Audience.POLICE or sighting.sharing != Sharing.POLICE.value


def on_sighting_recorded(sighting: Sighting, now: datetime) -> None:
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
            func.count(case((Sighting.sharing != Sharing.POLICE.value, Sighting.id))),
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


def on_subject_linked(link: SubjectLink, now: datetime) -> None:
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


def on_note_added(note: RedFlagNote, now: datetime) -> None:
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


# --- showing ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShownAlert:
    """An alert as one reader sees it: the message in their language, where they may
    go from it (or nowhere), and whether they have read it."""

    id: int
    kind: str
    created_at: datetime
    message: str
    href: str | None
    link_text: str | None
    unread: bool


def _venue_names(alerts: Iterable[Alert]) -> dict[int, str]:
    ids: set[int] = set()
    for alert in alerts:
        if alert.venue_id is not None:
            ids.add(alert.venue_id)
        ids.update(int(ident) for ident in alert.details.get("venue_ids", []))
    if not ids:
        return {}
    rows = db.session.execute(select(Venue.id, Venue.name).where(Venue.id.in_(ids)))
    return {ident: name for ident, name in rows}


def _list(items: Sequence[str]) -> str:
    return str(format_list(list(items), locale=str(get_locale() or "en")))


def _message(alert: Alert, venues: dict[int, str], reader: Role) -> str:
    """What ``alert`` says to ``reader``, in the request's language, from its fields and
    ``venues``' names: a reference, venue names, counts and nights, never anything said
    about a person. A count under 5 reaches no one but police, as in the reports
    (:func:`partnership.reports.figures.suppressed`)."""
    return str(_wording(alert, venues, reader))


def _wording(alert: Alert, venues: dict[int, str], reader: Role) -> Any:
    details = alert.details or {}
    venue = venues.get(alert.venue_id or 0, "")
    night = local_date(alert.night)
    reference = alert.subject.reference if alert.subject is not None else ""
    kind = alert.kind
    if kind == AlertKind.SUBJECT_LINKED:
        if venue:
            return _(
                "Red flag %(reference)s, which has active notes, has been linked to a "
                "sighting at %(venue)s on the night of %(night)s.",
                reference=reference,
                venue=venue,
                night=night,
            )
        return _(
            "Red flag %(reference)s, which has active notes, has been linked to a "
            "sighting on the night of %(night)s.",
            reference=reference,
            night=night,
        )
    if kind == AlertKind.BUSY_VENUE:
        count = int(details.get("count", 0))
        if suppressed(count, reader) != str(count):
            return ngettext(
                "Fewer than %(num)d sighting at %(venue)s on the night of %(night)s.",
                "Fewer than %(num)d sightings at %(venue)s on the night of %(night)s.",
                SUPPRESS_BELOW,
                venue=venue,
                night=night,
            )
        return ngettext(
            "%(num)d sighting at %(venue)s on the night of %(night)s.",
            "%(num)d sightings at %(venue)s on the night of %(night)s.",
            count,
            venue=venue,
            night=night,
        )
    if kind == AlertKind.DESCRIPTION_RECURS:
        others = [venues[i] for i in details.get("venue_ids", []) if i in venues]
        fields = [str(FIELD_TITLES[name]) for name in details.get("fields", [])]
        values = {"venue": venue, "night": night, "others": _list(others), "fields": _list(fields)}
        nights = int(details.get("nights", RECUR_NIGHTS))
        if details.get("shared_words"):
            return ngettext(
                "A person described like one seen at %(venue)s on the night of %(night)s was "
                "also seen at %(others)s within %(num)d night. These agree: %(fields)s; so "
                "do words describing their clothing or features.",
                "A person described like one seen at %(venue)s on the night of %(night)s was "
                "also seen at %(others)s within %(num)d nights. These agree: %(fields)s; so "
                "do words describing their clothing or features.",
                nights,
                **values,
            )
        return ngettext(
            "A person described like one seen at %(venue)s on the night of %(night)s was "
            "also seen at %(others)s within %(num)d night. These agree: %(fields)s.",
            "A person described like one seen at %(venue)s on the night of %(night)s was "
            "also seen at %(others)s within %(num)d nights. These agree: %(fields)s.",
            nights,
            **values,
        )
    if kind == AlertKind.SEEN_AT_YOUR_VENUE:
        if details.get("cause") == "note":
            return _(
                "A note shared with the partnership has been added to red flag "
                "%(reference)s, who has been seen at %(venues)s.",
                reference=reference,
                venues=_list([venues[i] for i in details.get("venue_ids", []) if i in venues]),
            )
        return _(
            "Red flag %(reference)s, shared with the partnership, was seen at %(venue)s "
            "on the night of %(night)s.",
            reference=reference,
            venue=venue,
            night=night,
        )
    return _("Something needs your attention.")


def _where_to(user: User, alert: Alert) -> tuple[str | None, str | None]:
    """Where ``user`` may go from ``alert``: a subject's profile (which asks why), or for
    police a sighting or the venue's sightings that night; coordinators cannot open
    sightings, so their sighting alerts lead nowhere."""
    if alert.subject is not None:
        return (
            url_for("subjects.profile", subject_id=alert.subject_id),
            _("Open red flag %(reference)s", reference=alert.subject.reference),
        )
    if user.role_enum not in POLICE_ROLES:
        return None, None
    if alert.kind == AlertKind.BUSY_VENUE and alert.night is not None:
        night = alert.night.isoformat()
        return (
            url_for(
                "sightings.list_sightings",
                venue=alert.venue_id,
                night_from=night,
                night_to=night,
            ),
            _("See that night's sightings at the venue"),
        )
    if alert.sighting_id is not None:
        return (
            url_for("sightings.detail", sighting_id=alert.sighting_id),
            _("See the sighting"),
        )
    return None, None


def present(user: User, alerts: Sequence[Alert], read: Iterable[int] = ()) -> list[ShownAlert]:
    """The alerts as ``user`` sees them; ``read`` holds the ids they have read."""
    venues = _venue_names(alerts)
    done = set(read)
    shown = []
    for alert in alerts:
        href, link_text = _where_to(user, alert)
        shown.append(
            ShownAlert(
                alert.id,
                alert.kind,
                alert.created_at,
                _message(alert, venues, user.role_enum),
                href,
                link_text,
                alert.id not in done,
            )
        )
    return shown
