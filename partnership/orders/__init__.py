"""Orders: Section 34 dispersal authorisations, Section 35 directions and partnership
exclusion notices, one sub-package each (models, forms, views, service, visibility and
their documents), with their breaches. One blueprint, ``orders``: every view registers
on it, so endpoints read ``orders.notice_detail`` whichever sub-package holds them."""

from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")
