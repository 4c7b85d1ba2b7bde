from flask import Blueprint

bp = Blueprint("welfare", __name__, url_prefix="/welfare")
