"""The dashboard, the language switch and the health check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, or_, select, text
from werkzeug.wrappers import Response

from partnership.alerts import service as alerts_service
from partnership.auth import service as auth_service
from partnership.auth.models import User
from partnership.core.access import actor, public, signed_in
from partnership.core.enums import FRONTLINE_ROLES, LOCALES, POLICE_ROLES, Role
from partnership.core.models import utcnow
from partnership.core.navigation import dashboard_panels
from partnership.core.nights import night_of
from partnership.core.urls import safe_next
from partnership.extensions import db
from partnership.home import bp
from partnership.orders import notices
from partnership.orders.models import (
    Breach,
    DispersalAuthorisation,
    DispersalDirection,
    ExclusionNotice,
)
from partnership.orders.service import (
    visible_authorisations,
    visible_directions,
    visible_notices,
)
from partnership.reports import figures
from partnership.reports.service import Figure, movement, shown_count
from partnership.sightings import service as sightings_service
from partnership.venues import service as venues_service
from partnership.welfare import service as welfare_service

DASHBOARD_ALERTS = 5
# Each short list of orders on the dashboard shows at most this many.
DASHBOARD_ORDERS = 5
# Who sees "this week against last week".
WEEK_ROLES = frozenset({Role.COORDINATOR, Role.ANALYST})


@dataclass(frozen=True)
class Shortlist:
    """How many there are, and the first :data:`DASHBOARD_ORDERS` of them."""

    count: int
    items: list[Any]


@dataclass(frozen=True)
class OrdersInForce:
    """Police: the orders binding now and the breaches of the last 7 days."""

    authorisations: Shortlist
    directions: Shortlist
    notices: Shortlist
    breaches: Shortlist
    # The order each breach belongs to, for its reference and link.
    breach_directions: dict[int, DispersalDirection]
    breach_notices: dict[int, ExclusionNotice]


def _shortlist(query: Select[Any], *order: Any) -> Shortlist:
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.order_by(*order).limit(DASHBOARD_ORDERS)))
    return Shortlist(count or 0, items)


def orders_in_force(user: User, now: datetime) -> OrdersInForce:
    """Section 34 authorisations in force at ``now``, Section 35 directions binding at
    ``now``, partnership notices active today and breaches of the last 7 days, as ``user``
    may see them (through the orders' own visibility rules), each soonest-ending first
    (breaches newest first), counted in full but listed :data:`DASHBOARD_ORDERS` at most."""
    day = notices.notice_day(now)
    authorisations = _shortlist(
        visible_authorisations(user).where(
            DispersalAuthorisation.starts_at <= now,
            DispersalAuthorisation.ends_at > now,
            or_(DispersalAuthorisation.ended_at.is_(None), DispersalAuthorisation.ended_at > now),
        ),
        DispersalAuthorisation.ends_at,
        DispersalAuthorisation.id,
    )
    directions = _shortlist(
        visible_directions(user).where(
            DispersalDirection.withdrawn_at.is_(None),
            DispersalDirection.given_at <= now,
            DispersalDirection.ends_at > now,
        ),
        DispersalDirection.ends_at,
        DispersalDirection.id,
    )
    active_notices = _shortlist(
        visible_notices(user, day).where(
            ExclusionNotice.lifted_at.is_(None),
            ExclusionNotice.starts_on <= day,
            ExclusionNotice.ends_on >= day,
        ),
        ExclusionNotice.ends_on,
        ExclusionNotice.id,
    )
    breaches = _shortlist(
        select(Breach).where(
            Breach.occurred_at >= now - notices.RECENT_BREACHES,
            Breach.occurred_at <= now,
            or_(
                Breach.notice_id.in_(
                    visible_notices(user, day).with_only_columns(ExclusionNotice.id)
                ),
                Breach.direction_id.in_(
                    visible_directions(user).with_only_columns(DispersalDirection.id)
                ),
            ),
        ),
        Breach.occurred_at.desc(),
        Breach.id.desc(),
    )
    direction_ids = {b.direction_id for b in breaches.items if b.direction_id is not None}
    notice_ids = {b.notice_id for b in breaches.items if b.notice_id is not None}
    return OrdersInForce(
        authorisations=authorisations,
        directions=directions,
        notices=active_notices,
        breaches=breaches,
        breach_directions={
            d.id: d
            for d in db.session.scalars(
                select(DispersalDirection).where(DispersalDirection.id.in_(direction_ids))
            )
        }
        if direction_ids
        else {},
        breach_notices={
            n.id: n
            for n in db.session.scalars(
                select(ExclusionNotice).where(ExclusionNotice.id.in_(notice_ids))
            )
        }
        if notice_ids
        else {},
    )


def this_week(role: str, now: datetime) -> tuple[figures.Period, tuple[Figure, ...]]:
    """The report's summary figures for this week, each beside last week's, as ``role`` may
    see them (counts of 1 to 4 as "<5" and their movement withheld unless police)."""
    period = figures.preset("this_week", now)
    performance = figures.build_report(period, now=now).performance

    def figure(key: str, label: str, count: figures.Count) -> Figure:
        return Figure(
            key=key,
            label=label,
            value=shown_count(count.current, role),
            previous=shown_count(count.previous, role),
            movement=movement(count, role),
        )

    return period, (
        figure(
            "sightings",
            _("Sightings (intelligence submitted)"),
            performance.intelligence_submitted,
        ),
        figure("interventions", _("Interventions"), performance.interventions),
        figure("safe_space_uses", _("Safe Space uses"), performance.safe_space_uses),
        figure("details_obtained", _("Details obtained"), performance.details_obtained),
        figure("dispersals", _("Dispersals (Section 35 directions)"), performance.dispersals),
    )


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
    if alerts_service.receives_alerts(user.role_enum):  # first: its audit event commits
        unread = alerts_service.unread_alerts(user, utcnow().date(), DASHBOARD_ALERTS)
        alerts = alerts_service.present(user, unread)
        if unread:
            alerts_service.record_listed(user, unread, where="dashboard")
            db.session.commit()
    sightings, safe_space_uses = [], []
    if user.role_enum in FRONTLINE_ROLES:
        sightings = sightings_service.tonights_sightings(user, utcnow())
        safe_space_uses = welfare_service.tonights_safe_space_uses(user, utcnow())
    orders = orders_in_force(user, utcnow()) if user.role_enum in POLICE_ROLES else None
    week = this_week(user.role_enum.value, utcnow()) if user.role_enum in WEEK_ROLES else None
    return render_template(
        "home/dashboard.html",
        panels=dashboard_panels(user.role_enum),
        tonight=night_of(utcnow()),
        sightings=sightings,
        safe_space_uses=safe_space_uses,
        alerts=alerts,
        orders=orders,
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
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}, 200
