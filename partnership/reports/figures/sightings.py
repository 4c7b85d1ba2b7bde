"""Sightings: how many, what was seen, how the victim responded, what was done, and the
details obtained."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from partnership.core.enums import ActionTaken, Behaviour, VictimResponse
from partnership.extensions import db
from partnership.reports.figures.common import (
    NO_ACTION,
    ZERO,
    Count,
    Window,
    counts,
    in_order,
    sighting_conditions,
)
from partnership.sightings.models import Sighting, SightingBehaviour


@dataclass(frozen=True)
class SightingFigures:
    """Sightings, and what was seen, how the victim responded and what was done.

    Each mapping holds every code of its enum in the enum's order (zeros included), then any
    other stored code. A sighting with several behaviours counts once under each.
    """

    total: Count
    by_behaviour: Mapping[str, Count]
    by_victim_response: Mapping[str, Count]
    by_action: Mapping[str, Count]
    interventions: Count  # action taken other than "no_action"


def sighting_figures(window: Window) -> SightingFigures:
    # Counted per night first, in the order of the (night, victim response, action taken)
    # index, which holds all it needs (no sort, no row read), then summed on each side.
    per_night = (
        select(
            Sighting.night.label("night"),
            Sighting.victim_response.label("victim_response"),
            Sighting.action_taken.label("action_taken"),
            func.count().label("n"),
        )
        .where(*sighting_conditions(window))
        .group_by(Sighting.night, Sighting.victim_response, Sighting.action_taken)
        .subquery()
    )
    current, previous = window.split_counts(per_night.c.night, per_night.c.n)
    rows = db.session.execute(
        select(per_night.c.victim_response, per_night.c.action_taken, current, previous).group_by(
            per_night.c.victim_response, per_night.c.action_taken
        )
    ).all()
    total = sum((Count(int(r[2]), int(r[3])) for r in rows), ZERO)
    by_response = counts((r[0], r[2], r[3]) for r in rows)
    by_action = counts((r[1], r[2], r[3]) for r in rows)
    # Behaviours are counted by their own copy of the night: without filters, from their
    # (night, code) index alone, never joining the sightings, per night in its order first.
    counted = select(
        SightingBehaviour.night.label("night"),
        SightingBehaviour.code.label("code"),
        func.count().label("n"),
    ).where(*window.nights(SightingBehaviour.night))
    if window.filters.any:
        counted = counted.join(Sighting, Sighting.id == SightingBehaviour.sighting_id).where(
            *sighting_conditions(window, by_night=False)
        )
    codes = counted.group_by(SightingBehaviour.night, SightingBehaviour.code).subquery()
    by_night = window.split_counts(codes.c.night, codes.c.n)
    behaviours = db.session.execute(select(codes.c.code, *by_night).group_by(codes.c.code)).all()
    return SightingFigures(
        total=total,
        by_behaviour=in_order((b.value for b in Behaviour), counts(behaviours)),
        by_victim_response=in_order((v.value for v in VictimResponse), by_response),
        by_action=in_order((a.value for a in ActionTaken), by_action),
        interventions=total - by_action.get(NO_ACTION, ZERO),
    )


def details_obtained_of(window: Window) -> Count:
    # By when the details were obtained, which may be nights after the sighting, so this one
    # is bounded by the moment column rather than the night.
    current, previous = window.split_moments(Sighting.details_obtained_at)
    row = db.session.execute(
        select(current, previous).where(
            *window.moments(Sighting.details_obtained_at),
            *sighting_conditions(window, by_night=False),
        )
    ).one()
    return Count(int(row[0]), int(row[1]))
