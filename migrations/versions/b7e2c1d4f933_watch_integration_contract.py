"""watchlist notifications an integrator can rely on

- ``watch_endpoints.previous_secret`` and ``previous_secret_until``: after a rotation the old
  signing secret signs too, until the grace period ends (§2).
- ``watched_identifiers.reference``: the client's own reference of a watched identifier, echoed
  in every notification about it (§4).

Revision ID: b7e2c1d4f933
Revises: ad7c329d92de
Create Date: 2026-12-08 04:15:00

"""
from alembic import op
import sqlalchemy as sa

import registry.core.db  # noqa: F401  (custom column types used below)

revision = "b7e2c1d4f933"
down_revision = "ad7c329d92de"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("watched_identifiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=100), nullable=True))
    with op.batch_alter_table("watch_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_secret", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("previous_secret_until", registry.core.db.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(
            "previous_secret_has_end", "(previous_secret IS NULL) = (previous_secret_until IS NULL)")


def downgrade():
    with op.batch_alter_table("watch_endpoints", schema=None) as batch_op:
        batch_op.drop_constraint("previous_secret_has_end", type_="check")
        batch_op.drop_column("previous_secret_until")
        batch_op.drop_column("previous_secret")
    with op.batch_alter_table("watched_identifiers", schema=None) as batch_op:
        batch_op.drop_column("reference")
