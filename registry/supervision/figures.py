"""Figures of random inspections per unit, for the compliance dashboard (oversight registers them):
plans of the year (approved or drawn), results published in the month and how many on time."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from registry.core.clock import month_bounds
from registry.extensions import db
from registry.supervision.inspection_models import (
    DrawMember,
    InspectionPlan,
    InspectionResult,
    PlanDraw,
    PlanStatus,
)


@dataclass(frozen=True)
class InspectionFigures:
    plans_this_year: int
    results: int
    on_time: int


def inspection_figures(year: int, month: int, unit_ids: list[int]) -> dict[int, InspectionFigures]:
    first, following = month_bounds(year, month)
    plans = dict(db.session.execute(
        sa.select(InspectionPlan.unit_id, sa.func.count()).where(
            InspectionPlan.unit_id.in_(unit_ids or [0]),
            InspectionPlan.status.in_((PlanStatus.APPROVED, PlanStatus.DRAWN)),
            InspectionPlan.period_start >= first.replace(month=1, day=1),
            InspectionPlan.period_start < first.replace(year=year + 1, month=1, day=1))
        .group_by(InspectionPlan.unit_id)).tuples().all())
    results = {unit_id: (done, on_time) for unit_id, done, on_time in db.session.execute(
        sa.select(InspectionPlan.unit_id, sa.func.count(),
                  sa.func.sum(sa.case((InspectionResult.published_on_time.is_(True), 1), else_=0)))
        .join(DrawMember, DrawMember.id == InspectionResult.member_id)
        .join(PlanDraw, PlanDraw.id == DrawMember.draw_id)
        .join(InspectionPlan, InspectionPlan.id == PlanDraw.plan_id)
        .where(InspectionPlan.unit_id.in_(unit_ids or [0]), InspectionResult.published_on >= first,
               InspectionResult.published_on < following)
        .group_by(InspectionPlan.unit_id))}
    return {unit_id: InspectionFigures(plans.get(unit_id, 0), *(int(v or 0) for v in results.get(unit_id, (0, 0))))
            for unit_id in unit_ids}
