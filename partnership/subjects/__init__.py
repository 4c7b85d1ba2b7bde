from flask import Blueprint

bp = Blueprint("subjects", __name__, url_prefix="/subjects")

from partnership.subjects import disclosure_views, link_views, menu, views  # noqa: E402, F401
