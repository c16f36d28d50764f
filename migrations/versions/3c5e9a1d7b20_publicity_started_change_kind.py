"""The change kind publicity_started: a list entry entering publicity, its publication published

The feed reported a list entry entering publicity (公示) as ``published`` and its publication after
the publicity as ``updated``.  Past events are renamed to the kinds the feed now
writes, so a reader of the whole feed sees one rule: every list entry's ``published`` event is
renamed ``publicity_started`` (nothing else fed ``published`` for a list entry), and the first
``updated`` event without a reason whose payload says ``published`` (the scheduled publication;
a later correction of a published entry comes after it) becomes ``published``.

Revision ID: 3c5e9a1d7b20
Revises: 6ea26ab27beb
Create Date: 2026-12-08 05:30:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '3c5e9a1d7b20'
down_revision = "6ea26ab27beb"
branch_labels = None
depends_on = None

OLD_KINDS = ('published', 'updated', 'corrected', 'withdrawn', 'expired', 'removed')
NEW_KINDS = ('publicity_started',) + OLD_KINDS

events = sa.table('change_events', sa.column('id', sa.Integer), sa.column('record_type', sa.String),
                  sa.column('record_id', sa.Integer), sa.column('change', sa.String),
                  sa.column('reason', sa.String), sa.column('payload', sa.Text))


def _kinds_check(kinds):
    return "change IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _set_kinds(before, kinds):
    with op.batch_alter_table('change_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_change_events_change_kind'), type_='check')
        batch_op.alter_column('change', existing_type=sa.String(length=max(map(len, before))),
                              type_=sa.String(length=max(map(len, kinds))), existing_nullable=False)
        batch_op.create_check_constraint('change_kind', _kinds_check(kinds))


def _entry_publications(connection) -> list[int]:
    """The ids of the events that published a list entry after its publicity (see the docstring)."""
    rows = connection.execute(sa.select(events.c.id, events.c.record_id, events.c.payload).where(
        events.c.record_type == 'list_entry', events.c.change == 'updated', events.c.reason.is_(None),
    ).order_by(events.c.id))
    first: dict[int, int] = {}
    for event_id, record_id, payload in rows:
        if record_id not in first and json.loads(payload).get('status') == 'published':
            first[record_id] = event_id
    return list(first.values())


def upgrade():
    connection = op.get_bind()
    publications = _entry_publications(connection)
    _set_kinds(OLD_KINDS, NEW_KINDS)
    list_entries = events.c.record_type == 'list_entry'
    connection.execute(events.update().where(list_entries, events.c.change == 'published')
                       .values(change='publicity_started'))
    if publications:
        connection.execute(events.update().where(events.c.id.in_(publications)).values(change='published'))


def downgrade():
    connection = op.get_bind()
    list_entries = events.c.record_type == 'list_entry'
    connection.execute(events.update().where(list_entries, events.c.change == 'published').values(change='updated'))
    connection.execute(events.update().where(list_entries, events.c.change == 'publicity_started')
                       .values(change='published'))
    _set_kinds(NEW_KINDS, OLD_KINDS)
