"""The public "You told us, we did" page: month by month, what the partnership was told and
what it did about it, as aggregates anyone may read (:mod:`partnership.reports.we_did`).

It shows no record and nothing about a person, so a view is not audited, as no other
public page is. The figures are the partnership's, so the page lives with the reports; it
is one of the public pages (``public.we_did`` under /safety), so it is added to that
blueprint, and the anonymous side imports nothing of what it counts.
"""

from __future__ import annotations

from flask import render_template

from partnership.core.access import public
from partnership.core.disclosure import SUPPRESS_BELOW
from partnership.core.models import utcnow
from partnership.public import bp
from partnership.reports.we_did import build_months, present_months


@bp.route("/we-did")
@public
def we_did() -> str:
    months = present_months(build_months(utcnow()))
    return render_template("public/we_did.html", months=months, threshold=SUPPRESS_BELOW)
