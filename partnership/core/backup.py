"""Backups: the database and the files the portal keeps beside it, in one checked archive.

A backup is one ``.tar.gz`` file holding:

``database.sqlite3`` or ``database.pgdump``
    One consistent snapshot of the database, taken while the portal keeps writing. SQLite's
    online backup API copies every page inside one read transaction (WAL mode lets the portal
    commit meanwhile), so each commit is wholly in the copy or wholly out of it; copying the
    database file instead misses whatever is still in its write-ahead log. PostgreSQL's
    ``pg_dump --format=custom`` reads one repeatable-read snapshot.
``files/<folder>/...``
    The folders of :data:`INSTANCE_FOLDERS` under the instance folder, copied after the
    snapshot, so a file written meanwhile is an extra in the backup, never a missing one.
``settings/<SETTING>``
    The file each setting of :data:`SETTING_FILES` names, when it is set.
``manifest.json``
    Last: the portal's version, the database's kind and migration revision, when, and the
    size and SHA-256 of every other member. A restore checks all of it before changing
    anything.

The instance folder's ``config.py`` (it holds secrets) and the deployment's environment are
not in a backup: they are configuration, kept where the deployment keeps it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any, cast

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Connection, inspect, literal, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from partnership.core import audit
from partnership.core.models import utcnow
from partnership.extensions import db

# Everything the portal keeps outside its database, in one place. A feature that stores files
# puts them in a folder of its own under the instance folder and adds the folder's name here;
# backups then carry it and restores put it back. (Photos are stored in the database today.)
INSTANCE_FOLDERS: tuple[str, ...] = ()
# Settings naming a file the partnership maintains (not secrets), carried with the data.
SETTING_FILES: tuple[str, ...] = ("SUPPORT_SERVICES_FILE",)

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Debian and Ubuntu install each PostgreSQL version's tools in /usr/lib/postgresql/<version>/bin.
POSTGRES_LIB = Path("/usr/lib/postgresql")
MANIFEST_MAX_BYTES = 10 * 1024 * 1024
_CHUNK = 1024 * 1024
_MEMBER_NAME = re.compile(
    r"manifest\.json|database\.sqlite3|database\.pgdump"
    r"|files/[A-Za-z0-9][A-Za-z0-9_.-]*/[^\x00-\x1f\\]+|settings/[A-Z][A-Z0-9_]*"
)
_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BackupError(Exception):
    """A backup cannot be made, read or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Database:
    """The database the portal is configured for."""

    kind: str  # "sqlite" or "postgresql"
    url: URL

    @property
    def sqlite_path(self) -> Path:
        return Path(str(self.url.database))

    @property
    def label(self) -> str:
        """Where it is, for messages: the SQLite file, or the PostgreSQL URL without password."""
        if self.kind == "sqlite":
            return str(self.sqlite_path)
        return self.url.set(drivername="postgresql").render_as_string(hide_password=True)


def configured_database(app: Flask) -> Database:
    """The database ``app`` uses; :class:`BackupError` if it is not one a backup covers."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    kind = url.get_backend_name()
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"Backups cover SQLite and PostgreSQL; DATABASE_URL names {kind}.")
    if kind == "sqlite" and url.database in (None, "", ":memory:"):
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Database(kind, url)


@dataclass(frozen=True)
class Member:
    """One file in the archive, as the manifest lists it."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and where it came from."""

    created_at: str  # ISO 8601, UTC
    portal_version: str
    database_kind: str
    revision: str | None  # the database's Alembic revision; None: never migrated
    database_tool: str  # "SQLite 3.40.1" or "pg_dump 15.8"
    folders: tuple[str, ...]
    setting_files: dict[str, str]  # setting -> the file's name where it was
    members: tuple[Member, ...]
    format: int = FORMAT

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.database_kind]

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)

    def folder_members(self, folder: str) -> list[Member]:
        prefix = f"files/{folder}/"
        return [m for m in self.members if m.name.startswith(prefix)]

    def to_json(self) -> bytes:
        data = asdict(self)
        data["folders"] = list(self.folders)
        data["members"] = [asdict(m) for m in self.members]
        return json.dumps(data, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """The manifest in ``raw``; :class:`BackupError` if it is not one this portal reads."""
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"The backup is in format {data.get('format')!r}, which this version of "
                    f"the portal does not read (it reads format {FORMAT}): restore it with the "
                    "version that made it or a later one."
                )
            members = tuple(
                Member(_text(m["name"]), _count(m["size"]), _digest(m["sha256"]))
                for m in data["members"]
            )
            manifest = cls(
                created_at=_text(data["created_at"]),
                portal_version=_text(data["portal_version"]),
                database_kind=_choice(data["database_kind"], DATABASE_MEMBERS),
                revision=None if data["revision"] is None else _text(data["revision"]),
                database_tool=_text(data["database_tool"]),
                folders=tuple(_folder(f) for f in data["folders"]),
                setting_files={
                    _setting(setting): _file_name(name)
                    for setting, name in dict(data["setting_files"]).items()
                },
                members=members,
            )
        except BackupError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise BackupError(
                f"The backup's manifest is damaged ({error}): do not restore from it; "
                "use another backup."
            ) from None
        return manifest


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{value!r} is not a size")
    return value


