"""unit and status indexes for the workbench counts

The officer's workbench and the review queue count a unit's records by state (drafts, pending
review, open applications): one (unit_id, status) index per table they count.

Revision ID: f08606d6b514
Revises: c8bf24aa0bda
Create Date: 2026-12-01 03:13:14.663637

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f08606d6b514'
down_revision = 'c8bf24aa0bda'
branch_labels = None
depends_on = None

TABLES = ("cases", "credit_evaluations", "disclosures", "list_entries", "objections", "repair_applications")


def upgrade():
    for table in TABLES:
        op.create_index(f"ix_{table}_unit_status", table, ["unit_id", "status"], unique=False)


def downgrade():
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_unit_status", table_name=table)
