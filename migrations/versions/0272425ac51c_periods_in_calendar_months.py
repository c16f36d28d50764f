"""periods in calendar months: list categories' validity and repair minimum, penalty settings

The rules state these periods in months and years; the registry stored them as day counts
(1,095 for three years).  Stored values are restated in months, round(days / 30.4375) (365.25 / 12):
1095 → 36, 730 → 24, 365 → 12, 90 → 3; a validity is at least one month.  Setting overrides in
``settings`` move to the new keys the same way.  Downgrading restates whole years as 365 days a
year and other months as 30 days (36 → 1095, 3 → 90), the day counts the registry used before.

Revision ID: 0272425ac51c
Revises: 2aec951941b9
Create Date: 2026-11-28 09:00:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0272425ac51c'
down_revision = '2aec951941b9'
branch_labels = None
depends_on = None

MAX_MONTHS = 120
DAYS_PER_MONTH = 30.4375
# old setting key → (new key, smallest value allowed)
SETTINGS = {
    "penalty_general_visible_days": ("penalty_general_visible_months", 1),
    "penalty_serious_visible_days": ("penalty_serious_visible_months", 1),
    "penalty_general_repair_after_days": ("penalty_general_repair_after_months", 0),
    "penalty_serious_repair_after_days": ("penalty_serious_repair_after_months", 0),
}

categories = sa.table(
    "list_categories", sa.column("id", sa.Integer), sa.column("validity_days", sa.Integer),
    sa.column("repair_min_days", sa.Integer), sa.column("validity_months", sa.Integer),
    sa.column("repair_min_months", sa.Integer),
)
settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.Text))


def to_months(days: int, minimum: int) -> int:
    return min(max(round(days / DAYS_PER_MONTH), minimum), MAX_MONTHS)


def to_days(months: int) -> int:
    return months // 12 * 365 if months % 12 == 0 else months * 30


def _convert_categories(connection, source: tuple[str, str], target: tuple[str, str], convert) -> None:
    rows = connection.execute(sa.select(categories.c.id, *(categories.c[name] for name in source))).all()
    for category_id, validity, repair in rows:
        connection.execute(categories.update().where(categories.c.id == category_id).values(
            {target[0]: convert(validity, 1), target[1]: convert(repair, 0)}))


def _convert_settings(connection, renames: dict, convert) -> None:
    for old, (new, minimum) in renames.items():
        value = connection.execute(sa.select(settings.c.value).where(settings.c.key == old)).scalar()
        if value is not None:
            connection.execute(settings.update().where(settings.c.key == old).values(
                key=new, value=json.dumps(convert(json.loads(value), minimum))))


def upgrade():
    with op.batch_alter_table('list_categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('validity_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('repair_min_months', sa.Integer(), nullable=True))
    connection = op.get_bind()
    _convert_categories(connection, ("validity_days", "repair_min_days"), ("validity_months", "repair_min_months"),
                        to_months)
    with op.batch_alter_table('list_categories', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_list_categories_validity_positive'), type_='check')
        batch_op.drop_constraint(op.f('ck_list_categories_repair_min_days_not_negative'), type_='check')
        batch_op.drop_column('validity_days')
        batch_op.drop_column('repair_min_days')
        batch_op.alter_column('validity_months', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('repair_min_months', existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint('validity_months_in_range', f'validity_months BETWEEN 1 AND {MAX_MONTHS}')
        batch_op.create_check_constraint('repair_min_months_in_range', f'repair_min_months BETWEEN 0 AND {MAX_MONTHS}')
    _convert_settings(connection, SETTINGS, to_months)


def downgrade():
    with op.batch_alter_table('list_categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('validity_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('repair_min_days', sa.Integer(), nullable=True))
    connection = op.get_bind()
    _convert_categories(connection, ("validity_months", "repair_min_months"), ("validity_days", "repair_min_days"),
                        lambda months, _minimum: to_days(months))
    with op.batch_alter_table('list_categories', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_list_categories_validity_months_in_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_list_categories_repair_min_months_in_range'), type_='check')
        batch_op.drop_column('validity_months')
        batch_op.drop_column('repair_min_months')
        batch_op.alter_column('validity_days', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('repair_min_days', existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint('validity_positive', 'validity_days > 0')
        batch_op.create_check_constraint('repair_min_days_not_negative', 'repair_min_days >= 0')
    _convert_settings(connection, {new: (old, 0) for old, (new, _minimum) in SETTINGS.items()},
                      lambda months, _minimum: to_days(months))
