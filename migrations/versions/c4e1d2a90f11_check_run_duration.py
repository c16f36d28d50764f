"""check runs keep how long they took (the metrics' check duration)

Revision ID: c4e1d2a90f11
Revises: b1c82a7431ab
Create Date: 2026-12-01 03:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e1d2a90f11'
down_revision = 'b1c82a7431ab'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duration_seconds', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.drop_column('duration_seconds')
