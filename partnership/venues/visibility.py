"""Who manages the partnership's venues and areas: every venue and area is theirs to
list, add and change (other pages read venues through their own records' rules)."""

from __future__ import annotations

from partnership.core.access import MANAGERS
from partnership.extensions import db
from partnership.venues.models import Area, Venue

# Partnership managers (coordinators and administrators) keep the venues and areas.
VENUE_MANAGERS = MANAGERS


def find_venue(venue_id: int) -> Venue | None:
    """The venue, for its managers (they see every one); None if there is none."""
    return db.session.get(Venue, venue_id)


def find_area(area_id: int) -> Area | None:
    """The area, for its managers (they see every one); None if there is none."""
    return db.session.get(Area, area_id)
