"""Sightings: recording one, correcting one (who may see them: :mod:`.visibility`).

Functions add and flush and leave their audit event; the view commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, func, select

from partnership.auth.models import User
from partnership.core import audit, locking
from partnership.core.access import POLICE_ROLES
from partnership.core.description import DESCRIPTION_FIELDS, DescriptionData
from partnership.core.enums import Sharing
from partnership.core.forms import record_id
from partnership.core.geo import area_containing
from partnership.core.models import utcnow
from partnership.core.nights import night_of, to_local
from partnership.core.signals import sighting_saved
from partnership.core.statements import PerReader
from partnership.core.uploads import CleanImage
from partnership.extensions import db
from partnership.sightings.models import Attachment, Sighting, SightingBehaviour, SightingRevision
from partnership.sightings.visibility import visible_sightings
from partnership.venues.models import Area, Venue
from partnership.welfare.visibility import find_visible_safe_space_use, find_visible_welfare_note


@dataclass(frozen=True)
class Prefill:
    """What a sighting logged from a record starts with: a moment, and form fields."""

    moment: datetime
    fields: dict[str, Any] = field(default_factory=dict)


def _same_moment(source: Any) -> Prefill:
    """Same time as a Safe Space use (its arrival) or welfare note."""
    return Prefill(getattr(source, "arrived_at", None) or source.occurred_at)


def _usual_earliest(source: Any) -> datetime | None:
    return None


def _nothing_more(actor: User, source: Any, now: datetime) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class SourceKind:
    """A kind of record a sighting can be logged from (named in the form's ``source`` as
    ``kind:id``): how to find one the user may see, how far back its sighting may be (None:
    the usual 31 days), what the form starts with, and what linking it does beyond pointing
    it at the sighting (the extra details of its audit event)."""

    find_visible: Callable[[User, int], Any]
    earliest: Callable[[Any], datetime | None] = _usual_earliest
    prefill: Callable[[Any], Prefill] = _same_moment
    linked: Callable[[User, Any, datetime], dict[str, Any]] = _nothing_more


# Safe Space uses and welfare notes are the sightings' own neighbours; features above
# sightings (the triage of public reports) add theirs with :func:`register_source`.
SOURCE_KINDS: dict[str, SourceKind] = {
    "safe_space_use": SourceKind(find_visible_safe_space_use),
    "welfare_note": SourceKind(find_visible_welfare_note),
}


def register_source(kind: str, source_kind: SourceKind) -> None:
    """Let sightings be logged from records of ``kind`` (their table's name, singular)."""
    SOURCE_KINDS[kind] = source_kind


def source_name(source: Any) -> str:
    """The kind of ``source``, as the form's ``source`` field and the audit trail name it."""
    return str(source.__tablename__).removesuffix("s")


def find_source(user: User, source: str | None) -> Any:
    """The record named by the form's ``source`` (``kind:id``) that a sighting is logged
    from, if ``user`` may see it (each kind by its own visibility rule); else None."""
    kind, _sep, raw_id = (source or "").partition(":")
    record = record_id(raw_id)
    known = SOURCE_KINDS.get(kind)
    if record is None or known is None:
        return None
    return known.find_visible(user, record)


def earliest_for(source: Any) -> datetime | None:
    """How far back a sighting made from ``source`` may be (None: the usual 31 days, also
    for a sighting made from nothing)."""
    if source is None:
        return None
    return SOURCE_KINDS[source_name(source)].earliest(source)


def prefill_from(source: Any) -> Prefill:
    """What a sighting logged from ``source`` starts with, beyond its venue and place."""
    return SOURCE_KINDS[source_name(source)].prefill(source)


def link_source(actor: User, sighting: Sighting, source: Any) -> None:
    """Point the record a sighting was logged from at the sighting, do what its kind does
    on linking (a new public report is then reviewed), and audit it."""
    kind = source_name(source)
    source.sighting_id = sighting.id
    extra = SOURCE_KINDS[kind].linked(actor, source, utcnow())
    db.session.flush()
    audit.record(
        f"{kind}.sighting_linked",
        actor=actor,
        object_type=kind,
        object_id=source.id,
        sighting=sighting.id,
        **extra,
    )


def _tonight(user: User, night: date) -> Select[tuple[Sighting]]:
    query = visible_sightings(user).where(Sighting.night == night)
    if user.role_enum not in POLICE_ROLES:
        query = query.where(Sighting.organisation_id == user.organisation_id)
    return query


def _tonights_rows(user: User, night: date, limit: int) -> Select[Any]:
    return (
        _tonight(user, night)
        .with_only_columns(
            Sighting.id,
            Sighting.occurred_at,
            Sighting.place,
            Sighting.latitude,
            Sighting.longitude,
            Venue.name.label("venue_name"),
            Venue.latitude.label("venue_latitude"),
            Venue.longitude.label("venue_longitude"),
        )
        .outerjoin(Venue, Venue.id == Sighting.venue_id)
        .order_by(Sighting.occurred_at.desc())
        .limit(limit)
    )


def _tonights_count(user: User, night: date) -> Select[tuple[int]]:
    counted = _tonight(user, night).with_only_columns(Sighting.id).order_by(None).subquery()
    return select(func.count()).select_from(counted)


# The dashboard shows both on every visit: built once per reader and night.
_kept_rows = PerReader(_tonights_rows)
_kept_count = PerReader(_tonights_count)


def tonights_sightings(user: User, now: datetime, limit: int = 50) -> list[Row[Any]]:
    """Tonight's newest sightings for the dashboard, at most ``limit``: the user's
    organisation's, or all for police. Rows of what the dashboard shows and maps (id, when,
    place, point, and the venue's name and point), not whole records."""
    return list(db.session.execute(_kept_rows(user, night_of(now), limit)))


def count_tonight(user: User, now: datetime) -> int:
    """How many sightings :func:`tonights_sightings` would give with no limit (through the
    night index: tonight's rows only)."""
    return db.session.scalar(_kept_count(user, night_of(now))) or 0


def behaviour_codes(sighting_ids: list[int]) -> dict[int, list[str]]:
    """The behaviour codes of each of ``sighting_ids`` (in code order), in one query."""
    codes: dict[int, list[str]] = {sighting_id: [] for sighting_id in sighting_ids}
    if sighting_ids:
        rows = db.session.execute(
            select(SightingBehaviour.sighting_id, SightingBehaviour.code)
            .where(SightingBehaviour.sighting_id.in_(sighting_ids))
            .order_by(SightingBehaviour.code)
        )
        for sighting_id, code in rows:
            codes[sighting_id].append(code)
    return codes


def map_points(sightings: list[Row[Any]]) -> list[dict[str, Any]]:
    """Where each of :func:`tonights_sightings` was, for a map: the point given, else the
    venue's."""
    points = []
    for sighting in sightings:
        lat, lon = sighting.latitude, sighting.longitude
        if lat is None or lon is None:
            lat, lon = sighting.venue_latitude, sighting.venue_longitude
        if lat is not None and lon is not None:
            label = to_local(sighting.occurred_at).strftime("%H:%M")
            points.append({"id": sighting.id, "lat": lat, "lon": lon, "label": label})
    return points


@dataclass
class SightingData(DescriptionData):
    """What the form says, checked; the fields a correction may change."""

    occurred_at: datetime
    venue_id: int | None
    place: str
    latitude: float | None
    longitude: float | None
    behaviours: list[str]
    other_behaviour: str
    victim_response: str
    action_taken: str
    vulnerabilities: list[str] = field(default_factory=list)
    description: str = ""
    sharing: str = Sharing.PARTNERSHIP.value


def find_by_submission_key(user: User, key: str) -> Sighting | None:
    """The sighting this user already made from this form, if a tap was sent twice."""
    return db.session.scalar(
        select(Sighting).where(Sighting.submission_key == key, Sighting.author_id == user.id)
    )


def area_for(venue: Venue | None, latitude: float | None, longitude: float | None) -> Area | None:
    """The area a record at ``venue`` (its point first) or at the point given falls in: the
    smallest active area holding it. Sightings and public reports are placed by this rule."""
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        latitude, longitude = venue.latitude, venue.longitude
    if latitude is None or longitude is None:
        return None
    areas = db.session.scalars(select(Area).where(Area.active.is_(True))).all()
    return area_containing(latitude, longitude, list(areas))


def _apply(sighting: Sighting, data: SightingData) -> None:
    venue = db.session.get(Venue, data.venue_id) if data.venue_id else None
    sighting.occurred_at = data.occurred_at
    sighting.night = night_of(data.occurred_at)
    sighting.venue_id = venue.id if venue else None
    sighting.place = data.place.strip()
    sighting.latitude, sighting.longitude = data.latitude, data.longitude
    area = area_for(venue, data.latitude, data.longitude)
    sighting.area_id = area.id if area else None
    sighting.behaviours = [
        SightingBehaviour(code=code, night=sighting.night) for code in sorted(set(data.behaviours))
    ]
    for name in (
        "other_behaviour",
        "victim_response",
        "action_taken",
        *DESCRIPTION_FIELDS,
        "description",
        "sharing",
    ):
        value = getattr(data, name)
        setattr(sighting, name, value.strip() if isinstance(value, str) else value)
    sighting.vulnerabilities = sorted(set(data.vulnerabilities))


def record_sighting(
    actor: User,
    data: SightingData,
    photos: list[CleanImage],
    submission_key: str,
    now: datetime,
    *,
    digest: str | None = None,
) -> Sighting:
    """Add a sighting with its photos, as one unit: the view's single commit saves
    all of it or, if anything fails, none of it. ``digest`` is that of the answers the
    form's key came with (:mod:`partnership.core.submissions`)."""
    sighting = Sighting(
        submission_key=submission_key,
        submission_digest=digest,
        organisation_id=actor.organisation_id,
        author_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    _apply(sighting, data)
    for photo in photos:
        sighting.photos.append(Attachment(**photo.stored()))
    db.session.add(sighting)
    db.session.flush()
    audit.record(
        "sighting.created",
        actor=actor,
        object_type="sighting",
        object_id=sighting.id,
        photos=len(photos),
        sharing=sighting.sharing,
    )
    sighting_saved.send(sighting, now=now)
    return sighting


def snapshot(sighting: Sighting) -> dict[str, Any]:
    """The correctable fields, as plain JSON values, for the history."""
    values = data_of(sighting)
    values["occurred_at"] = sighting.occurred_at.isoformat()
    return values


def correct_sighting(
    actor: User, sighting: Sighting, data: SightingData, now: datetime
) -> SightingRevision | None:
    """Change a sighting and keep what it said before in its history; None if nothing changed."""
    before = snapshot(sighting)
    if sorted(set(data.behaviours)) != before["behaviours"]:
        locking.changed(sighting, "behaviours")  # rows of their own: not in its columns
    _apply(sighting, data)
    db.session.flush()
    after = snapshot(sighting)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return None
    sighting.updated_at = now
    revision = SightingRevision(
        sighting_id=sighting.id,
        changed_by_id=actor.id,
        changed_at=now,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    db.session.add(revision)
    db.session.flush()
    audit.record(
        "sighting.corrected",
        actor=actor,
        object_type="sighting",
        object_id=sighting.id,
        fields=changed,
    )
    return revision


def data_of(sighting: Sighting) -> dict[str, Any]:
    """The sighting's correctable fields as :class:`SightingData` would hold them."""
    values = {f.name: getattr(sighting, f.name) for f in fields(SightingData)}
    values["behaviours"] = sighting.behaviour_codes
    values["vulnerabilities"] = list(sighting.vulnerabilities)
    return values
