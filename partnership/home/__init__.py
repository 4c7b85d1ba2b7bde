from flask import Blueprint

bp = Blueprint("home", __name__)

from partnership.home import menu, views  # noqa: E402, F401
