"""Error pages in the user's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from partnership.extensions import db

SHOWN = (400, 403, 404, 405, 413, 429, 500)


def install(app: Flask) -> None:
    def render(status: int, error: BaseException | None = None) -> tuple[str, int]:
        if g.get("commit_on_error"):
            db.session.commit()  # keep the audit event of a denied request
        else:
            db.session.rollback()
        csrf = isinstance(error, CSRFError)
        return render_template("errors/error.html", status=status, csrf=csrf), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        status = error.code or 500
        if status not in SHOWN:
            return error
        return render(status, error)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        app.logger.error("server error on %s", request.path, exc_info=error.original_exception)
        db.session.rollback()
        return render_template("errors/error.html", status=500, csrf=False), 500

    @app.errorhandler(StaleDataError)
    def lost_race(_error: StaleDataError) -> tuple[str, int]:
        # A save that reached the database just after someone else's change to the same
        # record, on a page without a form to show it on (forms use save_or_keep).
        app.logger.info("a save lost a race with another on %s", request.path)
        db.session.rollback()
        return render_template("errors/error.html", status=409, csrf=False), 409
