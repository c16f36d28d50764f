"""API keys expire: api_keys.expires_at, the instant a key stops opening the API
(the midnight, Asia/Shanghai, after its last day), later than its issue.

Keys issued before this upgrade get the full default lifetime counted from the upgrade: their last
day is the upgrade's date (Asia/Shanghai) + 365 days (the default of the new setting
``api_key_lifetime_days``), so no system loses access at the upgrade and every key has an expiry
from then on; an administrator who wants a shorter one issues a new key and revokes the old.

Revision ID: 651a09af6f13
Revises: c9027b5c28a5
Create Date: 2026-12-07 22:45:45.360475

"""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

import registry.core.db  # noqa: F401  (custom column types used below)


# revision identifiers, used by Alembic.
revision = '651a09af6f13'
down_revision = 'c9027b5c28a5'
branch_labels = None
depends_on = None

LIFETIME_DAYS = 365  # the setting's default when this migration was written
SHANGHAI = ZoneInfo("Asia/Shanghai")


def upgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', registry.core.db.UTCDateTime(), nullable=True))
    last_day = datetime.now(SHANGHAI).date() + timedelta(days=LIFETIME_DAYS)
    expires_at = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(UTC)
    keys = sa.table('api_keys', sa.column('expires_at', registry.core.db.UTCDateTime()))
    op.get_bind().execute(keys.update().values(expires_at=expires_at))
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=registry.core.db.UTCDateTime(), nullable=False)
        batch_op.create_check_constraint('expires_after_created', 'expires_at > created_at')


def downgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_api_keys_expires_after_created'), type_='check')
        batch_op.drop_column('expires_at')
