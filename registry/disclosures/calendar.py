"""Publication deadlines follow the working-day calendar (PRODUCT §4, §8).

A disclosure not yet published keeps the number of working days its deadline was counted with
from the decision date; when the calendar changes the deadline is recounted and audited.  A
published disclosure keeps its deadline: whether it was met is history.
"""

from __future__ import annotations

import sqlalchemy as sa

from registry.core.calendar_changes import recount, store_recounted
from registry.core.signals import calendar_changed
from registry.disclosures.models import Disclosure
from registry.disclosures.queries import UNPUBLISHED
from registry.extensions import db


@calendar_changed.connect
def recount_publication_deadlines(sender, *, before, after, actor=None, **_extra) -> int:
    rows = db.session.execute(
        sa.select(Disclosure.id, Disclosure.unit_id, Disclosure.decision_date, Disclosure.publication_deadline)
        .where(Disclosure.status.in_(UNPUBLISHED), Disclosure.publication_deadline.is_not(None))
    ).tuples().all()
    moved = recount(rows, before, after)
    return store_recounted(Disclosure, Disclosure.publication_deadline, moved,
                           action="disclosure.recount_deadline", actor=actor) if moved else 0
