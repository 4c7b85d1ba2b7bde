"""Safe Space uses and welfare notes made straight in the database, as other people would
have made them: the welfare forms are tested on their own; these stand in for them
elsewhere."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask

from partnership.auth.models import User
from partnership.extensions import db
from partnership.welfare.models import SafeSpaceUse, WelfareNote

TONIGHT = date(2026, 11, 27)  # Friday 27 November 2026


def add_safe_space_use(
    app: Flask,
    author: User,
    venue_id: int,
    *,
    night: date = TONIGHT,
    sighting_id: int | None = None,
    **values: Any,
) -> int:
    """A Safe Space use at ``venue_id`` at 23:00 on ``night``, handed to a friend unless
    ``values`` say otherwise."""
    moment = datetime.combine(night, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23)
    with app.app_context():
        use = SafeSpaceUse(
            submission_key=uuid.uuid4().hex,
            organisation_id=author.organisation_id,
            author_id=author.id,
            venue_id=venue_id,
            arrived_at=moment,
            night=night,
            sighting_id=sighting_id,
            **{"handed_to": "friend", **values},
        )
        db.session.add(use)
        db.session.commit()
        return use.id


def add_welfare_note(
    app: Flask, author: User, venue_id: int | None, *, night: date = TONIGHT, **values: Any
) -> int:
    """A welfare note at 22:00 on ``night``, at ``venue_id`` or else at the bus station,
    handed to a friend unless ``values`` say otherwise."""
    moment = datetime.combine(night, datetime.min.time(), tzinfo=UTC) + timedelta(hours=22)
    with app.app_context():
        note = WelfareNote(
            submission_key=uuid.uuid4().hex,
            organisation_id=author.organisation_id,
            author_id=author.id,
            occurred_at=moment,
            night=night,
            venue_id=venue_id,
            place="" if venue_id else "Bus station",
            **{"handed_to": "friend", **values},
        )
        db.session.add(note)
        db.session.commit()
        return note.id
