"""How long a page waits for the disk when it commits.

A page that only shows records still commits: its audit event ("who saw what"). On
PostgreSQL a commit waits until the write-ahead log is on disk, a few milliseconds on an
ordinary disk, which is more than the rest of a list page costs. So the transaction of a
GET or HEAD request that wrote something (an audit event, an alert marked as listed, a
language chosen) commits with ``synchronous_commit`` off for that transaction only: it is
durable once PostgreSQL's WAL writer flushes it, within a fraction of a second, and should
the database server itself crash in that moment the last such events may be lost, but
nothing is ever half-written. Every form that saves a record (a POST) waits for the disk as
before. SQLite's counterpart is ``synchronous=NORMAL`` (see :mod:`partnership.core.sqlite`),
which gives the same promise for every commit. docs/decisions.md says why.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.orm import Session

READING = frozenset({"GET", "HEAD"})


def install() -> None:
    """Listen to every ORM session of the process."""
    event.listen(Session, "after_flush", _wrote)
    event.listen(Session, "before_commit", _without_waiting_when_reading)
    event.listen(Session, "after_commit", _forget)
    event.listen(Session, "after_rollback", _forget)


def wrote(session: Session) -> None:
    """Note that ``session``'s transaction wrote something without flushing an object (a
    row inserted as a statement, such as an audit event)."""
    session.info["wrote"] = True


def _wrote(session: Session, _context: Any) -> None:
    wrote(session)


def _forget(session: Session) -> None:
    session.info.pop("wrote", None)


def _without_waiting_when_reading(session: Session) -> None:
    if not session.info.get("wrote") or not has_request_context():
        return
    if request.method not in READING:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
