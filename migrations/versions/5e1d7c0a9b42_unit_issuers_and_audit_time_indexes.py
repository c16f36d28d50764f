"""unit issuer settings (issuing name, seal, remedies bodies) and the audit log's time indexes

Each unit gets the texts its documents speak with, filled with the defaults of
``registry.accounts.issuers`` (copied here: a migration does not change with the code): divisions
issue as 湖南省交通运输厅 (reconsideration 湖南省人民政府, court 长沙铁路运输法院), city bureaus in
their own name (their city's people's government; the railway court of 长沙, 衡阳, 怀化, else the
city's competent court).  The audit log gets (time, id) indexes for its keyset pages.

Revision ID: 5e1d7c0a9b42
Revises: 07a85db5b081
Create Date: 2026-12-01 03:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1d7c0a9b42'
down_revision = '07a85db5b081'
branch_labels = None
depends_on = None

COLUMNS = ("issuing_name", "seal_text", "reconsideration_body", "court")
RAILWAY_COURTS = {"长沙市": "长沙铁路运输法院", "衡阳市": "衡阳铁路运输法院", "怀化市": "怀化铁路运输法院"}
GOVERNMENT_NAMES = {"湘西州": "湘西土家族苗族自治州"}


def _defaults(kind: str, name: str) -> dict:
    if kind != "city":
        return {"issuing_name": "湖南省交通运输厅", "seal_text": "湖南省交通运输厅",
                "reconsideration_body": "湖南省人民政府", "court": "长沙铁路运输法院"}
    place = name.removesuffix("交通运输局")
    return {"issuing_name": name, "seal_text": name,
            "reconsideration_body": f"{GOVERNMENT_NAMES.get(place, place)}人民政府",
            "court": RAILWAY_COURTS.get(place, f"{place}有管辖权的人民法院")}


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.String(length=100), nullable=True))
    bind = op.get_bind()
    for unit_id, kind, name in bind.execute(sa.text("SELECT id, kind, name FROM units")).all():
        bind.execute(sa.text("UPDATE units SET issuing_name = :issuing_name, seal_text = :seal_text, "
                             "reconsideration_body = :reconsideration_body, court = :court WHERE id = :id"),
                     {**_defaults(kind, name), "id": unit_id})
    with op.batch_alter_table('units', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.String(length=100), nullable=False)
            batch_op.create_check_constraint(op.f(f"ck_units_{column}_not_blank"), f"length(trim({column})) > 0")

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_time', ['occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_actor_time', ['actor_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_unit_time', ['unit_id', 'occurred_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_unit_time')
        batch_op.drop_index('ix_audit_events_actor_time')
        batch_op.drop_index('ix_audit_events_time')
    with op.batch_alter_table('units', schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_constraint(op.f(f"ck_units_{column}_not_blank"), type_="check")
            batch_op.drop_column(column)
