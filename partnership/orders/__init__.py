from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")

from partnership.orders import (  # noqa: E402, F401
    authorisation_views,
    direction_views,
    document_views,
    menu,
    notice_views,
)
