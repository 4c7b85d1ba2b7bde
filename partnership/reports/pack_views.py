"""The weekly review pack as a PDF download (partnership/reports/pack.py).

GET ``/reports/pack.pdf`` takes the report page's filter arguments (``range``, ``from``,
``to``, ``area``, ``venue``, ``behaviour``), ``language`` (``en`` or ``cy``; without it the
pack is in the portal language the user is reading) and ``notes`` (optional text for
"Notes for the meeting"), read by the report page's own form. Any argument the pack cannot
use answers 404: there is no such pack. (Not ``?lang=``: that switches the portal's own
language, and printing a Welsh pack must leave the user's portal as it was.)
"""

from __future__ import annotations

from flask import Response, abort, request

from partnership.core.access import actor, roles_required
from partnership.core.enums import Locale
from partnership.core.exports import download
from partnership.core.i18n import asked_language
from partnership.core.models import utcnow
from partnership.extensions import db
from partnership.reports import bp, pack, runs
from partnership.reports.forms import ReportForm
from partnership.reports.visibility import PACK_MAKERS


@bp.route("/pack.pdf")
@roles_required(*PACK_MAKERS)
def pack_pdf() -> Response:
    user = actor()
    language = asked_language(Locale)
    now = utcnow()
    form = ReportForm(request.args)
    if not form.validate():
        abort(404)
    try:
        notes = pack.meeting_notes(request.args)
    except pack.BadPackArguments:
        abort(404)
    choice = form.choice(now)
    period = choice.period
    report = runs.report_for(user, choice, now)
    pdf = pack.pack_pdf(user, report, language, notes, now)
    db.session.commit()
    filename = (
        f"review-pack-{period.first_night.isoformat()}-to-{period.last_night.isoformat()}"
        f"-{language.value}.pdf"
    )
    return download(pdf, filename, "application/pdf")
