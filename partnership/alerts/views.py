"""Alerts: the list, and marking them read."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from partnership.alerts import bp, service
from partnership.alerts.visibility import RECEIVERS, find_visible_alert
from partnership.core.access import actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.catalogue import ngettext
from partnership.core.models import utcnow
from partnership.core.urls import safe_next
from partnership.extensions import db

PAGE_SIZE = 25


def _back() -> str:
    """Where the reader came from (a path on this site), else the list of alerts."""
    return safe_next(request.form.get("next")) or url_for("alerts.list_alerts")


@bp.route("/")
@roles_required(*RECEIVERS)
def list_alerts() -> str:
    user = actor()
    cursor = service.Cursor.decode(request.args.get("after"))
    page = service.page_of_alerts(user, utcnow().date(), cursor, PAGE_SIZE)
    shown = service.shown_alerts(user, page.alerts, page.read)
    service.record_listed(user, page.alerts, where="alerts")
    db.session.commit()
    return render_template(
        "alerts/list.html",
        alerts=shown,
        first_page=cursor is None,
        next_url=(
            url_for("alerts.list_alerts", after=page.next.encode())
            if page.next is not None
            else None
        ),
        here=request.full_path if request.query_string else request.path,
    )


@bp.route("/<int:alert_id>/read", methods=["POST"])
@roles_required(*RECEIVERS)
def mark_read(alert_id: int) -> Response:
    alert = get_or_404(find_visible_alert(actor(), alert_id, utcnow().date()))
    service.mark_read(actor(), alert, utcnow())
    db.session.commit()
    flash(_("Alert marked as read."), "success")
    return redirect(_back())


@bp.route("/read", methods=["POST"])
@roles_required(*RECEIVERS)
def mark_all_read() -> Response:
    marked = service.mark_all_read(actor(), utcnow())
    db.session.commit()
    flash(
        ngettext("%(num)d alert marked as read.", "%(num)d alerts marked as read.", marked)
        if marked
        else _("There were no unread alerts."),
        "success",
    )
    return redirect(_back())
