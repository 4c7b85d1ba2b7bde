"""Sessions kept on the server: the cookie carries only their id

Revision ID: 5e55a0b1c2d3
Revises: 23b070fdfbea
Create Date: 2026-12-07 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from keep_data import Drops


# revision identifiers, used by Alembic.
revision = '5e55a0b1c2d3'
down_revision = '23b070fdfbea'
branch_labels = None
depends_on = None

# What downgrade() drops: it refuses while `tables` or `columns` hold data (keep_data.py).
# Sessions are not records: dropping them signs everyone out and loses nothing else.
DROPS = Drops(revision, disposable=['server_sessions'])


def upgrade():
    op.create_table('server_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_server_sessions')),
    sa.UniqueConstraint('session_id', name=op.f('uq_server_sessions_session_id'))
    )
    with op.batch_alter_table('server_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_server_sessions_expires_at', ['expires_at'], unique=False)


def downgrade():
    DROPS.refuse_to_lose_data()
    with op.batch_alter_table('server_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_server_sessions_expires_at')

    op.drop_table('server_sessions')
