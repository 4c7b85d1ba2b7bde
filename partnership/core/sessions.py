"""Sessions kept on the server: the cookie holds only a random id.

Flask-Session does the session work (random ids, the cookie, regenerating the id, msgpack
serialisation, its Redis store). What a session holds (a pending sign-in, the red flags
viewed and the reasons typed, an enrolment secret, the form token) lives in the
``server_sessions`` table by default, or in Redis when ``SESSION_STORE`` is ``redis``.

Two things differ from Flask-Session's own SQLAlchemy store, which is why the database store
is a subclass of the library's interface rather than the library's class itself:

- it writes through a connection of its own, never the request's ORM session, so saving a
  session can never commit something a view left uncommitted (the library's store commits
  ``db.session``), and its table is a model of ours, created by the migrations; it reads
  through the request's connection, which the page takes anyway (a second connection on
  every page cost PostgreSQL a round trip to check it and another to return it);
- an outage of the store does not become a 500 before the view runs: a session that cannot
  be read is marked ``unavailable`` (see :func:`partnership.core.outage.install`, which
  answers such a request with 503 and keeps what was typed), and one that cannot be saved is
  logged and left.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import msgspec
from flask import Flask, Request, Response
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from flask_session.redis import RedisSessionInterface
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from partnership.core.lazy import LazyText
from partnership.core.models import ServerSession, utcnow
from partnership.core.outage import is_outage
from partnership.core.redis import client
from partnership.extensions import db

ID_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits, 43 characters


class PortalSession(ServerSideSession):
    """A server-side session; ``unavailable`` when its store could not be read."""

    unavailable = False


def _encode_other(value: Any) -> Any:
    # Flash messages may be lazy translations (Flask-Login's "Sign in to see this page."):
    # stored as the text they read in this request's language.
    if isinstance(value, LazyText):
        return str(value)
    raise NotImplementedError(f"a session cannot hold {type(value).__name__}")


class _Tolerant(ServerSideSessionInterface):
    session_class = PortalSession

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.serializer.encoder = msgspec.msgpack.Encoder(enc_hook=_encode_other)  # type: ignore[union-attr]

    def open_session(self, app: Flask, request: Request) -> PortalSession:
        try:
            session: PortalSession = super().open_session(app, request)  # type: ignore[assignment]
            return session
        except Exception as error:
            if not is_outage(error):
                raise
            app.logger.warning("the session store could not be read: %s", type(error).__name__)
            session = self.session_class(sid=self._generate_sid(self.sid_length))
            session.unavailable = True
            return session

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if getattr(session, "unavailable", False):
            return  # never overwrite a stored session we could not read
        try:
            super().save_session(app, session, response)
        except Exception as error:
            if not is_outage(error):
                raise
            app.logger.warning("the session store could not be written: %s", type(error).__name__)

    def end(self, session: Any) -> None:
        """Forget ``session`` in the store and give it a new id: at sign-in (no fixation),
        sign-out and "Exit this page"."""
        if getattr(session, "unavailable", False):
            return
        self._delete_session(self._get_store_id(session.sid))
        session.sid = self._generate_sid(self.sid_length)
        session.modified = True


# Built once: a statement used on every page is not built and keyed again for each.
_STORED = select(ServerSession.data, ServerSession.expires_at).where(
    ServerSession.session_id == bindparam("store_id")
)


class DatabaseSessionInterface(_Tolerant):
    """Sessions in the ``server_sessions`` table, written through their own connection."""

    ttl = False  # expired rows are deleted by ``flask session_cleanup`` (and on reading)

    def __init__(self, app: Flask) -> None:
        super().__init__(app, key_prefix="", sid_length=ID_BYTES, cleanup_n_requests=None)

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        try:
            row = db.session.connection().execute(_STORED, {"store_id": store_id}).first()
        except Exception:
            db.session.rollback()  # the page's own queries then meet the outage afresh
            raise
        if row is None or row.expires_at <= utcnow():
            return None
        data: dict[str, Any] = self.serializer.decode(row.data)  # type: ignore[union-attr]
        return data

    def _delete_session(self, store_id: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(ServerSession).where(ServerSession.session_id == store_id))

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        values: Mapping[str, Any] = {
            "data": self.serializer.encode(session),  # type: ignore[union-attr]
            "expires_at": utcnow() + session_lifetime,
        }
        changed = ServerSession.session_id == store_id
        with db.engine.begin() as conn:
            if conn.execute(update(ServerSession).where(changed).values(values)).rowcount:
                return
        try:
            with db.engine.begin() as conn:
                conn.execute(insert(ServerSession).values(session_id=store_id, **values))
        except IntegrityError:  # the same browser's other request inserted it first
            with db.engine.begin() as conn:
                conn.execute(update(ServerSession).where(changed).values(values))

    def _delete_expired_sessions(self) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(ServerSession).where(ServerSession.expires_at <= utcnow()))


class RedisStoreInterface(_Tolerant, RedisSessionInterface):
    """Sessions in Redis (``SESSION_STORE = "redis"``), expiring there by themselves."""


def install(app: Flask) -> None:
    """Keep ``app``'s sessions on the server, in the store ``SESSION_STORE`` names."""
    if app.config["SESSION_STORE"] == "redis":
        app.session_interface = RedisStoreInterface(
            app, client=client(app), key_prefix="session:", sid_length=ID_BYTES
        )
    else:
        app.session_interface = DatabaseSessionInterface(app)


def end_session(app: Flask, session: Any) -> None:
    """Delete ``session`` from the store and give it a new id (see :meth:`_Tolerant.end`)."""
    interface = app.session_interface
    if isinstance(interface, _Tolerant):
        interface.end(session)
