"""The dashboard, the language switch and the health check."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_login import current_user
from werkzeug.wrappers import Response

from partnership.alerts import service as alerts_service
from partnership.alerts.visibility import receives_alerts
from partnership.auth import service as auth_service
from partnership.core import health
from partnership.core.access import (
    FRONTLINE_ROLES,
    POLICE_ROLES,
    actor,
    may_open,
    public,
    signed_in,
)
from partnership.core.catalogue import gettext as _
from partnership.core.enums import LOCALES
from partnership.core.models import utcnow
from partnership.core.navigation import dashboard_panels
from partnership.core.nights import night_of
from partnership.core.urls import safe_next
from partnership.extensions import db
from partnership.home import bp
from partnership.home.service import (
    orders_in_force,
    public_reports_waiting,
    this_week,
)
from partnership.sightings import service as sightings_service
from partnership.venues import service as venues_service
from partnership.welfare import service as welfare_service

DASHBOARD_ALERTS = 5
# Tonight's newest sightings and Safe Space uses listed (the map shows up to 50).
DASHBOARD_LISTED = 10


@bp.route("/")
@public
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@signed_in
def dashboard() -> str:
    user = actor()
    alerts = None
    if receives_alerts(user.role_enum):  # first: its audit event commits
        unread = alerts_service.unread_alerts(user, utcnow().date(), DASHBOARD_ALERTS)
        alerts = alerts_service.shown_alerts(user, unread)
        if unread:
            alerts_service.record_listed(user, unread, where="dashboard")
            db.session.commit()
    sightings, safe_space_uses, sightings_count, uses_count = [], [], 0, 0
    if user.role_enum in FRONTLINE_ROLES:
        sightings = sightings_service.tonights_sightings(user, utcnow())
        sightings_count = sightings_service.count_tonight(user, utcnow())
        safe_space_uses = welfare_service.tonights_safe_space_uses(
            user, utcnow(), limit=DASHBOARD_LISTED
        )
        uses_count = welfare_service.count_tonights_safe_space_uses(user, utcnow())
    orders = orders_in_force(user, utcnow()) if user.role_enum in POLICE_ROLES else None
    triage = None
    if user.role_enum in POLICE_ROLES:
        triage = public_reports_waiting(
            user, utcnow(), int(current_app.config["TRIAGE_WARNING_HOURS"])
        )
    # The report's readers see this week against last week; police see the orders instead.
    week = None
    if may_open("reports.report", user) and user.role_enum not in POLICE_ROLES:
        week = this_week(user.role_enum.value, utcnow())
    return render_template(
        "home/dashboard.html",
        panels=dashboard_panels(user),
        tonight=night_of(utcnow()),
        sightings=sightings,
        sightings_count=sightings_count,
        behaviours=sightings_service.behaviour_codes([s.id for s in sightings[:DASHBOARD_LISTED]]),
        listed=DASHBOARD_LISTED,
        safe_space_uses=safe_space_uses,
        uses_count=uses_count,
        alerts=alerts,
        orders=orders,
        triage=triage,
        oldest_waited=(
            format_timedelta(utcnow() - triage.oldest_received_at, threshold=1.5)
            if triage is not None and triage.oldest_received_at is not None
            else None
        ),
        week=week,
        tonight_map=(
            {**venues_service.map_data(), "points": sightings_service.map_points(sightings)}
            if sightings
            else None
        ),
    )


@bp.route("/language/<code>")
@public
def language(code: str) -> Response:
    """Switch language for this browser and, when signed in, save it as the user's choice."""
    target = safe_next(request.args.get("next")) or url_for("home.index")
    if code not in LOCALES:
        flash(_("That language is not available. Choose English or Cymraeg."), "error")
        return redirect(target)
    session["lang"] = code
    if current_user.is_authenticated:
        auth_service.change_locale(actor(), code)
        db.session.commit()
    return redirect(target)


@bp.route("/healthz")
@public
def healthz() -> tuple[dict[str, Any], int]:
    """Liveness: the process answers (see partnership.core.health)."""
    return {"status": "ok"}, 200


@bp.route("/readyz")
@public
def readyz() -> tuple[dict[str, Any], int]:
    """Readiness: the database, Redis and the job store, each on its own."""
    states, ready = health.readiness(current_app._get_current_object())  # type: ignore[attr-defined]
    return {"status": "ok" if ready else "unavailable", **states}, 200 if ready else 503
