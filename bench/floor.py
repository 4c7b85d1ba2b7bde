"""The floor of the page benchmark: a bare Flask app with one route returning a short string,
served exactly as the portal is (bench/pages.py), so what gunicorn and the connection cost
is seen apart from what the portal's pages cost."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello from the floor"
