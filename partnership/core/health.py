"""Is the portal ready to serve? Each store it depends on, checked on its own.

``/healthz`` is liveness: the process answers, whatever its stores do (a load balancer must
not restart a healthy worker because the database is away). ``/readyz`` is readiness: the
database, Redis (when configured) and the store background jobs keep their work in, each
reported separately, 503 when any configured one is unavailable.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select, text

from partnership.core.outage import is_outage
from partnership.core.redis import client
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
    try:
        client(app).ping()
    except Exception as error:
        if is_outage(error):
            return UNAVAILABLE
        raise
    return OK


def add_store(app: Flask, name: str, model: Any) -> None:
    """Report ``name`` in ``app``'s readiness too: the store a feature keeps its work in,
    available when ``model``'s table can be read (the app factory adds the report runs'
    table as "jobs", the store background jobs keep their work in)."""
    app.extensions.setdefault("readiness_stores", {})[name] = model


def _store(model: Any) -> str:
    try:
        with db.engine.connect() as conn:
            conn.execute(select(model.id).limit(1))
    except Exception as error:
        if is_outage(error):
            return UNAVAILABLE
        raise
    return OK


def readiness(app: Flask) -> tuple[dict[str, str], bool]:
    """Each store's state, and whether every configured one is available."""
    states = {"database": _database(), "redis": _redis(app)}
    for name, model in app.extensions.get("readiness_stores", {}).items():
        states[name] = _store(model)
    return states, all(state != UNAVAILABLE for state in states.values())
