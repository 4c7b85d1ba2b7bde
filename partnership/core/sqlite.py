"""What the portal's embedded database needs that PostgreSQL does by itself.

- **Settings on every connection**: write-ahead logging, so readers and a writer work at
  once; foreign keys, which SQLite leaves off unless asked; and ``synchronous=NORMAL``, the
  setting SQLite recommends with WAL (a commit no longer waits for the disk twice; a power
  cut may lose the last commits but never corrupts the file).
- **Statistics for the query planner.** SQLite plans without knowing how many rows a table
  or an index holds unless ``ANALYZE`` has been run, and nothing runs it: PostgreSQL's
  autovacuum has no SQLite counterpart. Without statistics a rule such as a door
  supervisor's ("shared with the partnership, or my organisation's, or mine") is answered
  by sorting every row of a year instead of reading the newest 25 through the night index.
  So each process, when it takes a connection and has not looked for an hour, compares the
  size of each table with the size the statistics last recorded, and runs ``ANALYZE`` when
  a table of some size has none or has doubled or halved since.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# How often a process looks at the statistics, and the sizes that matter: a table under
# SMALL_TABLE rows is read quickly whatever the plan.
CHECK_EVERY_SECONDS: Final = 3600.0
SMALL_TABLE: Final = 1000
GROWTH: Final = 2.0

_checked: dict[str, float] = {}  # database file -> time.monotonic() of the last look
_lock = threading.Lock()


def install() -> None:
    """Listen to every engine's connections (SQLite's only; others are left alone)."""
    event.listen(Engine, "connect", _settings)
    event.listen(Engine, "checkout", _statistics_when_due)


def _is_sqlite(dbapi_connection: Any) -> bool:
    return isinstance(dbapi_connection, sqlite3.Connection)


def _settings(dbapi_connection: Any, record: Any) -> None:
    if _is_sqlite(dbapi_connection):
        record.info["sqlite_file"] = _database_file(dbapi_connection)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _statistics_when_due(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    database = record.info.get("sqlite_file")
    if not database:  # not SQLite, or in memory: such a database lives as long as its connection
        return
    now = time.monotonic()
    with _lock:
        last = _checked.get(database)
        if last is not None and now - last < CHECK_EVERY_SECONDS:
            return
        _checked[database] = now
    try:
        stale = stale_tables(dbapi_connection)
        if stale:
            started = time.perf_counter()
            dbapi_connection.execute("ANALYZE")
            dbapi_connection.commit()
            log.info(
                "SQLite statistics refreshed in %.1f s (%s)",
                time.perf_counter() - started,
                ", ".join(stale),
            )
    except sqlite3.Error as error:  # a busy or read-only file: the next hour will tell
        log.warning("SQLite statistics not refreshed: %s", error)


def _database_file(dbapi_connection: sqlite3.Connection) -> str:
    for _seq, name, path in dbapi_connection.execute("PRAGMA database_list"):
        if name == "main":
            return str(path or "")
    return ""


def stale_tables(dbapi_connection: sqlite3.Connection) -> list[str]:
    """The tables of at least :data:`SMALL_TABLE` rows whose statistics are missing, or
    record under half or over twice the rows they hold now (rows counted by the highest
    rowid, which costs one index step)."""
    tables = [
        name
        for (name,) in dbapi_connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    recorded = _recorded_rows(dbapi_connection)
    stale = []
    for table in tables:
        try:
            quoted = table.replace('"', '""')  # a name read from sqlite_master, quoted
            query = f'SELECT max(rowid) FROM "{quoted}"'  # noqa: S608
            rows = dbapi_connection.execute(query).fetchone()[0]
        except sqlite3.OperationalError:  # a table without rowids
            continue
        if not rows or rows < SMALL_TABLE:
            continue
        known = recorded.get(table)
        if known is None or not known / GROWTH <= rows <= known * GROWTH:
            stale.append(table)
    return stale


def _recorded_rows(dbapi_connection: sqlite3.Connection) -> dict[str, int]:
    exists = dbapi_connection.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
    ).fetchone()
    if not exists:
        return {}
    recorded: dict[str, int] = {}
    for table, stat in dbapi_connection.execute("SELECT tbl, stat FROM sqlite_stat1"):
        first = str(stat or "").split(" ", 1)[0]
        if first.isdigit():
            recorded[table] = max(recorded.get(table, 0), int(first))
    return recorded
