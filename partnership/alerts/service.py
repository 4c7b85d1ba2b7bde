"""Alerts: reading them (counts, pages, marking read) and showing them to a reader.

An alert names records by id only (a subject by its reference, venues by name, counts
and nights); what it says is written in the reader's language when it is shown, and
never holds a subject's personal details, a note's text or a sighting's free text.

Who sees which alert is :mod:`partnership.alerts.visibility`; what raises one is
:mod:`partnership.alerts.triggers`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel.lists import format_list
from flask import url_for
from flask_babel import get_locale
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from partnership.alerts.models import Alert, AlertKind, AlertRead
from partnership.alerts.triggers import RECUR_NIGHTS
from partnership.alerts.visibility import led_to_sightings, receives_alerts, visible_alerts
from partnership.auth.models import User
from partnership.core import audit
from partnership.core.catalogue import gettext as _
from partnership.core.catalogue import ngettext
from partnership.core.disclosure import SUPPRESS_BELOW, suppressed
from partnership.core.enums import Role
from partnership.core.forms import record_id, whole_number
from partnership.core.i18n import local_date
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.statements import PerReader
from partnership.extensions import db
from partnership.venues.models import Venue

# The described-person fields a match can agree on, titled as the forms title them.
FIELD_TITLES: dict[str, Any] = {
    "apparent_sex": _l("Apparent sex"),
    "age_band": _l("Apparent age"),
    "height": _l("Height"),
    "build": _l("Build"),
}


def _unread_by(user: User) -> ColumnElement[bool]:
    return ~exists().where(AlertRead.alert_id == Alert.id, AlertRead.user_id == user.id)


def _count_unread(user: User, today: date) -> Select[tuple[int]]:
    unread = (
        visible_alerts(user, today)
        .where(_unread_by(user))
        .order_by(None)
        .with_only_columns(Alert.id)
    )
    return select(func.count()).select_from(unread.subquery())


_unread_statement = PerReader(_count_unread)


def unread_count(user: User, today: date) -> int:
    """How many alerts ``user`` may see on ``today`` and has not marked read (one query,
    built once per reader and day: the header shows it on every page)."""
    if not receives_alerts(user.role_enum):
        return 0
    return db.session.scalar(_unread_statement(user, today)) or 0


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
    (:func:`partnership.core.disclosure.suppressed`)."""
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
    if not led_to_sightings(user):
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


def shown_alerts(user: User, alerts: Sequence[Alert], read: Iterable[int] = ()) -> list[ShownAlert]:
    """The alerts as ``user`` sees them, each worded in the request's language with where
    it leads; ``read`` holds the ids they have read."""
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
