"""When the database or Redis stops: answer 503, keep what was typed, write nothing half.

A request that finds its store down (the database, or Redis holding sessions) never gets a
bare 500 and never loses a form:

- a POST answers 503 with a page that holds every answer sent (as the form it came from
  would send them, passwords and security codes excepted) and a button to send them again;
  files cannot be sent back by a page, so it names each one to choose again. The form's
  own token and submission key travel with it, so sending again once the store is back saves
  the record once;
- a view that catches the failure itself (:func:`partnership.core.saving.save_or_keep`)
  shows its own form again, with the answers and a message, also as a 503;
- anything else answers a 503 page that says to try again shortly.

None of these pages touches the database: the reader is treated as signed out for the page
(no menu, no alert count) and the language comes from the request (``?lang=``, the
language cookie, then the browser's Accept-Language).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from flask import Flask, g, render_template, request, session
from flask_login import AnonymousUserMixin
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.wrappers import Response

from partnership.core.access import view_rule
from partnership.core.privacy import PUBLIC_PREFIX
from partnership.extensions import db, login_manager

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,  # refused, closed, "database is locked", server shutting down
    InterfaceError,
    DisconnectionError,
    PoolTimeoutError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)
RETRY_AFTER_SECONDS = 30
# Fields a page must never write back into itself.
_SECRET_FIELDS = ("password", "code", "secret", "token")


class StoreUnavailable(Exception):
    """The session store could not be read, so who is asking cannot be known."""


def is_outage(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) means a store is down or not answering."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, (*OUTAGE_ERRORS, StoreUnavailable)):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def mark() -> None:
    """Note that a store failed during this request: the response becomes a 503, and the
    pages drawn for it do not ask the database for the menu or the signed-in user (whose
    details the failed transaction expired)."""
    g.outage = True
    forget_the_user()


def happened() -> bool:
    return bool(g.get("outage"))


def _secret(name: str) -> bool:
    lowered = name.lower()
    return lowered != "csrf_token" and any(word in lowered for word in _SECRET_FIELDS)


def kept_answers() -> dict[str, Any]:
    """What the 503 page sends back: every field as sent (secrets left out), the secret
    fields to type again and the files to choose again."""
    fields = [(name, value) for name, value in request.form.items(multi=True) if not _secret(name)]
    secrets_ = sorted({name for name in request.form if _secret(name)})
    files = [
        (name, upload.filename)
        for name, upload in request.files.items(multi=True)
        if upload and upload.filename
    ]
    return {"fields": fields, "secret_fields": secrets_, "files": files}


def forget_the_user() -> None:
    # Flask-Login keeps the loaded user in g; an anonymous one stops every later
    # ``current_user`` from asking the (down) database who it is.
    anonymous = login_manager.anonymous_user or AnonymousUserMixin
    g._login_user = anonymous()


def rollback() -> None:
    """Roll the request's transaction back, whatever state its connection is in (a broken
    one is dropped, and the pool makes a new one for the next request)."""
    with suppress(Exception):
        db.session.rollback()


def response(app: Flask, error: BaseException | None) -> tuple[str, int, dict[str, str]]:
    """The 503 answer for a request whose store failed."""
    mark()
    rollback()
    forget_the_user()
    app.logger.warning(
        "a store is unavailable (%s) on %s %s",
        type(error).__name__ if error else "unknown",
        request.method,
        request.path,
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.method == "POST":
        page = render_template("errors/unavailable.html", kept=kept_answers(), **_layout())
    else:
        page = render_template("errors/unavailable.html", kept=None, **_layout())
    return page, 503, headers


def _layout() -> dict[str, Any]:
    public = request.path == PUBLIC_PREFIX or request.path.startswith(PUBLIC_PREFIX + "/")
    return {"layout": "public/_layout.html" if public else "base.html"}


def install(app: Flask) -> None:
    """The outage handlers, and the check that runs before anything else in a request."""

    def store_check() -> None:
        if not getattr(session, "unavailable", False):
            return
        endpoint = request.endpoint
        if endpoint is None:
            return
        # Public pages work without a session (the support page, the start of a report);
        # anything that changes something, or needs to know who is asking, waits.
        if request.method != "GET" or view_rule(app, endpoint) != "public":
            raise StoreUnavailable

    # Before every other hook (CSRF, sign-in): an unreadable session is not an expired form.
    app.before_request_funcs.setdefault(None, []).insert(0, store_check)

    def handle(error: Exception) -> Any:
        return response(app, error)

    for error_class in (*OUTAGE_ERRORS, StoreUnavailable):
        app.register_error_handler(error_class, handle)

    @app.after_request
    def outage_status(reply: Response) -> Response:
        # A view that showed its form again after a failed save (save_or_keep) answers 503.
        if happened() and reply.status_code < 500 and not 300 <= reply.status_code < 400:
            reply.status_code = 503
            reply.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return reply
