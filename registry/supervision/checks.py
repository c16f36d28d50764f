"""The nightly recomputation of every supervision class (PRODUCT §16, docs/SUPERVISION.md).

First the stored classes are compared with a recomputation for the day each was computed for: a
difference means a change of records did not reach ``core.signals.subject_records_changed`` (a
bug), and raises an alert for the administrators.  Then every class is recomputed for today: an
entry whose validity ended, a penalty past its display window or rules taking effect today move
subjects between classes without any record changing; each move is in the class history.
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.checks.alerts import OVERDUE, link_to, register_alert_kind, sync_alerts
from registry.checks.registry import register_check
from registry.extensions import db
from registry.supervision.inspection_models import DrawMember, InspectionPlan, InspectionResult, PlanDraw, PlanStatus
from registry.supervision.operations import differences, recompute_all

register_alert_kind(
    "supervision_class_difference", label=_l("Supervision class out of date"),
    message=_l("The stored supervision class %(stored)s of subject %(record_id)s differs from its "
               "recomputation (%(expected)s) for %(day)s: a change of its records was not followed. "
               "The nightly recomputation corrected it; report this as a bug."),
)


@register_check("supervision_classes", order=90, hour=1, minute=0)
def supervision_classes(today: date) -> dict:
    found = differences()
    rows = [{"unit_id": None, "record_type": "subject", "record_id": item["subject_id"],
             "subject_id": item["subject_id"],
             "params": json.dumps({"stored": item["stored"], "expected": item["expected"],
                                   "day": item["day"].isoformat()}, sort_keys=True)} for item in found]
    counts = sync_alerts("supervision_class_difference", today, rows).counts("difference_")
    counts["differences"] = len(found)
    counts["changed"] = recompute_all(today)
    return counts


register_alert_kind(
    "inspection_results_overdue", label=_l("Inspection results overdue"),
    message=_l("Plan %(name)s ended on %(due_date)s with %(missing)s drawn parties still without a result."),
    severity=OVERDUE, link=link_to("supervision.plan", "plan_id"),
)
register_alert_kind(
    "inspection_plan_not_drawn", label=_l("Inspection plan not drawn"),
    message=_l("Plan %(name)s started on %(due_date)s and its parties have not been drawn yet."),
    link=link_to("supervision.plan", "plan_id"),
)


def _current_draws():
    return sa.select(PlanDraw.plan_id, sa.func.max(PlanDraw.id).label("draw_id")).group_by(PlanDraw.plan_id).subquery()


@register_check("inspection_deadlines", order=91, hour=8, minute=0)
def inspection_deadlines(today: date) -> dict:
    """Plans past their period with drawn parties lacking a result; approved plans not drawn once started."""
    current = _current_draws()
    missing = sa.func.count(DrawMember.id)
    rows = []
    statement = (
        sa.select(InspectionPlan.unit_id, InspectionPlan.id, InspectionPlan.period_end, InspectionPlan.name, missing)
        .join(current, current.c.plan_id == InspectionPlan.id)
        .join(DrawMember, sa.and_(DrawMember.draw_id == current.c.draw_id, DrawMember.selected.is_(True)))
        .outerjoin(InspectionResult, InspectionResult.member_id == DrawMember.id)
        .where(InspectionPlan.period_end < today, InspectionResult.id.is_(None))
        .group_by(InspectionPlan.unit_id, InspectionPlan.id, InspectionPlan.period_end, InspectionPlan.name))
    for unit_id, plan_id, period_end, name, count in db.session.execute(statement):
        rows.append({"unit_id": unit_id, "record_type": "inspection_plan", "record_id": plan_id,
                     "due_date": period_end, "params": json.dumps({"name": name, "missing": count}, sort_keys=True,
                                                                  ensure_ascii=False)})
    counts = sync_alerts("inspection_results_overdue", today, rows).counts("results_")
    started = sa.select(InspectionPlan.unit_id, InspectionPlan.id, InspectionPlan.period_start, InspectionPlan.name
                        ).where(InspectionPlan.status == PlanStatus.APPROVED, InspectionPlan.period_start <= today)
    not_drawn = [{"unit_id": unit_id, "record_type": "inspection_plan", "record_id": plan_id, "due_date": start,
                  "params": json.dumps({"name": name}, ensure_ascii=False)}
                 for unit_id, plan_id, start, name in db.session.execute(started)]
    counts.update(sync_alerts("inspection_plan_not_drawn", today, not_drawn).counts("not_drawn_"))
    return counts
