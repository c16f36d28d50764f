"""the subjects' name index also holds the id (name, id): the name search reads its first tiers in
that order and stops at the page

Revision ID: 3d7e5b8c2f14
Revises: 5e1d7c0a9b42
Create Date: 2026-12-01 07:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3d7e5b8c2f14'
down_revision = '5e1d7c0a9b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_index('ix_subjects_name')
        batch_op.create_index('ix_subjects_name', ['name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_index('ix_subjects_name')
        batch_op.create_index('ix_subjects_name', ['name'], unique=False)
