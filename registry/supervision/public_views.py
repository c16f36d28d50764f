"""Public pages of random inspections (一公开, 国发〔2019〕5号): each unit's inspection items, its
plans once approved (seed shown before the draw), the parties drawn (persons masked) and a
verification anyone can repeat from the published population, seed and algorithm."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, render_template
from flask_babel import lazy_gettext as _l

from registry.core.permissions import officer_required
from registry.core.web import add_nav
from registry.extensions import db
from registry.supervision import items as item_ops
from registry.supervision import plans as ops
from registry.supervision.draw import Member, population_text
from registry.supervision.export import public_party_name, results_xlsx
from registry.supervision.inspection_models import (
    POPULATION_LABELS,
    RESULT_CN,
    DrawMember,
    InspectionPlan,
    PlanDraw,
    PlanStatus,
)
from registry.supervision.results import results_of
from registry.supervision.views import bp

PUBLIC_STATES = (PlanStatus.APPROVED, PlanStatus.DRAWN)


def _public_plan(plan_id: int) -> InspectionPlan:
    plan = db.session.get(InspectionPlan, plan_id)
    if plan is None or plan.status not in PUBLIC_STATES:
        abort(404)
    return plan


@bp.route("/supervision")
def public_index():
    plans = db.session.scalars(sa.select(InspectionPlan).where(InspectionPlan.status.in_(PUBLIC_STATES))
                               .order_by(InspectionPlan.period_start.desc(), InspectionPlan.id.desc())
                               .limit(500)).all()
    return render_template("supervision/public_index.html", plans=plans, items=item_ops.public_items())


@bp.route("/supervision/plans/<id:plan_id>")
def public_plan(plan_id: int):
    plan = _public_plan(plan_id)
    draws = [(draw, ops.verify_draw(draw)) for draw in plan.draws]
    current = plan.current_draw
    return render_template("supervision/public_plan.html", plan=plan, draws=draws, POPULATION=POPULATION_LABELS,
                           ratios=ops.ratios_of(plan), minimums=ops.minimums_of(plan),
                           selected=ops.selected_members(current) if current else [],
                           results=results_of(current) if current else {}, RESULT_CN=RESULT_CN,
                           public_party_name=public_party_name)


@bp.route("/supervision/plans/<id:plan_id>/draws/<id:number>/population.txt")
@officer_required
def population_file(plan_id: int, number: int):
    """The frozen population with its classes: for officers only (the classes are not public,
    PRODUCT §16); the public page shows its hash and the recomputation's result."""
    plan = _public_plan(plan_id)
    draw = db.session.scalar(sa.select(PlanDraw).where(PlanDraw.plan_id == plan.id, PlanDraw.number == number))
    if draw is None:
        abort(404)
    members = db.session.scalars(sa.select(DrawMember).where(DrawMember.draw_id == draw.id)).all()
    text = population_text(Member(m.identifier, m.class_code, m.key_supervision, m.excluded) for m in members)
    return Response(text, mimetype="text/plain", headers={
        "Content-Disposition": f"attachment; filename=plan-{plan.id}-draw-{draw.number}-population.txt"})


@bp.route("/supervision/plans/<id:plan_id>/results.xlsx")
def public_results_xlsx(plan_id: int):
    plan = _public_plan(plan_id)
    return Response(results_xlsx(plan), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=inspection-results-{plan.id}.xlsx"})


add_nav("supervision.public_index", _l("Random inspections"), order=60)
