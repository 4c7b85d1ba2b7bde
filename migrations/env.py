import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import Connection, event

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def render_item(type_, obj, autogen_context):
    """Write the portal's column types as plain SQLAlchemy types, so a revision
    never imports application code that may change after it was written."""
    from partnership.core.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_name(name, type_, parent_names):
    """Leave the subject search's index out of autogenerate's comparison: the models do
    not describe it (partnership/subjects/search.py makes it), so autogenerate would
    otherwise offer to drop it."""
    from partnership.subjects.search import is_search_index

    return not is_search_index(name)


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


@contextmanager
def sqlite_in_one_transaction(connection: Connection) -> Iterator[None]:
    """Run SQLite's migrations inside one real transaction, with foreign keys off.

    pysqlite begins a transaction only before INSERT, UPDATE and DELETE, so DDL ran
    outside any: a revision that failed half-way left its first steps behind, and every
    retry failed on them. With the driver's own transaction handling off, the BEGIN sent
    when SQLAlchemy begins covers every statement, and a failure rolls all of them back
    (SQLAlchemy's "Serializable isolation / Savepoints / Transactional DDL" recipe for
    pysqlite, applied to this connection only).

    Batch migrations copy a table, drop the old one and rename the copy. With foreign
    keys on, dropping the old table first deletes its rows, and ON DELETE CASCADE takes
    every row that refers to them: an upgrade lost every red flag's notes, a downgrade
    every sighting's photos. The pragma cannot change inside a transaction, so it goes
    off before BEGIN; the keys are checked once at the end instead, before COMMIT (see
    refuse_broken_foreign_keys), and turned back on before the connection goes back to
    the pool.
    """
    driver = connection.connection.driver_connection
    if connection.in_transaction():
        connection.commit()
    isolation_level = driver.isolation_level
    foreign_keys = driver.execute("PRAGMA foreign_keys").fetchone()[0]
    driver.isolation_level = None
    driver.execute("PRAGMA foreign_keys=OFF")

    def begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    event.listen(connection, "begin", begin)
    try:
        yield
    finally:
        event.remove(connection, "begin", begin)
        if connection.in_transaction():
            connection.rollback()
        driver.execute(f"PRAGMA foreign_keys={int(foreign_keys)}")
        driver.isolation_level = isolation_level
        if driver.execute("PRAGMA foreign_keys").fetchone()[0] != foreign_keys:
            connection.invalidate()  # never hand the app a connection without its keys


def foreign_key_problems(connection: Connection) -> Counter[tuple[str, str]]:
    """How many rows of each table refer to a missing row of each parent table."""
    rows = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    return Counter((table, parent) for table, _rowid, parent, _fk in rows)


def refuse_broken_foreign_keys(
    connection: Connection, before: Counter[tuple[str, str]]
) -> None:
    """Fail the run, so it rolls back, if it left rows referring to missing rows (what
    SQLite would have refused with foreign keys on). Problems the database already had
    before the run are not blamed on it."""
    new = foreign_key_problems(connection) - before
    if new:
        broken = "; ".join(
            f"{count} row(s) of {table} refer to missing {parent}"
            for (table, parent), count in sorted(new.items())
        )
        raise CommandError(
            f"Migration rolled back, nothing was changed: it broke foreign keys ({broken})."
        )


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives
    conf_args.setdefault("render_item", render_item)
    conf_args.setdefault("compare_type", True)
    conf_args.setdefault("include_name", include_name)

    connectable = get_engine()

    # One transaction for the whole run, on SQLite as on PostgreSQL: a run that fails
    # (or a downgrade that refuses) at any revision leaves the database at the revision
    # it started from, which the portal already running there was made for.
    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        with sqlite_in_one_transaction(connection) if sqlite else nullcontext():
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                transactional_ddl=True,
                **conf_args
            )
            with context.begin_transaction():
                before = foreign_key_problems(connection) if sqlite else Counter()
                context.run_migrations()
                if sqlite:
                    refuse_broken_foreign_keys(connection, before)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
