from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from partnership.admin import menu, views  # noqa: E402, F401
