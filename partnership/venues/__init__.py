from flask import Blueprint

bp = Blueprint("venues", __name__, url_prefix="/venues")

from partnership.venues import views  # noqa: E402, F401
