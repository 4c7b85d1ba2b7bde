from flask import Blueprint

bp = Blueprint("sightings", __name__, url_prefix="/sightings")
