"""Subject search through an index: trigram indexes on PostgreSQL, an FTS5 table on SQLite

Revision ID: 7b2a621e18fa
Revises: ce32d29027a5
Create Date: 2026-12-07 20:20:00.000000

"""
from alembic import op

from keep_data import Drops


# revision identifiers, used by Alembic.
revision = '7b2a621e18fa'
down_revision = 'ce32d29027a5'
branch_labels = None
depends_on = None

# The same statements as partnership/subjects/search.py makes for create_all, written out
# here so the revision never changes when the portal's code does.
SEARCHED = ('reference', 'description', 'clothing', 'distinguishing_features', 'name',
            'aliases')
COLUMNS = ', '.join(SEARCHED)
NEW = ', '.join(f'new.{name}' for name in SEARCHED)
OLD = ', '.join(f'old.{name}' for name in SEARCHED)

SQLITE = [
    f"CREATE VIRTUAL TABLE subject_search USING fts5({COLUMNS}, content='subjects',"
    " content_rowid='id', tokenize='trigram case_sensitive 0')",
    "CREATE TRIGGER subject_search_insert AFTER INSERT ON subjects BEGIN"
    f" INSERT INTO subject_search (rowid, {COLUMNS}) VALUES (new.id, {NEW}); END",
    "CREATE TRIGGER subject_search_delete AFTER DELETE ON subjects BEGIN"
    f" INSERT INTO subject_search (subject_search, rowid, {COLUMNS})"
    f" VALUES ('delete', old.id, {OLD}); END",
    f"CREATE TRIGGER subject_search_update AFTER UPDATE OF {COLUMNS} ON subjects BEGIN"
    f" INSERT INTO subject_search (subject_search, rowid, {COLUMNS})"
    f" VALUES ('delete', old.id, {OLD});"
    f" INSERT INTO subject_search (rowid, {COLUMNS}) VALUES (new.id, {NEW}); END",
    # The subjects already there.
    "INSERT INTO subject_search (subject_search) VALUES ('rebuild')",
]

# What downgrade() drops: SQLite's index and its own tables, made again from the subjects
# by the upgrade (PostgreSQL's indexes are not tables).
DROPS = Drops(
    revision,
    disposable=['subject_search', 'subject_search_data', 'subject_search_idx',
                'subject_search_docsize', 'subject_search_config'],
)


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE:
            op.execute(statement)
        return
    # The database user must be allowed to create the extension, or an administrator
    # creates it once (README, "Production").
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name in SEARCHED:
        op.execute(
            f'CREATE INDEX ix_subjects_{name}_trigram ON subjects'
            f' USING gin (lower({name}) gin_trgm_ops)'
        )


def downgrade():
    DROPS.refuse_to_lose_data()
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER subject_search_{trigger}')
        op.execute('DROP TABLE subject_search')
        return
    # The extension stays: other databases' objects, or an administrator's choice, may
    # rely on it.
    for name in reversed(SEARCHED):
        op.execute(f'DROP INDEX ix_subjects_{name}_trigram')
