"""Backups: the database and the files the portal keeps beside it, in one checked archive.

A backup is one ``.tar.gz`` file holding:

``database.sqlite3`` or ``database.pgdump``
    One consistent snapshot of the database, taken while the portal keeps writing. SQLite's
    online backup API copies every page inside one read transaction (WAL mode lets the portal
    commit meanwhile), so each commit is wholly in the copy or wholly out of it; copying the
    database file instead misses whatever is still in its write-ahead log. PostgreSQL's
    ``pg_dump --format=custom`` reads one repeatable-read snapshot.
``files/<folder>/...``
    The folders of :data:`.files.INSTANCE_FOLDERS` under the instance folder, copied after the
    snapshot, so a file written meanwhile is an extra in the backup, never a missing one.
``settings/<SETTING>``
    The file each setting of :data:`.files.SETTING_FILES` names, when it is set.
``manifest.json``
    Last: the portal's version, the database's kind and migration revision, when, and the
    size and SHA-256 of every other member. A restore checks all of it before changing
    anything.

The instance folder's ``config.py`` (it holds secrets) and the deployment's environment are
not in a backup: they are configuration, kept where the deployment keeps it.

The package: :mod:`.archive` (the manifest, writing and checking the archive),
:mod:`.database` (which database, does it hold rows, migrating it), :mod:`.sqlite` and
:mod:`.postgres` (each kind's snapshot, check and restore), :mod:`.files` (the files kept beside
the database), :mod:`.create` and :mod:`.restore` (the two steps, in order).
"""

from __future__ import annotations

from partnership.core.backup.archive import (
    DATABASE_MEMBERS,
    MANIFEST,
    BackupError,
    Manifest,
    Member,
    describe,
    portal_version,
    read_backup,
)
from partnership.core.backup.create import CreatedBackup, create_backup, default_name
from partnership.core.backup.database import Database, configured_database
from partnership.core.backup.postgres import PostgresTool, find_postgres_tool
from partnership.core.backup.restore import RestoredBackup, restore_backup

__all__ = [
    "DATABASE_MEMBERS",
    "MANIFEST",
    "BackupError",
    "CreatedBackup",
    "Database",
    "Manifest",
    "Member",
    "PostgresTool",
    "RestoredBackup",
    "configured_database",
    "create_backup",
    "default_name",
    "describe",
    "find_postgres_tool",
    "portal_version",
    "read_backup",
    "restore_backup",
]