def _digest(value: Any) -> str:
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise ValueError(f"{value!r} is not a SHA-256")
    return value


def _choice(value: Any, allowed: dict[str, str]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _folder(value: Any) -> str:
    if not isinstance(value, str) or not _FOLDER_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not a folder name")
    return value


def _setting(value: Any) -> str:
    if not isinstance(value, str) or not _SETTING_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not a setting")
    return value


def _file_name(value: Any) -> str:
    if not isinstance(value, str) or value in ("", ".", "..") or "/" in value or "\\" in value:
        raise ValueError(f"{value!r} is not a file name")
    return value


def portal_version() -> str:
    try:
        return metadata.version("partnership")
    except metadata.PackageNotFoundError:
        return "unknown"


def describe(manifest: Manifest) -> list[str]:
    """What a backup holds, one line each, for the command line."""
    database = manifest.member(manifest.database_member)
    size = database.size if database else 0
    revision = (
        f"migration revision {manifest.revision}" if manifest.revision else "no migration revision"
    )
    lines = [
        f"the {KIND_NAMES[manifest.database_kind]} database at {revision} "
        f"({size:,} bytes, {manifest.database_tool})"
    ]
    for folder in manifest.folders:
        members = manifest.folder_members(folder)
        total = sum(m.size for m in members)
        lines.append(f"{len(members)} files from the instance folder's {folder}/ ({total:,} bytes)")
    for setting, name in manifest.setting_files.items():
        member = manifest.member(f"settings/{setting}")
        lines.append(f"the {setting} file {name} ({member.size if member else 0:,} bytes)")
    return lines


# Making a backup


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
            revision = _snapshot_sqlite(database.sqlite_path, snapshot)
            tool = f"SQLite {sqlite3.sqlite_version}"
        else:
            revision, tool = _dump_postgresql(app, database, snapshot)
        sources: list[tuple[str, Path]] = [(snapshot.name, snapshot)]
        folders = tuple(f for f in INSTANCE_FOLDERS if (Path(app.instance_path) / f).is_dir())
        for folder in folders:
            sources.extend(_folder_files(Path(app.instance_path) / folder, folder))
        setting_files: dict[str, str] = {}
        for setting in SETTING_FILES:
            if app.config.get(setting):
                path = Path(app.config[setting])
                setting_files[setting] = path.name
                sources.append((f"settings/{setting}", path))
        part = work_path / "backup.tar.gz"
        manifest = _write_archive(
            part,
            sources,
            lambda members: Manifest(
                created_at=now.isoformat(),
                portal_version=portal_version(),
                database_kind=database.kind,
                revision=revision,
                database_tool=tool,
                folders=folders,
                setting_files=setting_files,
                members=members,
            ),
            now,
        )
        size, digest = _file_digest(part)
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
        raise BackupError(
            f"{path} already exists: a backup never replaces a file. Give another name."
        )
    if not path.parent.is_dir():
        raise BackupError(f"There is no folder {path.parent} to write the backup in.")
    return path


def _snapshot_sqlite(source: Path, copy: Path) -> str | None:
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


def _dump_postgresql(app: Flask, database: Database, dump: Path) -> tuple[str | None, str]:
    """``pg_dump`` the database into ``dump``; its revision and the tool's version."""
    try:
        with db.engine.connect() as connection:
            server = _server_major(connection)
            revision = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as error:
        raise BackupError(
            f"The database {database.label} cannot be read: {getattr(error, 'orig', error)}."
        ) from None
    tool = find_postgres_tool("pg_dump", app.config.get("POSTGRES_BIN") or "", at_least=server)
    uri, env = _libpq(database.url)
    _run(
        [str(tool.path), "--format=custom", "--no-password", f"--file={dump}", f"--dbname={uri}"],
        env,
        "pg_dump",
    )
    return revision, f"pg_dump {tool.version}"


def _server_major(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _folder_files(root: Path, folder: str) -> Iterator[tuple[str, Path]]:
    """Every regular file under ``root`` (symbolic links are not followed), sorted."""
    for directory, subfolders, files in os.walk(root):
        subfolders.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield f"files/{folder}/{path.relative_to(root).as_posix()}", path


class _HashingReader:
    """Hands ``raw`` on to tarfile, hashing what it reads."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.digest.update(chunk)
        return chunk


def _write_archive(
    path: Path,
    sources: list[tuple[str, Path]],
    manifest_of: Callable[[tuple[Member, ...]], Manifest],
    now: datetime,
) -> Manifest:
    members: list[Member] = []
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as raw:
        with tarfile.open(
            fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6
        ) as tar:
            for name, source in sources:
                try:
                    with source.open("rb") as data:
                        size = os.fstat(data.fileno()).st_size
                        reader = _HashingReader(data)
                        tar.addfile(_info(name, size, now), cast(IO[bytes], reader))
                except FileNotFoundError:
                    if name.startswith("files/"):
                        continue  # deleted since the folder was listed: gone, not lost
                    raise BackupError(f"{source} cannot be read: it is not there.") from None
                except OSError as error:
                    # Also a file cut short while it was read.
                    raise BackupError(f"{source} cannot be read: {error}.") from None
                members.append(Member(name, size, reader.digest.hexdigest()))
            manifest = manifest_of(tuple(members))
            content = manifest.to_json()
            tar.addfile(_info(MANIFEST, len(content), now), io.BytesIO(content))
        raw.flush()
        os.fsync(raw.fileno())
    return manifest


def _info(name: str, size: int, now: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(now.timestamp())
    return info


def _file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _link_into_place(part: Path, target: Path) -> None:
    """Give the finished archive its name without ever replacing a file there."""
    try:
        os.link(part, target)
    except FileExistsError:
        raise BackupError(
            f"{target} already exists: a backup never replaces a file. Give another name."
        ) from None
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


# Reading a backup


def read_backup(path: Path, staging: Path) -> Manifest:
    """Unpack the backup at ``path`` into the folder ``staging`` and check it.

    Guarantees: the manifest is one this portal reads; every member it lists is there with
    its size and SHA-256; nothing else is there; no member's name could reach outside
    ``staging``. :class:`BackupError` says what is wrong; nothing outside ``staging`` is
    touched either way.
    """
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    found: dict[str, Member] = {}
    manifest_raw: bytes | None = None
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for info in tar:
                name = _checked_name(path, info)
                if name in found or (name == MANIFEST and manifest_raw is not None):
                    raise BackupError(f"{path} holds {name} twice: it is not a backup.")
                source = tar.extractfile(info)
                assert source is not None  # noqa: S101 (a regular file, checked above)
                if name == MANIFEST:
                    manifest_raw = source.read(MANIFEST_MAX_BYTES + 1)
                    if len(manifest_raw) > MANIFEST_MAX_BYTES:
                        raise BackupError(f"{path} has an oversized manifest: it is not a backup.")
                    continue
                size, digest = _unpack(source, staging / name)
                found[name] = Member(name, size, digest)
    except PermissionError:
        raise BackupError(f"{path} cannot be read: permission denied.") from None
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(
            f"{path} cannot be read as a backup: it is damaged, cut short or not a backup "
            f"({error}). Do not restore from it; use another backup."
        ) from None
    if manifest_raw is None:
        raise BackupError(
            f"{path} has no manifest: it is not a backup made by `flask backup create`, "
            "or it was cut short."
        )
    manifest = Manifest.from_json(manifest_raw)
    listed = {m.name: m for m in manifest.members}
    if manifest.database_member not in listed:
        raise BackupError(f"{path} is damaged: its manifest lists no database.")
    for setting in manifest.setting_files:
        if f"settings/{setting}" not in listed:
            raise BackupError(f"{path} is damaged: its manifest lists no file for {setting}.")
    missing = sorted(listed.keys() - found.keys())
    if missing:
        raise BackupError(f"{path} is incomplete: {missing[0]} is missing. Use another backup.")
    unlisted = sorted(found.keys() - listed.keys())
    if unlisted:
        raise BackupError(
            f"{path} holds {unlisted[0]}, which its manifest does not list: it is damaged."
        )
    for name, member in sorted(listed.items()):
        if found[name] != member:
            raise BackupError(
                f"{path} is damaged: {name} does not match the checksum in its manifest "
                f"(SHA-256 {found[name].sha256[:16]}…, {found[name].size:,} bytes; the manifest "
                f"says {member.sha256[:16]}…, {member.size:,} bytes). Do not restore from it; "
                "use another backup."
            )
    return manifest


def _checked_name(path: Path, info: tarfile.TarInfo) -> str:
    name = info.name
    parts = name.split("/")
    if (
        not _MEMBER_NAME.fullmatch(name)
        or name.startswith("/")
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise BackupError(f"{path} holds {name!r}, which no backup holds: it is not a backup.")
    if not info.isfile():
        raise BackupError(f"{path} holds {name!r} which is not a plain file: it is not a backup.")
    return name


def _unpack(source: IO[bytes], target: Path) -> tuple[int, str]:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


# Restoring a backup


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
        config = _alembic_config(app)
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
            _check_sqlite_copy(snapshot)
        else:
            tool = _check_dump(app, manifest, snapshot)
        folders = sorted(set(manifest.folders) | set(INSTANCE_FOLDERS))
        setting_targets = {
            setting: _setting_target(app, setting, name)
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
            _restore_sqlite(snapshot, database.sqlite_path)
        else:
            _restore_postgresql(database, snapshot, tool)
        db.engine.dispose()
        files = {folder: _restore_folder(staging, instance, folder) for folder in folders}
        for setting, (target, _named) in setting_targets.items():
            _restore_file(staging / "settings" / setting, target)
    revision = _migrate(config, scripts)
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


def _alembic_config(app: Flask) -> Config:
    return cast(Config, app.extensions["migrate"].migrate.get_config())


def _check_sqlite_copy(snapshot: Path) -> None:
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


def _check_dump(app: Flask, manifest: Manifest, dump: Path) -> PostgresTool:
    """The ``pg_restore`` for this dump, having checked that it reads it."""
    match = re.search(r"(\d+)", manifest.database_tool)
    made_by = int(match.group(1)) if match else 0
    tool = find_postgres_tool("pg_restore", app.config.get("POSTGRES_BIN") or "", at_least=made_by)
    _run([str(tool.path), "--list", str(dump)], dict(os.environ), "pg_restore")
    return tool


def _setting_target(app: Flask, setting: str, name: str) -> tuple[Path, bool]:
    configured = app.config.get(setting)
    if configured:
        return Path(configured), True
    return Path(app.instance_path) / name, False


def _held(
    database: Database,
    instance: Path,
    folders: list[str],
    setting_targets: dict[str, tuple[Path, bool]],
    staging: Path,
) -> list[str]:
    """What the target holds that a restore would replace, one phrase each."""
    held = []
    tables = _tables_with_rows(database)
    if tables:
        held.append(f"the database {database.label} has rows in {', '.join(tables)}")
    for folder in folders:
        count = sum(1 for p in (instance / folder).rglob("*") if not p.is_dir())
        if count:
            held.append(f"the folder {instance / folder} holds {count} files")
    for setting, (target, _named) in setting_targets.items():
        if target.exists() and not _same_content(target, staging / "settings" / setting):
            held.append(f"{target} ({setting}) differs from the backup's copy")
    return held


def _tables_with_rows(database: Database) -> list[str]:
    try:
        with db.engine.connect() as connection:
            names = sorted(inspect(connection).get_table_names())
            return [
                name
                for name in names
                if name != "alembic_version"
                and connection.execute(select(literal(1)).select_from(table(name)).limit(1)).first()
                is not None
            ]
    except SQLAlchemyError as error:
        raise BackupError(
            f"The database {database.label} cannot be opened: {getattr(error, 'orig', error)}."
        ) from None


def _same_content(one: Path, other: Path) -> bool:
    return _file_digest(one) == _file_digest(other)


def _restore_sqlite(snapshot: Path, target: Path) -> None:
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


def _restore_postgresql(database: Database, dump: Path, tool: PostgresTool) -> None:
    # Tables the dump does not hold (from a newer schema in the target) would survive
    # --clean and stop the migrations, so every table goes first. pg_restore has already
    # read this dump (--list), so what can fail now is the server refusing it.
    try:
        with db.engine.begin() as connection:
            quote = connection.dialect.identifier_preparer.quote
            for name in inspect(connection).get_table_names():
                connection.execute(text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    except SQLAlchemyError as error:
        raise BackupError(
            f"The database {database.label} could not be emptied for the restore: "
            f"{getattr(error, 'orig', error)}."
        ) from None
    uri, env = _libpq(database.url)
    try:
        _run(
            [
                str(tool.path),
                "--no-password",
                "--no-owner",
                "--no-acl",
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={uri}",
                str(dump),
            ],
            env,
            "pg_restore",
        )
    except BackupError as error:
        raise BackupError(
            f"{error} The database {database.label} is now empty; the backup is unchanged. "
            "Put right what pg_restore reports, then restore again."
        ) from None


def _restore_folder(staging: Path, instance: Path, folder: str) -> int:
    """Make the instance folder ``folder`` hold exactly the backup's files; how many."""
    target = instance / folder
    target.mkdir(parents=True, exist_ok=True)
    # Its contents are replaced rather than the folder itself, which may be a mount point.
    for entry in list(target.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    source = staging / "files" / folder
    count = 0
    if source.is_dir():
        for entry in sorted(source.rglob("*")):
            if entry.is_file():
                destination = target / entry.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(entry, destination)
                count += 1
    return count


def _restore_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, part)
    os.replace(part, target)


def _migrate(config: Config, scripts: ScriptDirectory) -> str | None:
    """Bring the restored database to this version's schema; its revision after."""
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        empty = not inspect(connection).get_table_names()
    # A database that was never migrated (made by create_all) is left as it is; one that
    # held nothing gets the schema.
    if current is None and not empty:
        return None
    head = scripts.get_current_head()
    if current != head:
        command.upgrade(config, "head")
        db.engine.dispose()
    return head


# PostgreSQL's own tools


@dataclass(frozen=True)
class PostgresTool:
    path: Path
    version: str  # "15.8"
    major: int


def find_postgres_tool(name: str, folder: str = "", at_least: int = 0) -> PostgresTool:
    """``name`` (``pg_dump``, ``pg_restore``) of PostgreSQL ``at_least`` or later.

    From the folder ``folder`` (the POSTGRES_BIN setting) when it is given; otherwise the
    newest of the one on the PATH and those in /usr/lib/postgresql/<version>/bin.
    :class:`BackupError`, saying what to install, if there is none new enough.
    """
    if folder:
        candidates = [Path(folder) / name]
        where = f"POSTGRES_BIN ({folder})"
    else:
        on_path = shutil.which(name)
        candidates = [Path(on_path)] if on_path else []
        candidates += sorted(POSTGRES_LIB.glob(f"*/bin/{name}"))
        where = f"the PATH or {POSTGRES_LIB}/<version>/bin"
    tools = [tool for tool in map(_postgres_tool, candidates) if tool is not None]
    if not tools:
        raise BackupError(f"{name} was not found in {where}. {_install_hint(at_least)}")
    newest = max(tools, key=lambda tool: tool.major)
    if newest.major < at_least:
        raise BackupError(
            f"{name} {newest.version} ({newest.path}) is older than PostgreSQL {at_least}, "
            f"which it must work with. {_install_hint(at_least)}"
        )
    return newest


def _install_hint(major: int) -> str:
    version = str(major) if major else "<version>"
    return (
        f"Install PostgreSQL {version}'s client tools (on Debian or Ubuntu: apt install "
        f"postgresql-client-{version}), or set PARTNERSHIP_POSTGRES_BIN to the folder that "
        "holds them."
    )


def _postgres_tool(path: Path) -> PostgresTool | None:
    if not path.is_file() or not os.access(path, os.X_OK):
        return None
    try:
        result = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
            [str(path), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)(\.\d+)?", result.stdout)
    if result.returncode != 0 or match is None:
        return None
    return PostgresTool(path, match.group(1) + (match.group(2) or ""), int(match.group(1)))


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI for ``url`` without its password, and an environment that carries it
    (kept off the command line, where other users of the machine could read it)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
            args,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except OSError as error:
        raise BackupError(f"{what} could not be run: {error}.") from None
    if result.returncode != 0:
        said = " ".join(result.stderr.strip().splitlines()[-5:]) or f"exit {result.returncode}"
        raise BackupError(f"{what} failed: {said}")
