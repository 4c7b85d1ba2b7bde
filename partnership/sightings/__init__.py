from flask import Blueprint

bp = Blueprint("sightings", __name__, url_prefix="/sightings")

from partnership.sightings import menu, views  # noqa: E402, F401
