"""SQLite's settings and the planner statistics the portal keeps for it (core/sqlite.py).

These run on SQLite files of their own whatever database the suite uses: they are about
SQLite itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text

from partnership.auth.models import Organisation, User
from partnership.core import sqlite
from partnership.core.enums import Role, Sharing
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.sightings.visibility import visible_sightings

FIRST_NIGHT = date(2026, 1, 1)


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setattr(sqlite, "_checked", {})
    engine = create_engine(f"sqlite:///{tmp_path / 'county.db'}")
    db.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _add_sightings(engine: Engine, count: int, start: int = 1) -> None:
    """``count`` sightings over a year at ten organisations, four in five shared with the
    partnership."""
    with engine.begin() as conn:
        if start == 1:
            conn.execute(
                insert(Organisation),
                [{"id": n, "name": f"Bar {n}", "kind": "licensed_premises"} for n in range(1, 11)],
            )
        rows = []
        for number in range(start, start + count):
            night = FIRST_NIGHT + timedelta(days=number % 365)
            rows.append(
                {
                    "id": number,
                    "submission_key": f"k{number}",
                    "organisation_id": number % 10 + 1,
                    "sharing": Sharing.ORGANISATION.value
                    if number % 5 == 0
                    else Sharing.PARTNERSHIP.value,
                    "occurred_at": datetime(night.year, night.month, night.day, 22, tzinfo=UTC),
                    "night": night,
                    "victim_response": "unknown",
                    "action_taken": "none",
                    "vulnerabilities": [],
                }
            )
        conn.execute(insert(Sighting), rows)


def _take_connection(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _door_supervisors_list_plan(engine: Engine) -> str:
    door_supervisor = User(id=7, organisation_id=3, role=Role.PREMISES_STAFF.value)
    query = (
        visible_sightings(door_supervisor)
        .order_by(Sighting.night.desc(), Sighting.id.desc())
        .limit(26)
    )
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return " / ".join(str(row[-1]) for row in plan)


def test_connections_use_wal_and_normal_synchronous_and_foreign_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_table_that_grew_gets_statistics_and_the_door_supervisors_list_reads_the_night_index(
    engine: Engine,
) -> None:
    _add_sightings(engine, 5000)  # within the hour the empty database was first looked at
    # Without statistics SQLite gathers the rule's three parts from three indexes and sorts
    # them all: the newest 25 cost a sort of every row.
    assert "TEMP B-TREE" in _door_supervisors_list_plan(engine)

    sqlite._checked.clear()  # as if the hour had passed
    _take_connection(engine)

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'sightings'"))
        stats = {str(index): str(stat) for index, stat in rows}
    assert stats["ix_sightings_night_id"].startswith("5000 ")
    plan = _door_supervisors_list_plan(engine)
    assert "ix_sightings_night_id" in plan
    assert "TEMP B-TREE" not in plan


def test_statistics_are_looked_at_once_an_hour_and_redone_only_when_a_table_doubled(
    engine: Engine,
) -> None:
    _add_sightings(engine, 2000)
    sqlite._checked.clear()
    _take_connection(engine)
    raw = sqlite3.connect(engine.url.database or "")
    try:
        assert sqlite.stale_tables(raw) == []
        _add_sightings(engine, 3000, start=2001)  # 5,000 rows where statistics say 2,000
        assert sqlite.stale_tables(raw) == ["sightings"]
    finally:
        raw.close()

    _take_connection(engine)  # within the hour: not looked at again
    with engine.connect() as conn:
        recorded = conn.scalar(
            text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_sightings_night_id'")
        )
    assert recorded.startswith("2000 ")

    sqlite._checked.clear()
    _take_connection(engine)
    with engine.connect() as conn:
        recorded = conn.scalar(
            text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_sightings_night_id'")
        )
    assert recorded.startswith("5000 ")


def test_small_tables_are_not_analysed(engine: Engine) -> None:
    _add_sightings(engine, sqlite.SMALL_TABLE - 1)
    sqlite._checked.clear()
    _take_connection(engine)
    with engine.connect() as conn:
        assert (
            conn.scalar(
                select(text("count(*)"))
                .select_from(text("sqlite_master"))
                .where(text("name = 'sqlite_stat1'"))
            )
            == 0
        )
