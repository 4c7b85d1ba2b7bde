"""Restoring a backup."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import Flask

from partnership.core import audit
from partnership.core.backup.archive import (
    KIND_NAMES,
    BackupError,
    Manifest,
    read_backup,
    same_content,
)
from partnership.core.backup.database import (
    Database,
    alembic_config,
    configured_database,
    migrate,
    tables_with_rows,
)
from partnership.core.backup.files import (
    folders_to_restore,
    restore_file,
    restore_folder,
    setting_target,
)
from partnership.core.backup.postgres import check_dump, restore_postgresql
from partnership.core.backup.sqlite import check_sqlite_copy, restore_sqlite
from partnership.extensions import db


@dataclass(frozen=True)
class RestoredBackup:
    manifest: Manifest
    database: Database
    files: dict[str, int]  # folder -> files now in it
    setting_files: dict[str, tuple[Path, bool]]  # setting -> (written to, the setting names it)
    revision: str | None  # after migrating


def restore_backup(app: Flask, path: Path, *, force: bool = False) -> RestoredBackup:
    """Replace ``app``'s database and files with the backup at ``path``, migrate the
    database to this version's schema, and audit it (flushed, not committed).

    Guarantees: before anything changes, the archive is read whole and every checksum
    checked, and a backup of the other kind of database or from a newer portal is refused;
    a target that holds any rows or files is refused unless ``force``. The database is
    replaced in one transaction (SQLite's backup API; ``pg_restore --single-transaction``).
    :class:`BackupError` says why not.
    """
    database = configured_database(app)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=instance, prefix=".restore-") as work:
        staging = Path(work)
        manifest = read_backup(path, staging)
        if manifest.database_kind != database.kind:
            raise BackupError(
                f"This backup holds a {KIND_NAMES[manifest.database_kind]} database, but the "
                f"portal is configured for {KIND_NAMES[database.kind]} ({database.label}). "
                f"Restore it where DATABASE_URL names a {KIND_NAMES[manifest.database_kind]} "
                "database."
            )
        config = alembic_config(app)
        scripts = ScriptDirectory.from_config(config)
        known = {script.revision for script in scripts.walk_revisions()}
        if manifest.revision is not None and manifest.revision not in known:
            raise BackupError(
                f"This backup was made by a newer version of the portal ({manifest.portal_version}"
                f", migration revision {manifest.revision}, which this version does not have). "
                "Upgrade the portal, then restore."
            )
        snapshot = staging / manifest.database_member
        tool = None
        if database.kind == "sqlite":
            check_sqlite_copy(snapshot)
        else:
            tool = check_dump(app, manifest, snapshot)
        folders = folders_to_restore(manifest.folders)
        setting_targets = {
            setting: setting_target(app, setting, name)
            for setting, name in manifest.setting_files.items()
        }
        held = _held(database, instance, folders, setting_targets, staging)
        if held and not force:
            raise BackupError(
                "The portal's database and files are not empty: "
                + "; ".join(held)
                + ". A restore replaces them. If that is what you want, back them up first "
                "(flask backup create), then run the restore again with --force."
            )
        db.session.remove()
        db.engine.dispose()
        if tool is None:
            restore_sqlite(snapshot, database.sqlite_path)
        else:
            restore_postgresql(database, snapshot, tool)
        db.engine.dispose()
        files = {folder: restore_folder(staging, instance, folder) for folder in folders}
        for setting, (target, _named) in setting_targets.items():
            restore_file(staging / "settings" / setting, target)
    revision = migrate(config, scripts)
    audit.record(
        "backup.restored",
        actor=None,
        archive=path.name,
        backup_created_at=manifest.created_at,
        backup_revision=manifest.revision,
        revision=revision,
        database=database.kind,
        files=sum(files.values()),
        replaced=bool(held),
    )
    return RestoredBackup(manifest, database, files, setting_targets, revision)


def _held(
    database: Database,
    instance: Path,
    folders: list[str],
    setting_targets: dict[str, tuple[Path, bool]],
    staging: Path,
) -> list[str]:
    """What the target holds that a restore would replace, one phrase each."""
    held = []
    tables = tables_with_rows(database)
    if tables:
        held.append(f"the database {database.label} has rows in {', '.join(tables)}")
    for folder in folders:
        count = sum(1 for p in (instance / folder).rglob("*") if not p.is_dir())
        if count:
            held.append(f"the folder {instance / folder} holds {count} files")
    for setting, (target, _named) in setting_targets.items():
        if target.exists() and not same_content(target, staging / "settings" / setting):
            held.append(f"{target} ({setting}) differs from the backup's copy")
    return held
