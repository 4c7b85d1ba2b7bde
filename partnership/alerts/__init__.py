"""Alerts: patterns worth someone's attention, raised by the services' signals
(:mod:`partnership.alerts.triggers`), listed and marked read.

The view and trigger modules are imported by :func:`partnership.create_app`, not here, so
that other features can import this package's models without its views.
"""

from flask import Blueprint

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
