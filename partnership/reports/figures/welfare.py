"""Safe Space uses, welfare notes and hand-overs."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, false, select

from partnership.core.enums import HandedTo, SafeSpaceReason, Support
from partnership.core.geo import area_containing
from partnership.extensions import db
from partnership.reports.figures.common import (
    NOT_HANDED,
    ZERO,
    Count,
    Window,
    counts,
    in_order,
)
from partnership.venues.models import Area, Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote


@dataclass(frozen=True)
class WelfareFigures:
    """Safe Space uses and welfare notes. A use counts once under each of its reasons and each
    support given. A hand-over is a use or note handed to anyone but "nobody"."""

    safe_space_uses: Count
    uses_by_reason: Mapping[str, Count]
    uses_by_support: Mapping[str, Count]
    uses_by_handed_to: Mapping[str, Count]
    welfare_notes: Count
    notes_by_handed_to: Mapping[str, Count]
    handovers: Count
    handovers_by_handed_to: Mapping[str, Count]  # uses and notes together, "nobody" left out


def _venues_in_area(area_id: int) -> list[int]:
    """The venues whose point is in ``area_id``, by the rule that gives a sighting at a
    venue its area (the smallest active area holding the venue's point)."""
    areas = list(db.session.scalars(select(Area).where(Area.active.is_(True))))
    venues = db.session.execute(
        select(Venue.id, Venue.latitude, Venue.longitude).where(
            Venue.latitude.is_not(None), Venue.longitude.is_not(None)
        )
    ).all()
    found = []
    for venue_id, latitude, longitude in venues:
        area = area_containing(latitude, longitude, areas)
        if area is not None and area.id == area_id:
            found.append(venue_id)
    return found


def _place_conditions(
    window: Window, venue_column: Any, venues_in_area: list[int] | None
) -> list[ColumnElement[bool]]:
    filters = window.filters
    conditions: list[ColumnElement[bool]] = []
    if filters.venue_id is not None:
        conditions.append(venue_column == filters.venue_id)
    if venues_in_area is not None:
        conditions.append(venue_column.in_(venues_in_area) if venues_in_area else false())
    return conditions


def _json_codes(value: Any) -> list[str]:
    if value is None:
        return []
    codes = json.loads(value) if isinstance(value, str) else value
    return [str(code) for code in codes or []]


def welfare_figures(window: Window) -> WelfareFigures:
    area = window.filters.area_id
    venues_in_area = _venues_in_area(area) if area is not None else None
    current, previous = window.split_nights(SafeSpaceUse.night)
    reasons_text = cast(SafeSpaceUse.reasons, Text)
    support_text = cast(SafeSpaceUse.support, Text)
    uses = db.session.execute(
        select(reasons_text, support_text, SafeSpaceUse.handed_to, current, previous)
        .where(
            *window.nights(SafeSpaceUse.night),
            *_place_conditions(window, SafeSpaceUse.venue_id, venues_in_area),
        )
        .group_by(reasons_text, support_text, SafeSpaceUse.handed_to)
    ).all()
    total = sum((Count(int(r[3]), int(r[4])) for r in uses), ZERO)
    by_reason = counts((code, r[3], r[4]) for r in uses for code in _json_codes(r[0]))
    by_support = counts((code, r[3], r[4]) for r in uses for code in _json_codes(r[1]))
    uses_handed = counts((r[2], r[3], r[4]) for r in uses)

    note_now, note_before = window.split_nights(WelfareNote.night)
    notes = db.session.execute(
        select(WelfareNote.handed_to, note_now, note_before)
        .where(
            *window.nights(WelfareNote.night),
            *_place_conditions(window, WelfareNote.venue_id, venues_in_area),
        )
        .group_by(WelfareNote.handed_to)
    ).all()
    notes_handed = counts(notes)
    handed_codes = [h.value for h in HandedTo if h.value not in NOT_HANDED]
    both: dict[str, Count] = defaultdict(lambda: ZERO)
    for found in (uses_handed, notes_handed):
        for code, number in found.items():
            if code not in NOT_HANDED:
                both[code] += number
    return WelfareFigures(
        safe_space_uses=total,
        uses_by_reason=in_order((r.value for r in SafeSpaceReason), by_reason),
        uses_by_support=in_order((s.value for s in Support), by_support),
        uses_by_handed_to=in_order((h.value for h in HandedTo), uses_handed),
        welfare_notes=sum(notes_handed.values(), ZERO),
        notes_by_handed_to=in_order((h.value for h in HandedTo), notes_handed),
        handovers=sum(both.values(), ZERO),
        handovers_by_handed_to=in_order(handed_codes, both),
    )
