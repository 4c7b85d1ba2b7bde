"""Report runs made straight in the database, as asking for a long report would have made
them: the runner is tested on its own; these stand in for it elsewhere."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Flask

from partnership.auth.models import User
from partnership.core.models import utcnow
from partnership.extensions import db
from partnership.reports.models import ReportRun


def add_report_run(app: Flask, owner: User, **values: Any) -> str:
    """A long report of the first half of 2026 asked for by ``owner``, waiting to start
    unless ``values`` say otherwise; returns its id."""
    run_id = uuid.uuid4().hex
    columns: dict[str, Any] = {
        "arguments": {"range": "custom", "from": "2026-01-01", "to": "2026-06-30"},
        "first_night": date(2026, 1, 1),
        "last_night": date(2026, 6, 30),
        "state": "waiting",
        "step": 0,
        "steps": 9,
        "created_at": utcnow(),
        **values,
    }
    with app.app_context():
        db.session.add(ReportRun(id=run_id, user_id=owner.id, **columns))
        db.session.commit()
    return run_id


# The record-level sightings export's header: stable codes only, no free text.
SIGHTINGS_HEADER = [
    "Row",
    "Night",
    "Time (UK time)",
    "Venue",
    "Area",
    "Behaviour codes",
    "Victim response",
    "Action taken",
    "Apparent sex",
    "Apparent age",
    "Height",
    "Build",
    "Details obtained",
    "Linked subjects",
]
