"""Tonight's sightings by time, for the dashboard

Revision ID: 3b7e1f0c9a2d
Revises: ce32d29027a5
Create Date: 2026-12-07 20:20:00.000000

"""
from alembic import op

from keep_data import Drops


# revision identifiers, used by Alembic.
revision = '3b7e1f0c9a2d'
down_revision = 'ce32d29027a5'
branch_labels = None
depends_on = None

# What downgrade() drops: an index only, which holds no data of its own.
DROPS = Drops(revision)


def upgrade():
    with op.batch_alter_table('sightings', schema=None) as batch_op:
        batch_op.create_index('ix_sightings_night_occurred_at', ['night', 'occurred_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sightings', schema=None) as batch_op:
        batch_op.drop_index('ix_sightings_night_occurred_at')
