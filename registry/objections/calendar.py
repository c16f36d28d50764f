"""Objection deadlines follow the working-day calendar (SPEC §6, §8).

Only the deadline of the step the unit has to take next is recounted: acceptance, counted from
the filing or from the day the requested material arrived; the decision, counted from acceptance.
A deadline of a step already taken is history.  Repairs (``repairs.calendar``) use the same
function for their applications.
"""

from __future__ import annotations

import sqlalchemy as sa

from registry.core.signals import calendar_changed
from registry.core.workdays import recount, store_recounted
from registry.extensions import db
from registry.objections.common import ApplicationStatus as S
from registry.objections.models import Objection


def recount_application_deadlines(model, before, after, actor) -> int:
    accept_from = sa.func.coalesce(model.material_supplied_on, model.filed_on)
    accepting = db.session.execute(
        sa.select(model.id, model.unit_id, accept_from, model.accept_due)
        .where(model.status.in_([S.SUBMITTED, S.MATERIAL_REQUESTED]), model.accept_due.is_not(None))
    ).tuples().all()
    deciding = db.session.execute(
        sa.select(model.id, model.unit_id, model.accepted_on, model.decide_due)
        .where(model.status.in_([S.ACCEPTED, S.PENDING_REVIEW]), model.accepted_on.is_not(None),
               model.decide_due.is_not(None))
    ).tuples().all()
    kind = getattr(model, "__audit_type__", model.__tablename__)
    moved = store_recounted(model, model.accept_due, recount(accepting, before, after),
                            action=f"{kind}.recount_accept_due", actor=actor)
    return moved + store_recounted(model, model.decide_due, recount(deciding, before, after),
                                   action=f"{kind}.recount_decide_due", actor=actor)


@calendar_changed.connect
def recount_objection_deadlines(sender, *, before, after, actor=None, **_extra) -> int:
    return recount_application_deadlines(Objection, before, after, actor)
