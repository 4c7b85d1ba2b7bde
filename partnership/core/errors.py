"""Error pages in the user's language, never a stack trace, never a database query.

A store that is down (the database, Redis) is :mod:`partnership.core.outage`'s: a 503 that
keeps what was typed. Every other error page is drawn without asking the database anything
(``g.error_page`` keeps the menu badges and alert count away; a 500 forgets the signed-in
user, whose attributes the rollback expired).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from partnership.core import outage
from partnership.extensions import db

SHOWN = (400, 403, 404, 405, 413, 429, 500)


def install(app: Flask) -> None:
    def render(status: int, error: BaseException | None = None) -> tuple[str, int]:
        g.error_page = True
        if g.get("commit_on_error"):
            db.session.commit()  # keep the audit event of a denied request
        else:
            db.session.rollback()
        csrf = isinstance(error, CSRFError)
        return render_template("errors/error.html", status=status, csrf=csrf), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if status not in SHOWN:
            return error
        try:
            return render(status, error)
        except Exception as failure:
            if outage.is_outage(failure):
                return outage.response(app, failure)
            raise

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> Any:
        original = error.original_exception
        if outage.is_outage(original) or outage.happened():
            return outage.response(app, original)
        app.logger.error("server error on %s", request.path, exc_info=original)
        g.error_page = True
        outage.rollback()
        outage.forget_the_user()
        return render_template("errors/error.html", status=500, csrf=False), 500

    @app.errorhandler(StaleDataError)
    def lost_race(_error: StaleDataError) -> tuple[str, int]:
        # A save that reached the database just after someone else's change to the same
        # record, on a page without a form to show it on (forms use save_or_keep).
        app.logger.info("a save lost a race with another on %s", request.path)
        db.session.rollback()
        return render_template("errors/error.html", status=409, csrf=False), 409
