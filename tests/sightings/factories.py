"""Sightings made straight in the database, as other people would have made them: the
sightings form is tested on its own; these stand in for it elsewhere."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from flask import Flask

from partnership.auth.models import User
from partnership.core.nights import night_of
from partnership.extensions import db
from partnership.sightings.models import Sighting, SightingBehaviour

TONIGHT = date(2026, 11, 27)  # Friday 27 November 2026


def add_sighting(
    app: Flask,
    author: User,
    venue_id: int | None,
    *,
    night: date = TONIGHT,
    behaviours: tuple[str, ...] = ("aspb.following",),
    sharing: str = "partnership",
    **described: str,
) -> int:
    """A sighting at 23:30 on ``night``, described as ``described`` says."""
    moment = datetime.combine(night, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23.5)
    with app.app_context():
        sighting = Sighting(
            submission_key=uuid.uuid4().hex,
            organisation_id=author.organisation_id,
            author_id=author.id,
            sharing=sharing,
            occurred_at=moment,
            night=night_of(moment),
            venue_id=venue_id,
            place="" if venue_id else "Castle Square",
            victim_response="moved_away",
            action_taken="spoke_to",
            behaviours=[SightingBehaviour(code=code) for code in behaviours],
            **described,
        )
        db.session.add(sighting)
        db.session.commit()
        return sighting.id
