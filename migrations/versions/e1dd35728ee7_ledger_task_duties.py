"""ledger task duties replace units.carries_case_quota

Who carries a duty the registry checks is read from the work ledger's task assignments, the one
source: seed task 18 (at least one joint case a month) and seed task 12 (publish credit
information at least every two weeks).  ``ledger_tasks.duty`` marks those tasks; each year's list
has at most one task per duty.  Every task whose text is the 2019 list's task 12 or task 18 (the
seeded list, or a year copied from it) is marked; a list an administrator wrote otherwise is left
unmarked, and its administrator marks it on the task's page.

``units.carries_case_quota`` goes: it said the same thing as task 18's assignments a second time
(and differently: it held 法规处 and 科教处 to the quota, which task 18 does not name).  Its
changes stay in the audit log (``unit.case_quota``).

Revision ID: e1dd35728ee7
Revises: 651a09af6f13
Create Date: 2026-12-07 22:20:16.269550

"""
from alembic import op
import sqlalchemy as sa

import registry.core.db  # noqa: F401  (custom column types used below)


# revision identifiers, used by Alembic.
revision = 'e1dd35728ee7'
down_revision = '651a09af6f13'
branch_labels = None
depends_on = None

# The words of the 2019 list (湘交函〔2019〕276号) that name each duty's task.
DUTY_TEXTS = {"publication": "每两周至少一次主动公开信用信息", "case_quota": "每月上报不少于1个奖惩案例"}


def upgrade():
    with op.batch_alter_table('ledger_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duty', sa.Enum('case_quota', 'publication', name='ledger_duty', native_enum=False, create_constraint=True), nullable=True))
        batch_op.create_unique_constraint('uq_ledger_tasks_year_duty', ['year', 'duty'])
    bind = op.get_bind()
    for duty, words in DUTY_TEXTS.items():
        rows = bind.execute(sa.text("SELECT id, year FROM ledger_tasks WHERE title LIKE :words ORDER BY year, number"),
                            {"words": f"%{words}%"}).all()
        marked_years = set()
        for task_id, year in rows:
            if year not in marked_years:  # one task per duty and year
                bind.execute(sa.text("UPDATE ledger_tasks SET duty = :duty WHERE id = :id"), {"duty": duty, "id": task_id})
                marked_years.add(year)

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('carries_case_quota')


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carries_case_quota', sa.Boolean(), server_default=sa.true(), nullable=False))
    bind = op.get_bind()
    latest = bind.execute(sa.text("SELECT id FROM ledger_tasks WHERE duty = 'case_quota' ORDER BY year DESC")).first()
    if latest is not None:
        bind.execute(sa.text("UPDATE units SET carries_case_quota = (id IN "
                             "(SELECT unit_id FROM ledger_assignments WHERE task_id = :task))"), {"task": latest[0]})

    with op.batch_alter_table('ledger_tasks', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ledger_tasks_year_duty', type_='unique')
        batch_op.drop_constraint(op.f('ck_ledger_tasks_ledger_duty'), type_='check')
        batch_op.drop_column('duty')
