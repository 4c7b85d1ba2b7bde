from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from partnership.auth import menu, views  # noqa: E402, F401
