"""The partnership report, its exports and the review pack.

The view modules are imported by :func:`partnership.create_app`, not here, so that the
models can be imported on their own."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
