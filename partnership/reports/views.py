"""The report page and its exports: the figures come from :mod:`partnership.reports.figures`,
shown as the viewer's role may see them by :mod:`partnership.reports.present`.

Every route reads the same query string (``range``, ``from``, ``to``, ``area``, ``venue``,
``behaviour``; see :class:`~partnership.reports.forms.ReportForm`). The page answers bad
input with 400, a message and the default range; an export answers it with 400 alone
(nothing is disclosed, nothing audited). Each page view and each export is one audit event.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, redirect, render_template, request, url_for

from partnership.core.access import actor, roles_required
from partnership.core.catalogue import gettext as _
from partnership.core.exports import (
    csv_response,
    geojson_response,
    new_pseudonymiser,
    xlsx_response,
)
from partnership.core.models import utcnow
from partnership.extensions import db
from partnership.reports import bp, present, runs, service
from partnership.reports.figures import REPEAT_NIGHTS, REPEAT_SUBJECT_NIGHTS, Report, build_report
from partnership.reports.forms import ReportForm
from partnership.reports.present import hotspot_map, present_report
from partnership.reports.service import ReportChoice
from partnership.reports.visibility import READERS, RECORD_EXPORTERS, may_export_records

# The PDF pack is drawn elsewhere (partnership/reports/pack.py) under this endpoint.
PACK_ENDPOINT = "reports.pack_pdf"


def _form() -> ReportForm:
    return ReportForm(request.args)


def _export_choice() -> ReportChoice:
    """The report an export link asks for; 400 if any of it is wrong."""
    form = _form()
    if not form.validate():
        abort(400)
    return form.choice(utcnow())


@bp.route("/")
@roles_required(*READERS)
def report() -> Any:
    user = actor()
    now = utcnow()
    form = _form()
    valid = form.validate()
    choice = form.choice(now)
    if valid and runs.is_long(choice):
        run, new = runs.start_run(user, choice, now)
        db.session.commit()
        if new:
            runs.launch(run.id, choice, now)
        runs.wait_for(run.id, runs.PATIENCE_SECONDS)
        return redirect(url_for("reports.run", run_id=run.id), 303)
    page = render_report(form, choice, build_report(choice.period, choice.filters, now=now))
    return (page, 200) if valid else (page, 400)


def render_report(form: ReportForm, choice: ReportChoice, data: Report) -> str:
    """The report page for ``data`` as the signed-in user may see it: one ``report.viewed``
    audit event, committed."""
    user = actor()
    presented = present_report(data, user.role, new_pseudonymiser())
    service.record_viewed(user, choice)
    db.session.commit()
    args = choice.query_args()
    links = {
        "figures_csv": url_for("reports.figures_csv", **args),
        "figures_xlsx": url_for("reports.figures_xlsx", **args),
        "hotspots_geojson": url_for("reports.hotspots_geojson", **args),
        "sightings_csv": (
            url_for("reports.sightings_csv", **args) if may_export_records(user) else None
        ),
        "pack_pdf": (
            url_for(PACK_ENDPOINT, **args) if PACK_ENDPOINT in current_app.view_functions else None
        ),
    }
    return render_template(
        "reports/report.html",
        form=form,
        choice=choice,
        report=presented,
        filters=service.filter_names(choice.filters),
        hotspot_map=(
            hotspot_map(presented, present.SQUARES_ON_PAGE) if presented.squares else None
        ),
        links=links,
        squares_on_page=present.SQUARES_ON_PAGE,
        repeat_nights=REPEAT_NIGHTS,
        repeat_subject_nights=REPEAT_SUBJECT_NIGHTS,
    )


def _figures(choice: ReportChoice) -> tuple[list[str], list[service.FigureLine]]:
    user = actor()
    report = runs.report_for(user, choice, utcnow())
    presented = present_report(report, user.role, new_pseudonymiser())
    lines = list(service.figure_lines(presented, service.filter_names(choice.filters)))
    return service.figures_header(presented), lines


@bp.route("/figures.csv")
@roles_required(*READERS)
def figures_csv() -> Response:
    choice = _export_choice()
    header, lines = _figures(choice)
    service.record_exported(actor(), "figures_csv", choice)
    db.session.commit()
    return csv_response(choice.filename("report", "csv"), header, lines)


@bp.route("/figures.xlsx")
@roles_required(*READERS)
def figures_xlsx() -> Response:
    choice = _export_choice()
    header, lines = _figures(choice)
    service.record_exported(actor(), "figures_xlsx", choice)
    db.session.commit()
    return xlsx_response(choice.filename("report", "xlsx"), [(_("Figures"), header, lines)])


@bp.route("/sightings.csv")
@roles_required(*RECORD_EXPORTERS)
def sightings_csv() -> Response:
    user = actor()
    choice = _export_choice()
    # Everything the stream needs is read from the request now: the rows are read after
    # this returns, on a connection of their own (see service.sighting_rows).
    rows = service.sighting_rows(user, choice.period, choice.filters, new_pseudonymiser())
    header = service.sighting_header()
    service.record_exported(user, "sightings_csv", choice)
    db.session.commit()
    return csv_response(choice.filename("sightings", "csv"), header, rows)


@bp.route("/hotspots.geojson")
@roles_required(*READERS)
def hotspots_geojson() -> Response:
    user = actor()
    choice = _export_choice()
    collection = service.hotspot_collection(runs.report_for(user, choice, utcnow()), user.role)
    service.record_exported(user, "hotspots_geojson", choice)
    db.session.commit()
    return geojson_response(choice.filename("hotspots", "geojson"), collection)
