"""Keeping the public anonymous: no network address, browser or device detail is kept.

The rate limiter needs to tell one connection from another for an hour or so. It gets
:func:`hashed_address`: an HMAC of the address under the app's secret key and today's UTC
date, so the key changes every day, cannot be linked from one day to the next, and cannot be
turned back into the address without the secret key. Nothing else reads the address.

:func:`install` adds the rest: the development server's access log loses the client's
address, and the public pages (``/safety``) are neither cached (so the back button after
"Exit this page" does not show them again) nor named to other sites in a Referer header.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import UTC, datetime

from flask import Flask, Response, current_app, request

PUBLIC_PREFIX = "/safety"
KEY_LENGTH = 32
# The development server (werkzeug) starts each access-log line with the client's address:
# "198.51.100.23 - - [27/Nov/2026 01:30:00] ...".
_LEADING_ADDRESS = re.compile(r"^\S+ - - \[")
HIDDEN = "-"


def utcnow() -> datetime:
    # Its own clock (not partnership.core.models'), since extensions.py imports this module
    # before the models exist; tests move it with fix_clock(..., "partnership.core.privacy").
    return datetime.now(UTC)


def hashed_address() -> str:
    """The rate limiter's key for this request: 32 hex characters of
    HMAC-SHA256(SECRET_KEY, "<UTC date>|<address>"). It changes at midnight UTC."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"{utcnow().date().isoformat()}|{request.remote_addr or ''}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_LENGTH]


class AddressFilter(logging.Filter):
    """Replace the client's address at the start of a werkzeug access-log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and _LEADING_ADDRESS.match(record.msg):
            record.msg = _LEADING_ADDRESS.sub(f"{HIDDEN} - - [", record.msg, count=1)
        return True


def install_log_filter() -> None:
    """Put :class:`AddressFilter` on the werkzeug logger (once, however many apps are made),
    and keep Pillow's debug messages quiet: they print an upload's EXIF tags (camera, GPS)
    as they are read, before the photo is re-encoded without them."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, AddressFilter) for f in logger.filters):
        logger.addFilter(AddressFilter())
    pillow = logging.getLogger("PIL")
    if pillow.level < logging.INFO:  # unset (NOTSET) or DEBUG
        pillow.setLevel(logging.INFO)


def install(app: Flask) -> None:
    """The access-log filter, and the public pages' response headers.

    Install it before :func:`partnership.core.security.install`: Flask runs ``after_request``
    functions last-registered first, so these headers are set after (and win over) the
    portal-wide ones.
    """
    install_log_filter()

    @app.after_request
    def public_page_headers(response: Response) -> Response:
        if request.path == PUBLIC_PREFIX or request.path.startswith(PUBLIC_PREFIX + "/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "no-referrer"
        return response
