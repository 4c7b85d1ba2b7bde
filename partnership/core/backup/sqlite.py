"""SQLite: a snapshot through the online backup API, its check, and its restore."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from partnership.core.backup.archive import BackupError


def snapshot_sqlite(source: Path, copy: Path) -> str | None:
    """Copy ``source`` into ``copy`` through SQLite's online backup API; its revision."""
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source} to back up.")
    try:
        with (
            closing(sqlite3.connect(source, timeout=30)) as live,
            closing(sqlite3.connect(copy)) as snapshot,
        ):
            # All pages in one step: one read transaction, so one moment's database.
            live.backup(snapshot, pages=-1)
            snapshot.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            return _sqlite_revision(snapshot)
    except sqlite3.Error as error:
        raise BackupError(
            f"The SQLite database at {source} could not be copied: {error}."
        ) from None


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if found is None:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def check_sqlite_copy(snapshot: Path) -> None:
    try:
        with closing(sqlite3.connect(snapshot)) as copy:
            result = copy.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as error:
        result = [(str(error),)]
    if result != [("ok",)]:
        raise BackupError(
            "The database in the backup is damaged (SQLite's check found: "
            f"{'; '.join(str(row[0]) for row in result[:3])}). Use another backup."
        )


def restore_sqlite(snapshot: Path, target: Path) -> None:
    try:
        with (
            closing(sqlite3.connect(snapshot)) as source,
            closing(sqlite3.connect(target, timeout=30)) as live,
        ):
            # The backup API writes the whole copy in one transaction on the target, under
            # SQLite's locks: a portal still reading it sees the old database or the new.
            source.backup(live, pages=-1)
    except sqlite3.Error as error:
        raise BackupError(
            f"The database could not be restored into {target}: {error}. It is as it was."
        ) from None
