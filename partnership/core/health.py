"""Is the portal ready to serve? Each store it depends on, checked on its own.

``/healthz`` is liveness: the process answers, whatever its stores do (a load balancer must
not restart a healthy worker because the database is away). ``/readyz`` is readiness: the
database, Redis (when configured) and the store background jobs keep their work in, each
reported separately, 503 when any configured one is unavailable.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, text

from partnership.core.outage import is_outage
from partnership.extensions import db

OK = "ok"
UNAVAILABLE = "unavailable"
NOT_CONFIGURED = "not configured"


def _database() -> str:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:
        if is_outage(error):
            return UNAVAILABLE
        raise
    return OK


def _redis(app: Flask) -> str:
    if not app.config["REDIS_URL"]:
        return NOT_CONFIGURED
    from partnership.core.redis import client

    try:
        client(app).ping()
    except Exception as error:
        if is_outage(error):
            return UNAVAILABLE
        raise
    return OK


def _jobs() -> str:
    # Long reports run as stored runs (partnership.reports.runs): their store is the
    # report_runs table.
    from partnership.reports.models import ReportRun

    try:
        with db.engine.connect() as conn:
            conn.execute(select(ReportRun.id).limit(1))
    except Exception as error:
        if is_outage(error):
            return UNAVAILABLE
        raise
    return OK


def readiness(app: Flask) -> tuple[dict[str, str], bool]:
    """Each store's state, and whether every configured one is available."""
    states = {"database": _database(), "redis": _redis(app), "jobs": _jobs()}
    return states, all(state != UNAVAILABLE for state in states.values())
