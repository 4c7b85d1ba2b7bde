from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from partnership.reports import pack_views, views  # noqa: E402, F401
