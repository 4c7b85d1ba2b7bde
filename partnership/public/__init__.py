"""Anonymous public reporting: the public pages (no account), the police's triage queue and
the "You told us, we did" page.

The view modules are imported by :func:`partnership.create_app`, not here, so that other
features can import this package's models and services without pulling in its views.
"""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/safety")
triage_bp = Blueprint("triage", __name__, url_prefix="/public-reports")
