"""Managing venues and areas. Functions add and flush and leave an audit event; the view commits."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select

from partnership.auth.models import Organisation, User
from partnership.core import audit, geo
from partnership.core.enums import OrgKind
from partnership.extensions import db
from partnership.venues.models import Area, Venue


@dataclass(frozen=True)
class VenueDetails:
    """What a coordinator enters about a venue, already checked by the form."""

    name: str
    organisation_id: int
    address: str
    postcode: str
    latitude: float
    longitude: float
    licence_number: str
    has_safe_space: bool

    def tidied(self) -> VenueDetails:
        """The same details as stored: trimmed, the postcode standard, the point rounded."""
        postcode = geo.normalise_postcode(self.postcode) or self.postcode.strip().upper()
        return VenueDetails(
            name=self.name.strip(),
            organisation_id=self.organisation_id,
            address=self.address.strip(),
            postcode=postcode,
            latitude=round(self.latitude, geo.COORDINATE_DECIMALS),
            longitude=round(self.longitude, geo.COORDINATE_DECIMALS),
            licence_number=self.licence_number.strip(),
            has_safe_space=self.has_safe_space,
        )


def venue_organisations(include: Organisation | None = None) -> list[Organisation]:
    """Organisations a venue may belong to: active licensed premises (and ``include``,
    a venue's current organisation, even if it has since been deactivated)."""
    query = select(Organisation).where(Organisation.kind == OrgKind.LICENSED_PREMISES.value)
    if include is not None:
        query = query.where(or_(Organisation.active.is_(True), Organisation.id == include.id))
    else:
        query = query.where(Organisation.active.is_(True))
    return list(db.session.scalars(query.order_by(Organisation.name)))


def venue_organisation(organisation_id: int | None) -> Organisation | None:
    """The organisation with this id if it is a licensed premises, else None."""
    if organisation_id is None:
        return None
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind_enum is not OrgKind.LICENSED_PREMISES:
        return None
    return organisation


def create_venue(actor: User | None, details: VenueDetails) -> Venue:
    """Add an active venue and audit it.

    ``details.organisation_id`` must name a licensed premises (see
    :func:`venue_organisation`); the postcode is stored in its standard form.
    """
    tidy = details.tidied()
    venue = Venue(**asdict(tidy), active=True)
    db.session.add(venue)
    db.session.flush()
    audit.record(
        "venue.created",
        actor=actor,
        object_type="venue",
        object_id=venue.id,
        **asdict(tidy),
    )
    return venue


def update_venue(actor: User, venue: Venue, details: VenueDetails, active: bool) -> None:
    """Change a venue's details or (de)activate it; audited with the before and after
    of each field that changed, and not at all if nothing did."""
    changes = _apply(venue, {**asdict(details.tidied()), "active": active})
    if changes:
        db.session.flush()
        audit.record(
            "venue.updated", actor=actor, object_type="venue", object_id=venue.id, changes=changes
        )


def area_name_taken(name: str, except_area: Area | None = None) -> bool:
    """True if another area has this name, in any case."""
    query = select(func.count(Area.id)).where(func.lower(Area.name) == name.strip().lower())
    if except_area is not None:
        query = query.where(Area.id != except_area.id)
    return bool(db.session.scalar(query))


def create_area(
    actor: User | None, *, name: str, description: str, geometry: dict[str, Any]
) -> Area:
    """Add an active area and audit it with its shape.

    ``geometry`` must come from :func:`partnership.core.geo.parse_area_geometry`, and
    the name must be unused (:func:`area_name_taken`; the database refuses a duplicate).
    """
    area = Area(name=name.strip(), description=description.strip(), geometry=geometry, active=True)
    db.session.add(area)
    db.session.flush()
    audit.record(
        "area.created",
        actor=actor,
        object_type="area",
        object_id=area.id,
        name=area.name,
        geometry=geometry,
    )
    return area


def update_area(
    actor: User,
    area: Area,
    *,
    name: str,
    description: str,
    geometry: dict[str, Any],
    active: bool,
) -> None:
    """Rename, redraw or (de)activate an area; audited with the before and after of each
    field that changed (the old shape too, so earlier boundaries can be recovered)."""
    changes = _apply(
        area,
        {
            "name": name.strip(),
            "description": description.strip(),
            "geometry": geometry,
            "active": active,
        },
    )
    if changes:
        db.session.flush()
        audit.record(
            "area.updated", actor=actor, object_type="area", object_id=area.id, changes=changes
        )


def _apply(record: Venue | Area, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set each changed attribute; field -> [before, after] for those that changed."""
    changes: dict[str, list[Any]] = {}
    for field, value in values.items():
        before = getattr(record, field)
        if before != value:
            changes[field] = [before, value]
            setattr(record, field, value)
    return changes


def map_data(
    mode: str = "view", *, except_venue: Venue | None = None, except_area: Area | None = None
) -> dict[str, Any]:
    """What a map needs, for its ``data-map`` attribute: tiles (if any), the active
    areas and venues to show for context, and what a click edits (``mode``)."""
    # Only the columns a map draws: every active venue is on most maps.
    areas = db.session.execute(
        select(Area.id, Area.name, Area.geometry).where(Area.active.is_(True)).order_by(Area.name)
    )
    venues = db.session.execute(
        select(Venue.id, Venue.name, Venue.latitude, Venue.longitude, Venue.has_safe_space)
        .where(Venue.active.is_(True), Venue.latitude.is_not(None), Venue.longitude.is_not(None))
        .order_by(Venue.name)
    )
    skip_area = except_area.id if except_area is not None else None
    skip_venue = except_venue.id if except_venue is not None else None
    url = current_app.config["MAP_TILE_URL"]
    return {
        "mode": mode,
        "tiles": (
            {"url": url, "attribution": current_app.config["MAP_TILE_ATTRIBUTION"]} if url else None
        ),
        "areas": [{"name": a.name, "geometry": a.geometry} for a in areas if a.id != skip_area],
        "venues": [
            {"name": v.name, "lat": v.latitude, "lon": v.longitude, "safeSpace": v.has_safe_space}
            for v in venues
            if v.id != skip_venue
        ],
    }
