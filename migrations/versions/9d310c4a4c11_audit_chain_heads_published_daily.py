"""audit chain heads published daily: the daily audit_anchor check records the
chain's head per day; /audit/heads.json and the monthly exchange manifests publish them for others
to archive.  A new table only: nothing existing changes.

Revision ID: 9d310c4a4c11
Revises: 3d7e5b8c2f14
Create Date: 2026-12-07 22:30:22.168906

"""
from alembic import op
import sqlalchemy as sa

import registry.core.db  # noqa: F401  (custom column types used below)


# revision identifiers, used by Alembic.
revision = '9d310c4a4c11'
down_revision = '3d7e5b8c2f14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_published_heads',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('published_at', registry.core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_audit_published_heads'))
    )


def downgrade():
    op.drop_table('audit_published_heads')
