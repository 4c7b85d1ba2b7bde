from flask import Blueprint

bp = Blueprint("venues", __name__, url_prefix="/venues")

from partnership.venues import menu, views  # noqa: E402, F401
