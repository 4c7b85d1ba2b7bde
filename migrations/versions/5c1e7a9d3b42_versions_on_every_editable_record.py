"""Versions on every editable record, and who changed which fields of each version

Revision ID: 5c1e7a9d3b42
Revises: 5e55a0b1c2d3
Create Date: 2026-12-07 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from keep_data import Drops


# revision identifiers, used by Alembic.
revision = '5c1e7a9d3b42'
down_revision = '5e55a0b1c2d3'
branch_labels = None
depends_on = None

# Records that gain a version (rows already there start at 1). Orders had theirs already.
NEW = (
    'organisations',
    'users',
    'venues',
    'areas',
    'sightings',
    'safe_space_uses',
    'welfare_notes',
    'subjects',
    'red_flag_notes',
    'public_reports',
)

# What downgrade() drops: it refuses while `tables` or `columns` hold data (keep_data.py).
# Versions only guard against two saves at once, and who changed which fields when is
# also in the audit trail: nothing a person typed is lost.
DROPS = Drops(revision, disposable=['record_changes', *[f'{t}.version' for t in NEW]])


def upgrade():
    op.create_table('record_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=60), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_name', sa.String(length=200), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_record_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_changes'))
    )
    with op.batch_alter_table('record_changes', schema=None) as batch_op:
        batch_op.create_index('ix_record_changes_record', ['record_type', 'record_id', 'version'], unique=False)

    # A plain ALTER TABLE on SQLite too (a literal default needs no copy of the table,
    # which the foreign keys pointing at these tables would refuse).
    for table in NEW:
        op.add_column(table, sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    DROPS.refuse_to_lose_data()
    # SQLite 3.35 and later drop a column in place, as PostgreSQL does.
    for table in reversed(NEW):
        op.drop_column(table, 'version')

    with op.batch_alter_table('record_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_record_changes_record')
    op.drop_table('record_changes')
