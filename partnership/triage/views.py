"""The police's triage of public reports: the queue, one report, its photo, a triage step."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from partnership.core import audit
from partnership.core.access import actor, get_or_404, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.enums import TriageStatus
from partnership.core.forms import record_id
from partnership.core.models import utcnow
from partnership.core.pagination import page_number
from partnership.core.saving import save_or_keep
from partnership.core.uploads import image_response
from partnership.extensions import db
from partnership.public.models import PublicReport
from partnership.triage import bp
from partnership.triage import service as triage
from partnership.triage.forms import TriageForm
from partnership.triage.visibility import TRIAGERS, find_visible_public_report
from partnership.venues.models import Area, Venue

PAGE_SIZE = 25


def warning_hours() -> int:
    return int(current_app.config["TRIAGE_WARNING_HOURS"])


def _tab() -> str:
    tab = request.args.get("status", TriageStatus.NEW.value)
    return tab if tab in triage.QUEUE_TABS else TriageStatus.NEW.value


def _tab_label(tab: str) -> str:
    return _("All") if tab == triage.ALL else TriageStatus(tab).label


@bp.route("/")
@roles_required(*TRIAGERS)
def queue() -> str:
    user = actor()
    now = utcnow()
    tab = _tab()
    page = db.paginate(
        triage.queue(user, tab), page=page_number(), per_page=PAGE_SIZE, error_out=False
    )
    audit.record(
        "public_report.list_viewed",
        actor=user,
        object_type="public_report",
        status=tab,
        shown=len(page.items),
    )
    db.session.commit()
    return render_template(
        "triage/queue.html",
        page=page,
        tab=tab,
        tab_title=_tab_label(tab),
        tabs=[(t, _tab_label(t)) for t in triage.QUEUE_TABS],
        waiting=triage.waiting(user, now, warning_hours()),
        waited=lambda report: format_timedelta(triage.waited(report, now), threshold=1.5),
    )


def _choices(form: TriageForm, report: PublicReport) -> None:
    venues = db.session.scalars(
        select(Venue)
        .where((Venue.active.is_(True)) | (Venue.id == report.venue_id))
        .order_by(Venue.name)
    ).all()
    areas = db.session.scalars(
        select(Area)
        .where((Area.active.is_(True)) | (Area.id == report.area_id))
        .order_by(Area.name)
    ).all()
    form.venue_id.choices = [SelectChoice("", _("No venue"))] + [
        SelectChoice(str(v.id), v.name) for v in venues
    ]
    form.area_id.choices = [SelectChoice("", _("No area"))] + [
        SelectChoice(str(a.id), a.name) for a in areas
    ]


def _form_data(report: PublicReport) -> dict[str, Any]:
    subject = triage.linked_subject(report)
    return {
        "status": report.status if report.status != TriageStatus.NEW.value else None,
        "urgent_action": report.urgent_action,
        "triage_note": report.triage_note,
        "venue_id": str(report.venue_id or ""),
        "area_id": str(report.area_id or ""),
        "subject_reference": subject.reference if subject else "",
    }


def _render(report: PublicReport, form: TriageForm, status: int = 200) -> tuple[str, int]:
    now = utcnow()
    return render_template(
        "triage/report.html",
        report=report,
        subject=triage.linked_subject(report),
        form=form,
        history=triage.history(report),
        waited=format_timedelta(triage.waited(report, now), threshold=1.5),
        link_labels={"venue": _("venue"), "area": _("area"), "subject": _("red flag card")},
    ), status


@bp.route("/<int:report_id>")
@roles_required(*TRIAGERS)
def report(report_id: int) -> tuple[str, int]:
    found = get_or_404(find_visible_public_report(actor(), report_id))
    triage.record_viewed(actor(), found)
    db.session.commit()
    form = TriageForm(data=_form_data(found))
    form.opened_on(found)
    _choices(form, found)
    return _render(found, form)


@bp.route("/<int:report_id>/photo")
@roles_required(*TRIAGERS)
def photo(report_id: int) -> Response:
    found = get_or_404(find_visible_public_report(actor(), report_id))
    if found.photo is None:
        abort(404)
    audit.record(
        "public_report.photo_viewed",
        actor=actor(),
        object_type="public_report",
        object_id=found.id,
    )
    db.session.commit()
    return image_response(found.photo, f"public-report-{found.reference}.jpg")


def _id(raw: str | None) -> int | None:
    """A chosen id; anything else from a tampered form is an id that does not exist."""
    if not raw:
        return None
    return record_id(raw) or 0


@bp.route("/<int:report_id>/triage", methods=["POST"], endpoint="triage")
@roles_required(*TRIAGERS)
def triage_step(report_id: int) -> Any:
    user = actor()
    found = get_or_404(find_visible_public_report(actor(), report_id))
    form = TriageForm()
    _choices(form, found)
    if form.validate_on_submit():
        data = triage.TriageData(
            status=form.status.data or "",
            urgent_action=form.urgent_action.data or "",
            note=form.triage_note.data or "",
            venue_id=_id(form.venue_id.data),
            area_id=_id(form.area_id.data),
            subject_reference=form.subject_reference.data or "",
        )
        saved = save_or_keep(
            form, lambda: triage.triage_report(user, found, data, utcnow()), record=found
        )
        if saved is not None:
            flash(
                _(
                    "Report %(reference)s: %(status)s. Saved.",
                    reference=found.reference,
                    status=TriageStatus(found.status).label,
                ),
                "success",
            )
            return redirect(url_for("triage.queue"))
        # As it was: the refused step was rolled back.
        found = get_or_404(find_visible_public_report(actor(), report_id))
    # The report is shown again with the form: that is a view of it.
    triage.record_viewed(user, found)
    db.session.commit()
    return _render(found, form, 400)
