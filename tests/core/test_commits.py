"""A page that only reads commits its audit event without waiting for PostgreSQL's disk;
a form that saves waits as before (core/commits.py). On SQLite nothing is asked of the
transaction: synchronous=NORMAL already applies to every commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.extensions import db
from tests.conftest import events
from tests.factories import signed_in

WITHOUT_WAITING = "SET LOCAL synchronous_commit TO OFF"


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def test_a_list_viewed_commits_its_audit_event_without_waiting_on_postgresql(
    app: Flask, make_user: Callable[..., User], statements: list[str]
) -> None:
    officer = signed_in(app, make_user(Role.OFFICER))
    statements.clear()
    assert officer.get("/sightings/").status_code == 200
    assert len(events(app, "sighting.list_viewed")) == 1  # committed all the same
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "postgresql":
        assert statements.count(WITHOUT_WAITING) == 1
        written = statements.index(next(s for s in statements if "INSERT INTO audit_events" in s))
        assert statements.index(WITHOUT_WAITING) > written
    else:
        assert WITHOUT_WAITING not in statements


def test_a_page_that_writes_nothing_and_a_form_that_saves_wait_as_before(
    app: Flask, make_user: Callable[..., User], statements: list[str]
) -> None:
    officer = signed_in(app, make_user(Role.OFFICER))
    statements.clear()
    assert officer.get("/safety").status_code == 200  # nothing written, nothing to wait for
    assert officer.post("/auth/logout").status_code == 302
    assert len(events(app, "auth.logout")) == 1
    assert any("INSERT INTO audit_events" in s for s in statements)
    assert WITHOUT_WAITING not in statements
