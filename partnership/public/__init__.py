"""Anonymous public reporting: the pages anyone can open (no account) and the "You told us,
we did" page. What the police do with a report is :mod:`partnership.triage`.

The view modules are imported by :func:`partnership.create_app`, not here, so that other
features can import this package's models and services without pulling in its views.
"""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/safety")
