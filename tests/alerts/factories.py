"""Alerts made straight in the database, as the signals that raise them would have made
them: raising is tested on its own; these stand in for it elsewhere."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Flask

from partnership.alerts.models import Alert
from partnership.extensions import db


def add_alert(app: Flask, audience: str, organisation_id: int | None = None, **values: Any) -> int:
    """A busy-venue alert (about no subject) on the night of 27 November 2026 for
    ``audience`` ("police", "coordinators", or "organisation" with ``organisation_id``)."""
    columns: dict[str, Any] = {
        "kind": "busy_venue",
        "night": date(2026, 11, 27),
        "details": {"count": 3},
        **values,
    }
    with app.app_context():
        alert = Alert(
            key=uuid.uuid4().hex, audience=audience, organisation_id=organisation_id, **columns
        )
        db.session.add(alert)
        db.session.commit()
        return alert.id
