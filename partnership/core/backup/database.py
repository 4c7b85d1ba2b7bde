"""The database a backup covers, whether it holds anything, and migrating it after a restore."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Connection, inspect, literal, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from partnership.core.backup.archive import DATABASE_MEMBERS, BackupError
from partnership.extensions import db


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


def tables_with_rows(database: Database) -> list[str]:
    try:
        with db.engine.connect() as connection:
            names = sorted(set(inspect(connection).get_table_names()) - shadow_tables(connection))
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


def shadow_tables(connection: Connection) -> set[str]:
    """SQLite's tables that store a virtual table's index (the red-flag search's): they hold
    rows of their own even when the virtual table, which is still counted, has none."""
    if connection.dialect.name != "sqlite":
        return set()
    query = text("SELECT name FROM pragma_table_list WHERE type = 'shadow'")
    return set(connection.scalars(query))


def alembic_config(app: Flask) -> Config:
    return cast(Config, app.extensions["migrate"].migrate.get_config())


def migrate(config: Config, scripts: ScriptDirectory) -> str | None:
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
