"""Indexes the partnership report reads a year of sightings from

Revision ID: 3f6b2d8e9a41
Revises: 7b2a621e18fa
Create Date: 2026-12-07 20:20:00.000000

"""
from alembic import op

from keep_data import Drops


# revision identifiers, used by Alembic.
revision = '3f6b2d8e9a41'
down_revision = '7b2a621e18fa'
branch_labels = None
depends_on = None

# Indexes only: the downgrade drops no table or column.
DROPS = Drops(revision)


def upgrade():
    with op.batch_alter_table('sightings', schema=None) as batch_op:
        batch_op.create_index(
            'ix_sightings_night_occurred_at_id', ['night', 'occurred_at', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_sightings_night_victim_response_action_taken',
            ['night', 'victim_response', 'action_taken'],
            unique=False,
        )
        batch_op.create_index(
            'ix_sightings_night_venue_id_place',
            ['night', 'venue_id', 'latitude', 'longitude'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('sightings', schema=None) as batch_op:
        batch_op.drop_index('ix_sightings_night_venue_id_place')
        batch_op.drop_index('ix_sightings_night_victim_response_action_taken')
        batch_op.drop_index('ix_sightings_night_occurred_at_id')
