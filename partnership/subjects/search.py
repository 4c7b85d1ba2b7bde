"""Red-flag search by any part of a word, read through an index on both databases.

A search finds the subjects whose searched columns contain the words, ignoring letter
case: the same meaning as ``lower(column) LIKE '%words%'`` with the words taken as text
(``%``, ``_``, ``"`` and ``*`` are characters, not operators). A plain ``LIKE '%...%'``
reads every subject, so each database is given an index that finds substrings:

- **PostgreSQL**: the ``pg_trgm`` extension and one GIN trigram index on ``lower(column)``
  of each searched column. The ``OR`` of the ``LIKE`` conditions becomes a bitmap ``OR`` of
  index scans.
- **SQLite**: an FTS5 table, ``subject_search``, with the ``trigram`` tokenizer, one column
  per searched column. It keeps no text of its own (its content is the ``subjects`` table)
  and triggers keep its index in step with every insert, change and delete of a subject.
  A search asks it for the rowids matching the words as one phrase, in the columns the
  user may search.

Trigrams need three characters: a search of one or two characters cannot use either index
and reads the subjects with ``LIKE`` (few words are that short, and the answer is the same).

The index is created both by the migration that added it and by ``db.create_all()`` (the
tests and benches), through the DDL attached to the ``subjects`` table below. An SQLite
migration that rebuilds ``subjects`` (``batch_alter_table``) drops its triggers: such a
migration must create them again (:data:`SQLITE_TRIGGERS`) and rebuild the index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import (
    DDL,
    ColumnElement,
    Integer,
    column,
    event,
    func,
    or_,
    select,
    table,
    text,
)

from partnership.extensions import db
from partnership.subjects.models import Subject
from partnership.subjects.visibility import SHAREABLE_PERSONAL, personal_fields

if TYPE_CHECKING:
    from partnership.auth.models import User

# What everyone who may search sees; name and aliases join for those who may see them.
DESCRIBING: Final = ("reference", "description", "clothing", "distinguishing_features")
SEARCHED: Final = DESCRIBING + SHAREABLE_PERSONAL
# Trigram indexes find nothing shorter than one trigram.
SHORTEST_INDEXED: Final = 3

SEARCH_TABLE: Final = "subject_search"
_COLUMNS = ", ".join(SEARCHED)
_NEW = ", ".join(f"new.{name}" for name in SEARCHED)
_OLD = ", ".join(f"old.{name}" for name in SEARCHED)

SQLITE_TABLE: Final = (
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5({_COLUMNS}, content='subjects',"
    " content_rowid='id', tokenize='trigram case_sensitive 0')"
)
# An external-content index forgets a row by being told the values it indexed ('delete').
# The statements are made of the constant names above, nothing else.
_INDEX_NEW = f"INSERT INTO {SEARCH_TABLE} (rowid, {_COLUMNS}) VALUES (new.id, {_NEW});"  # noqa: S608
_FORGET_OLD = (
    f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rowid, {_COLUMNS})"  # noqa: S608
    f" VALUES ('delete', old.id, {_OLD});"
)
SQLITE_TRIGGERS: Final = (
    f"CREATE TRIGGER {SEARCH_TABLE}_insert AFTER INSERT ON subjects BEGIN {_INDEX_NEW} END",
    f"CREATE TRIGGER {SEARCH_TABLE}_delete AFTER DELETE ON subjects BEGIN {_FORGET_OLD} END",
    f"CREATE TRIGGER {SEARCH_TABLE}_update AFTER UPDATE OF {_COLUMNS} ON subjects BEGIN"
    f" {_FORGET_OLD} {_INDEX_NEW} END",
)
# The index's own tables, which FTS5 makes and drops with it.
SQLITE_SHADOW_TABLES: Final = tuple(
    f"{SEARCH_TABLE}_{part}" for part in ("data", "idx", "docsize", "config")
)

POSTGRESQL_EXTENSION: Final = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
POSTGRESQL_INDEXES: Final = {
    f"ix_subjects_{name}_trigram": f"CREATE INDEX ix_subjects_{name}_trigram ON subjects"
    f" USING gin (lower({name}) gin_trgm_ops)"
    for name in SEARCHED
}

_search_index = table(SEARCH_TABLE, column("rowid", Integer), column(SEARCH_TABLE))


def _statement(sql: str, dialect: str) -> DDL:
    """``sql``, run on ``dialect`` only."""
    statement = DDL(sql)  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped
    return statement.execute_if(dialect=dialect)


def _attach_to_schema() -> None:
    """Create the index with the ``subjects`` table whenever the schema is made with
    ``create_all`` (the migration creates it in a database made with ``flask db upgrade``),
    and drop SQLite's with the table (its triggers go with the table by themselves)."""
    subjects = Subject.__table__
    for sql in (f"DROP TABLE IF EXISTS {SEARCH_TABLE}", SQLITE_TABLE, *SQLITE_TRIGGERS):
        event.listen(subjects, "after_create", _statement(sql, "sqlite"))
    event.listen(
        subjects, "before_drop", _statement(f"DROP TABLE IF EXISTS {SEARCH_TABLE}", "sqlite")
    )
    for sql in (POSTGRESQL_EXTENSION, *POSTGRESQL_INDEXES.values()):
        event.listen(subjects, "after_create", _statement(sql, "postgresql"))


