"""Fixtures: one app and schema per test session, emptied after every test.

The database comes from PARTNERSHIP_TEST_DATABASE_URL (a PostgreSQL URL in CI),
or a throw-away SQLite file.
"""

from __future__ import annotations

import functools
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.engine import make_url

from partnership import config as config_module
from partnership import create_app
from partnership.auth.models import Organisation, User
from partnership.core.catalogue import gettext
from partnership.core.enums import Role
from partnership.core.models import AuditEvent
from partnership.extensions import db as _db
from partnership.extensions import limiter
from partnership.venues.models import Venue
from tests import factories
from tests.factories import PASSWORD

# Hypothesis: "ci" (the default) tries a fixed set of examples, the same on every run, so a
# failure in CI happens again locally, and keeps no example database; "deep"
# (HYPOTHESIS_PROFILE=deep) tries many more, different each run, and keeps the failures
# it finds in .hypothesis/ (git-ignored) to try first next time.
_HYPOTHESIS = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("ci", max_examples=20, derandomize=True, database=None, **_HYPOTHESIS)
settings.register_profile("deep", max_examples=500, **_HYPOTHESIS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "WTF_CSRF_ENABLED": False,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
}


def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("PARTNERSHIP_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class Databases:
    """Makes new, empty databases of the kind of ``like`` (SQLite files in ``folder``, or
    PostgreSQL databases on the same server); :meth:`close` drops the PostgreSQL ones."""

    def __init__(self, like: str, folder: Path) -> None:
        self.folder = folder
        self.server = None
        self.made: list[str] = []
        if not like.startswith("sqlite"):
            base = make_url(config_module.database_uri(like, Path()))
            self.server = base.set(database="postgres")

    def make(self, name: str | None = None) -> str:
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        if self.server is None:
            return f"sqlite:///{self.folder / f'{name}.db'}"
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        if self.made:
            self._run(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in self.made))
            self.made.clear()

    def _run(self, *statements: str) -> None:
        assert self.server is not None
        engine = create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    url = test_database_url(tmp_path_factory)
    if url.startswith("sqlite") or worker_id == "master":
        yield url
        return
    # A database of this pytest-xdist worker's own, so workers never empty each other's.
    databases = Databases(url, tmp_path_factory.mktemp("databases"))
    yield databases.make(f"{_database_name(url)}_{worker_id}")
    databases.close()


def _database_name(url: str) -> str:
    return str(make_url(config_module.database_uri(url, Path())).database)


@pytest.fixture
def new_database(database_url: str, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Make new, empty databases of the test database's kind; PostgreSQL ones are dropped
    after the test."""
    databases = Databases(database_url, tmp_path)
    yield databases.make
    databases.close()


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    os.environ["PARTNERSHIP_INSTANCE_PATH"] = str(instance)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def other_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Make further apps on the test database with other settings; their engines are closed."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        other = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, **overrides})
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        _db.session.rollback()
        for table in reversed(_db.metadata.sorted_tables):
            _db.session.execute(delete(table))
        _db.session.commit()
        limiter.reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Organisation]:
    """:func:`tests.factories.make_org` on the test app."""
    return functools.partial(factories.make_org, app)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """:func:`tests.factories.make_user` on the test app: police, coordinators and admins
    get a TOTP secret (``user.totp_secret``)."""
    return functools.partial(factories.make_user, app)


@pytest.fixture
def make_venue(app: Flask) -> Callable[..., Venue]:
    """:func:`tests.factories.make_venue` on the test app."""
    return functools.partial(factories.make_venue, app)


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., User]:
    """Sign ``client`` in as a new user of ``role`` (through the session, skipping the forms)."""

    def login(role: Role | User = Role.PREMISES_STAFF, **kwargs: Any) -> User:
        user = role if isinstance(role, User) else make_user(role, **kwargs)
        factories.sign_in_session(client, user)
        return user

    return login


class Clock:
    """A fixed "now" for the views to read instead of the real time; a test moves it by
    setting ``now``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fix_clock(monkeypatch: pytest.MonkeyPatch, now: datetime, *modules: str) -> Clock:
    """Point the ``utcnow`` of each of ``modules`` at one :class:`Clock` set to ``now``."""
    clock = Clock(now)
    for module in modules:
        monkeypatch.setattr(f"{module}.utcnow", clock)
    return clock


class RecordingServer(HTTPServer):
    seen: list[str]


class _Recorder(BaseHTTPRequestHandler):
    server: RecordingServer

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        body = b"h1 { color: red; }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads ``seen``, not the server's log."""


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    """A web server on an ephemeral local port that notes every request it receives, for
    proving that a document fetched nothing."""
    httpd = RecordingServer(("127.0.0.1", 0), _Recorder)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> Any:
    """Sign in through the real forms, two-factor code included; returns the last response."""
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    if user.totp_secret and response.status_code == 302:
        code = pyotp.TOTP(user.totp_secret).now()
        response = client.post("/auth/two-factor", data={"code": code})
    return response


# Tests make requests without holding an app context: Flask reuses an outer app
# context for requests, and with it ``g`` and the signed-in user. These helpers
# open their own context for each look at the database.


def reload(app: Flask, user: User) -> User:
    """The user as the database has it now (detached, attributes loaded)."""
    with app.app_context():
        fresh = _db.session.get(User, user.id)
        assert fresh is not None
        _db.session.refresh(fresh.organisation)
        _db.session.expunge_all()
        return fresh


def events(app: Flask, action: str | None = None) -> list[AuditEvent]:
    """Audit events, oldest first, optionally only those of one action."""
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        found = list(_db.session.scalars(query))
        _db.session.expunge_all()
        return found


def update(app: Flask, model: type, ident: int, **values: Any) -> None:
    """Change columns of one row directly, as if time had passed or someone else acted."""
    with app.app_context():
        row = _db.session.get(model, ident)
        for name, value in values.items():
            setattr(row, name, value)
        _db.session.commit()


def welsh(app: Flask, message: str, **kwargs: Any) -> str:
    """``message`` in Welsh; fails if it is not translated.

    Templates show translations as they are; a message made in Python is escaped,
    so compare those with ``escape(welsh(...))``.
    """
    with app.test_request_context(), force_locale("cy"):
        translated = gettext(message, **kwargs)
    english = message % kwargs if kwargs else message
    assert translated != english, f"not translated into Welsh: {message!r}"
    return str(translated)
