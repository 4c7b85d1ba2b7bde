"""A long report's status page and progress (see :mod:`partnership.reports.runs`)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, render_template, url_for
from werkzeug.datastructures import MultiDict

from partnership.core.access import actor, roles_required
from partnership.core.catalogue import ngettext
from partnership.core.models import utcnow
from partnership.reports import bp, runs
from partnership.reports.figures import Report
from partnership.reports.forms import ReportForm
from partnership.reports.models import ReportRun
from partnership.reports.views import render_report
from partnership.reports.visibility import READERS


def _run(run_id: str) -> ReportRun:
    found = runs.find_run(actor(), run_id)
    if found is None:
        abort(404)
    return found


def progress_text(found: ReportRun) -> str:
    return str(
        ngettext(
            "%(num)d part of %(steps)d counted.",
            "%(num)d parts of %(steps)d counted.",
            found.step,
            steps=found.steps,
        )
    )


@bp.route("/runs/<run_id>")
@roles_required(*READERS)
def run(run_id: str) -> Any:
    """The report when it is ready; until then how far it has got."""
    found = _run(run_id)
    now = utcnow()
    form = ReportForm(MultiDict(found.arguments))
    form.validate()
    choice = form.choice(now)
    state = runs.state_of(found, now)
    if state == runs.DONE and found.result is not None:
        return render_report(form, choice, runs.from_json(Report, found.result))
    return render_template(
        "reports/run.html",
        run=found,
        state=state,
        choice=choice,
        again=url_for("reports.report", **found.arguments),
        progress_text=progress_text(found),
        progress_url=url_for("reports.run_progress", run_id=found.id),
    )


@bp.route("/runs/<run_id>/progress")
@roles_required(*READERS)
def run_progress(run_id: str) -> Response:
    """How far the run has got, for the status page's script: no figures."""
    found = _run(run_id)
    response = jsonify(
        state=runs.state_of(found, utcnow()),
        step=found.step,
        steps=found.steps,
        text=progress_text(found),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
