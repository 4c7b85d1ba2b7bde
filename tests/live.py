"""The portal behind a real WSGI server, and a person using it over HTTP.

Flask's test client runs a response's body in the test's own thread, straight after the
view, so it can hide what a real server shows: a streamed body is read after the request
has ended and its database session is closed. :func:`serve` runs the test's app (on the
test database) in werkzeug's threaded server, each request in a thread of its own, on a
port the OS picks; :class:`HttpUser` signs in through the forms and downloads with the
session cookie, as a browser would.
"""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message

import pyotp
from flask import Flask
from werkzeug.serving import make_server

from partnership.auth.models import User
from tests.factories import PASSWORD

TIMEOUT_SECONDS = 30


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """``app`` served on a free loopback port until the block ends; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True)
class Answer:
    """A response as the client received it, its body read to the end."""

    status: int
    url: str
    headers: Message
    body: bytes


class HttpUser:
    """One person's cookies, sign-in and requests against a served portal."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> Answer:
        """GET ``path`` (POST with ``data``), following redirects; errors are answers too."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self._opener.open(self.base_url + path, data=body, timeout=TIMEOUT_SECONDS)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.url, error.headers, error.read())
        with response:
            return Answer(response.status, response.url, response.headers, response.read())

    def sign_in(self, user: User, password: str = PASSWORD) -> None:
        """Sign in through the forms, with a two-factor code when the account has it."""
        answer = self.request("/auth/login", {"email": user.email, "password": password})
        if user.totp_secret and answer.url.endswith("/auth/two-factor"):
            answer = self.request("/auth/two-factor", {"code": pyotp.TOTP(user.totp_secret).now()})
        assert answer.status == 200 and answer.url.endswith("/dashboard"), (
            f"{user.email} did not sign in: {answer.status} {answer.url}"
        )
