"""Fixtures for the welfare tests: a fixed clock, venues, and one browser per person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from partnership.auth.models import User
from partnership.extensions import db

NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)  # Friday night, 00:45 GMT


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr("partnership.welfare.views.utcnow", lambda: NOW)
    return NOW


@pytest.fixture
def browser(app: Flask) -> Callable[[User], FlaskClient]:
    """A test client of its own, signed in as ``user`` (through the session)."""

    def open_for(user: User) -> FlaskClient:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["_fresh"] = True
        return client

    return open_for


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def rows(app: Flask, model: type) -> list[Any]:
    """Every row of ``model``, oldest first, detached with their columns loaded."""
    with app.app_context():
        found = list(db.session.scalars(select(model).order_by(model.id)))  # type: ignore[attr-defined]
        db.session.expunge_all()
        return found


def record_id(location: str) -> int:
    return int(location.rstrip("/").rsplit("/", 1)[1])
