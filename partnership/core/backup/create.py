"""Making a backup."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask

from partnership.core import audit
from partnership.core.backup.archive import (
    DATABASE_MEMBERS,
    BackupError,
    Manifest,
    file_digest,
    portal_version,
    write_archive,
)
from partnership.core.backup.database import configured_database
from partnership.core.backup.files import kept_files
from partnership.core.backup.postgres import dump_postgresql
from partnership.core.backup.sqlite import snapshot_sqlite
from partnership.core.models import utcnow


@dataclass(frozen=True)
class CreatedBackup:
    path: Path
    size: int
    sha256: str
    manifest: Manifest


def default_name(now: datetime) -> str:
    return f"partnership-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"


def create_backup(
    app: Flask, destination: Path | None = None, now: datetime | None = None
) -> CreatedBackup:
    """Write a backup of ``app``'s database and files, and audit it (flushed, not committed).

    ``destination`` is the new file's path, or a folder to put it in under a dated name
    (default: the current folder). Guarantees: the database part is one consistent snapshot
    even while the portal writes; files are copied after it; the archive appears at its
    name complete or not at all (written beside it, then linked into place), readable by
    its owner only, and never replaces an existing file. :class:`BackupError` says why not.
    """
    now = now or utcnow()
    target = _destination(destination, now)
    database = configured_database(app)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".partnership-backup-") as work:
        work_path = Path(work)
        snapshot = work_path / DATABASE_MEMBERS[database.kind]
        if database.kind == "sqlite":
            revision = snapshot_sqlite(database.sqlite_path, snapshot)
            tool = f"SQLite {sqlite3.sqlite_version}"
        else:
            revision, tool = dump_postgresql(app, database, snapshot)
        kept = kept_files(app)
        sources = [(snapshot.name, snapshot), *kept.sources]
        part = work_path / "backup.tar.gz"
        manifest = write_archive(
            part,
            sources,
            lambda members: Manifest(
                created_at=now.isoformat(),
                portal_version=portal_version(),
                database_kind=database.kind,
                revision=revision,
                database_tool=tool,
                folders=kept.folders,
                setting_files=kept.setting_files,
                members=members,
            ),
            now,
        )
        size, digest = file_digest(part)
        _link_into_place(part, target)
    audit.record(
        "backup.created",
        actor=None,
        archive=target.name,
        bytes=size,
        sha256=digest,
        database=database.kind,
        revision=revision,
        files=len(manifest.members) - 1,
    )
    return CreatedBackup(target, size, digest, manifest)


def _destination(destination: Path | None, now: datetime) -> Path:
    if destination is None:
        path = Path.cwd() / default_name(now)
    elif destination.is_dir():
        path = destination / default_name(now)
    else:
        path = destination
    path = path.absolute()
    if path.exists() or path.is_symlink():
        raise _taken(path)
    if not path.parent.is_dir():
        raise BackupError(f"There is no folder {path.parent} to write the backup in.")
    return path


def _taken(path: Path) -> BackupError:
    return BackupError(f"{path} already exists: a backup never replaces a file. Give another name.")


def _link_into_place(part: Path, target: Path) -> None:
    """Give the finished archive its name without ever replacing a file there."""
    try:
        os.link(part, target)
    except FileExistsError:
        raise _taken(target) from None
    except OSError:
        # A file system without hard links: the name was checked free at the start.
        if target.exists():
            raise BackupError(f"{target} already exists: a backup never replaces a file.") from None
        os.rename(part, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
