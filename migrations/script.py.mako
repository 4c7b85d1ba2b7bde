"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}
from keep_data import Drops


# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}

# What downgrade() drops: it refuses while `tables` or `columns` hold data (keep_data.py).
# Name every table and column the downgrade drops, in `disposable` if it loses nothing.
DROPS = Drops(revision)


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    DROPS.refuse_to_lose_data()
    ${downgrades if downgrades else "pass"}
