from flask import Blueprint

bp = Blueprint("welfare", __name__, url_prefix="/welfare")

from partnership.welfare import menu, views  # noqa: E402, F401
