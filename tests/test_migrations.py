"""The migrations build exactly the models' schema, and every revision goes down
and up again with rows in its tables, on SQLite and (in CI) on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

from partnership import create_app
from partnership.config import ROOT
from partnership.extensions import db
from tests.conftest import TEST_CONFIG

NOW = "2026-11-27 23:30:00"


def rows_b19c751d0fcb(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO organisations (id, name, kind, active, created_at) "
            "VALUES (901, 'Migration Police', 'police', true, :now)"
        ),
        {"now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO users (id, email, name, organisation_id, role, rank, designated_pcso,"
            " locale, session_token, active, failed_logins, created_at) VALUES (901,"
            " 'm@example.org', 'M', 901, 'officer', 'constable', false, 'cy', 'tok901', true, 0,"
            " :now)"
        ),
        {"now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO set_password_links (id, user_id, token_hash, created_at, expires_at)"
            " VALUES (901, 901, 'hash901', :now, :now)"
        ),
        {"now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO audit_events (id, created_at, actor_id, action, details)"
            " VALUES (901, :now, 901, 'auth.login', '{}')"
        ),
        {"now": NOW},
    )


# Each revision inserts rows into the tables it adds or changes. A new revision
# fails test_every_revision_has_rows until it has an entry here.
ROWS: dict[str, Callable[[Connection], None]] = {
    "b19c751d0fcb": rows_b19c751d0fcb,
}


def revisions() -> list[str]:
    """Revision ids from the first to head."""
    script = ScriptDirectory(str(ROOT / "migrations"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same kind as the test database."""
    base = os.environ.get("PARTNERSHIP_TEST_DATABASE_URL")
    if not base or base.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"migrations_{uuid.uuid4().hex[:10]}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def migrating_app(empty_database: str) -> Iterator[Flask]:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": empty_database})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_every_revision_has_rows() -> None:
    assert set(revisions()) == set(ROWS)


def test_the_migrated_schema_equals_the_models(migrating_app: Flask) -> None:
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_every_revision_goes_down_and_up_again_with_rows(migrating_app: Flask) -> None:
    previous = "base"
    for revision in revisions():
        upgrade(revision=revision)
        with db.engine.begin() as conn:
            ROWS[revision](conn)
        downgrade(revision=previous)
        upgrade(revision=revision)
        with db.engine.begin() as conn:
            ROWS[revision](conn)  # the tables are back, with their constraints
            tables = set(inspect(conn).get_table_names())
            assert {"organisations", "users", "audit_events"} <= tables
        previous = revision
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
