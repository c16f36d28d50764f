"""Publicity ends follow the working-day calendar (PRODUCT §8).

An entry in publicity keeps as many working days of publicity as it was given on approval: when
the calendar changes, its end is recounted from the publicity start (``core.calendar_changes.recount``),
audited, and the change feed carries the new end.  The publicity-end check then publishes it no
earlier than the recounted end.
"""

from __future__ import annotations

import sqlalchemy as sa

from registry.core.calendar_changes import recount, store_recounted
from registry.core.changes import ChangeKind, record_change
from registry.core.signals import calendar_changed
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry
from registry.listing.public import RECORD_TYPE, public_payload


@calendar_changed.connect
def recount_publicity_ends(sender, *, before, after, actor=None, **_extra) -> int:
    rows = db.session.execute(
        sa.select(ListEntry.id, ListEntry.unit_id, ListEntry.publicity_start, ListEntry.publicity_end)
        .where(ListEntry.status == EntryStatus.IN_PUBLICITY)
    ).tuples().all()
    moved = recount(rows, before, after)
    if not moved:
        return 0
    store_recounted(ListEntry, ListEntry.publicity_end, moved, action="list_entry.recount_publicity", actor=actor)
    for entry in db.session.scalars(sa.select(ListEntry).where(ListEntry.id.in_([m.id for m in moved]))
                                    .order_by(ListEntry.id)):
        record_change(RECORD_TYPE, entry.id, ChangeKind.UPDATED, payload=public_payload(entry),
                      subject_id=entry.subject_id, unit_id=entry.unit_id, reason="calendar_changed")
    return len(moved)
