"""inadmissible rejections are prepared and confirmed (four-eyes in the database)

Revision ID: 2aec951941b9
Revises: b5d22a1f135c
Create Date: 2026-11-27 08:31:41.373721

"""
from alembic import op
import sqlalchemy as sa

import registry.core.db  # noqa: F401  (custom column types used below)


# revision identifiers, used by Alembic.
revision = '2aec951941b9'
down_revision = 'b5d22a1f135c'
branch_labels = None
depends_on = None


TABLES = ("objections", "repair_applications")
CONFIRMED = "status <> 'inadmissible' OR (prepared_by_id IS NOT NULL AND reviewed_by_id IS NOT NULL)"
PREPARER = (
    "inadmissible_reason IS NULL OR status NOT IN ('submitted', 'material_requested') "
    "OR prepared_by_id IS NOT NULL"
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint("inadmissible_confirmed", CONFIRMED)
            batch_op.create_check_constraint("prepared_rejection_has_preparer", PREPARER)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_prepared_rejection_has_preparer"), type_="check")
            batch_op.drop_constraint(op.f(f"ck_{table}_inadmissible_confirmed"), type_="check")
