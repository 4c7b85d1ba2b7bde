from flask import Blueprint

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

from partnership.alerts import views  # noqa: E402, F401
