"""``flask listing deciding-units``: entries whose deciding unit says something else than the unit
that decided.

Until the deciding unit was derived from the unit's issuing settings it was a free text, prefilled
with the unit's own name: a division's entries said "基建处", an internal body that decides nothing
towards the public.  Each such entry now says the authority its unit decides for (its issuing
name: 湖南省交通运输厅 for a division, the bureau itself for a city); the change is audited with the
text before (``list_entry.deciding_unit``), a public entry's corrected payload goes to the change
feed, and its version moves on (a reviewer with the old page open is told it changed).  Run it
before ``flask documents issue-missing``, so that the notices it issues name the right authority.
"""

from __future__ import annotations

import sqlalchemy as sa

from registry.accounts.models import Unit
from registry.core.audit import record_event
from registry.core.changes import ChangeKind
from registry.extensions import db
from registry.listing.feed import feed
from registry.listing.models import PUBLIC_STATES, ListEntry


def correct_deciding_units(*, dry_run: bool = False) -> list[tuple[int, str, str]]:
    """``(entry id, deciding unit before, after)`` of every entry corrected (or, ``dry_run``, to be)."""
    rows = db.session.execute(
        sa.select(ListEntry, Unit.issuing_name).join(Unit, Unit.id == ListEntry.unit_id)
        .where(ListEntry.deciding_unit != Unit.issuing_name).order_by(ListEntry.id)
    ).all()
    corrected = []
    for entry, issuing_name in rows:
        corrected.append((entry.id, entry.deciding_unit, issuing_name))
        if dry_run:
            continue
        before = entry.deciding_unit
        entry.deciding_unit, entry.version = issuing_name, entry.version + 1
        db.session.flush()
        record_event("list_entry.deciding_unit", obj=entry, actor_label="system",
                     comment="认定单位以作出认定的机关名称为准。", details={"from": before, "to": issuing_name})
        if entry.status in PUBLIC_STATES:
            feed(entry, ChangeKind.UPDATED)
    return corrected