_attach_to_schema()


def is_search_index(name: str | None) -> bool:
    """Whether ``name`` is one of the search's tables or indexes, which the models'
    metadata does not describe (migrations' autogenerate leaves them alone)."""
    return name in {SEARCH_TABLE, *SQLITE_SHADOW_TABLES, *POSTGRESQL_INDEXES}


def searched_columns(user: User) -> list[str]:
    """The columns ``user``'s searches look in: the description's for everyone, name and
    aliases only for those who may see them."""
    shown = personal_fields(user)
    return [*DESCRIBING, *(name for name in SHAREABLE_PERSONAL if name in shown)]


def matching(user: User, words: str) -> ColumnElement[bool]:
    """The condition on :class:`Subject` that one of ``user``'s searched columns contains
    ``words`` (already stripped, not empty), ignoring letter case."""
    columns = searched_columns(user)
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite" and len(words) >= SHORTEST_INDEXED:
        return Subject.id.in_(
            select(_search_index.c.rowid).where(
                _search_index.c[SEARCH_TABLE].match(fts_query(columns, words))
            )
        )
    # PostgreSQL's trigram indexes serve these LIKEs of three characters or more; shorter
    # words (and SQLite's) are looked for by reading the subjects.
    pattern = f"%{like_escaped(words.lower())}%"
    return or_(*(func.lower(getattr(Subject, name)).like(pattern, escape="\\") for name in columns))


def plan_for_the_words() -> None:
    """On PostgreSQL, have the rest of this transaction planned for the words it is given.

    psycopg prepares a statement run five times, and PostgreSQL may then plan it once for
    any words ("generic plan"). Only the words tell whether a trigram index helps, so such
    a plan reads the subjects in id order and tests every row: the whole table when few
    match. ``force_custom_plan`` plans each search for its own words, as a statement run
    for the first time is.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def like_escaped(words: str) -> str:
    """``words`` for a ``LIKE`` pattern with ``\\`` as its escape: ``%`` and ``_`` (and the
    escape itself) stand for themselves."""
    return words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fts_query(columns: list[str], words: str) -> str:
    """An FTS5 query for ``words`` as one phrase (a double quote inside doubled, so nothing
    in it is an operator) in ``columns`` only: with the trigram tokenizer, a phrase matches
    wherever the words appear inside a column's text."""
    phrase = '"' + words.replace('"', '""') + '"'
    return "{" + " ".join(columns) + "} : " + phrase


def forget_erased() -> None:
    """Merge SQLite's index into one segment, so that the trigrams of text just erased
    are gone from it and not only marked deleted (FTS5 keeps a deleted row's entries
    until its segments are merged). Nothing to do on PostgreSQL, whose indexes hold
    the rows a vacuum has not yet removed, like the table itself."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            _search_index.insert().values({SEARCH_TABLE: "optimize"}),
        )
