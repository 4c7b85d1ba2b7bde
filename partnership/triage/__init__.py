"""The police's triage of public reports: the queue, one report, its photo, each triage
step, and turning a report into a sighting or linking it to a red flag card.

The public pages (:mod:`partnership.public`) only receive reports; everything the police do
with them is here. The view modules are imported by :func:`partnership.create_app`, not
here, so that other features can import this package's services without its views.
"""

from flask import Blueprint

bp = Blueprint("triage", __name__, url_prefix="/public-reports")
