"""PostgreSQL: pg_dump and pg_restore, found and run with the password off the command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from partnership.core.backup.archive import BackupError, Manifest
from partnership.core.backup.database import Database
from partnership.extensions import db

# Debian and Ubuntu install each PostgreSQL version's tools in /usr/lib/postgresql/<version>/bin.
POSTGRES_LIB = Path("/usr/lib/postgresql")


def dump_postgresql(app: Flask, database: Database, dump: Path) -> tuple[str | None, str]:
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


def check_dump(app: Flask, manifest: Manifest, dump: Path) -> PostgresTool:
    """The ``pg_restore`` for this dump, having checked that it reads it."""
    match = re.search(r"(\d+)", manifest.database_tool)
    made_by = int(match.group(1)) if match else 0
    tool = find_postgres_tool("pg_restore", app.config.get("POSTGRES_BIN") or "", at_least=made_by)
    _run([str(tool.path), "--list", str(dump)], dict(os.environ), "pg_restore")
    return tool


def restore_postgresql(database: Database, dump: Path, tool: PostgresTool) -> None:
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
