"""Officer pages of inspection items and plans: draft, submit, approve or return, draw, redraw."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.accounts.models import User
from registry.core import clock
from registry.core.audit import history
from registry.core.permissions import can_edit_unit, can_review, ensure_can_see, is_officer, officer_required
from registry.core.routing import MAX_ID
from registry.core.web import add_nav, perform, perform_form
from registry.core.workflow import ReviewQueueSource, register_queue_source
from registry.extensions import db
from registry.subjects.operations import find_by_identifier
from registry.supervision import inspectors as inspector_ops
from registry.supervision import items as item_ops
from registry.supervision import plans as ops
from registry.supervision import results as result_ops
from registry.supervision.classes import class_names
from registry.supervision.inspection_models import (
    PLAN_STATUS_LABELS,
    POPULATION_LABELS,
    RESULT_LABELS,
    DrawMember,
    InspectionItem,
    InspectionPlan,
    PlanDraw,
    PlanStatus,
)
from registry.supervision.plan_forms import ItemForm, PlanForm
from registry.supervision.views import OFFICER, bp
from registry.supervision.work import assigned_to


def _plan(plan_id: int) -> InspectionPlan:
    plan = db.session.get(InspectionPlan, plan_id) or abort(404)
    ensure_can_see(plan)
    return plan


@bp.route(f"{OFFICER}/items", methods=["GET", "POST"])
@bp.route(f"{OFFICER}/items/<id:item_id>", methods=["GET", "POST"])
@officer_required
def items(item_id: int | None = None):
    item = None
    if item_id is not None:
        item = db.session.get(InspectionItem, item_id) or abort(404)
        if not can_edit_unit(current_user, item.unit_id):
            abort(404)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        ok, _saved = perform_form(form, item_ops.save_item, item, actor=current_user, name=form.name.data,
                                  legal_basis=form.legal_basis.data, party_kind=form.party_kind.data,
                                  method=form.method.data, is_active=form.is_active.data)
        if ok:
            flash(_("The inspection item was saved."), "success")
            return redirect(url_for(".items"))
    return render_template("supervision/items.html", items=item_ops.unit_items(current_user.unit_id), form=form,
                           editing=item, can_edit=can_edit_unit(current_user, current_user.unit_id))


@bp.route(f"{OFFICER}/plans")
@officer_required
def plans():
    rows = db.session.scalars(sa.select(InspectionPlan).where(InspectionPlan.unit_id == current_user.unit_id)
                              .order_by(InspectionPlan.id.desc()).limit(200)).all()
    return render_template("supervision/plans.html", plans=rows, STATUS=PLAN_STATUS_LABELS,
                           can_edit=can_edit_unit(current_user, current_user.unit_id))


@bp.route(f"{OFFICER}/plans/new", methods=["GET", "POST"])
@officer_required
def new_plan():
    if not can_edit_unit(current_user, current_user.unit_id):
        abort(403)
    form = PlanForm(items=item_ops.unit_items(current_user.unit_id, active_only=True))
    if form.validate_on_submit():
        ok, plan = perform_form(form, ops.create_plan, actor=current_user, **form.plan_fields(request.form))
        if ok:
            flash(_("The plan was saved as a draft."), "success")
            return redirect(url_for(".plan", plan_id=plan.id))
    return render_template("supervision/plan_form.html", form=form, class_rows=form.class_rows(request.form))


_ACTIONS = {
    "submit": (ops.submit_plan, _l("The plan was submitted for review.")),
    "approve": (ops.approve_plan, _l("The plan was approved; its seed is fixed.")),
    "draw": (ops.draw_plan, _l("The parties were drawn.")),
    "confirm_redraw": (ops.confirm_redraw, _l("The plan was drawn again.")),
}


@bp.route(f"{OFFICER}/plans/<id:plan_id>", methods=["GET", "POST"])
@officer_required
def plan(plan_id: int):
    plan = _plan(plan_id)
    if request.method == "POST":
        action = request.form.get("action", "")
        version = request.form.get("version")
        if action in _ACTIONS:
            operation, message = _ACTIONS[action]
            perform(operation, plan, actor=current_user, expected_version=version, success=str(message))
        elif action == "return":
            perform(ops.return_plan, plan, actor=current_user, expected_version=version,
                    comment=request.form.get("comment"), success=_("The plan was returned to its drafter."))
        elif action == "request_redraw":
            perform(ops.request_redraw, plan, actor=current_user, expected_version=version,
                    reason=request.form.get("reason"), success=_("The redraw waits for a second officer."))
        else:
            abort(400)
        return redirect(url_for(".plan", plan_id=plan.id))
    draw = plan.current_draw
    return render_template(
        "supervision/plan.html", plan=plan, draw=draw, selected=ops.selected_members(draw) if draw else [],
        results=result_ops.results_of(draw) if draw else {}, RESULTS=RESULT_LABELS, today=clock.today(),
        inspectors=inspector_ops.inspectors_of(draw) if draw else {},
        STATUS=PLAN_STATUS_LABELS, POPULATION=POPULATION_LABELS, ratios=ops.ratios_of(plan),
        minimums=ops.minimums_of(plan), class_names=class_names(), can_edit=can_edit_unit(current_user, plan.unit_id),
        can_decide=can_review(current_user, plan), events=history("inspection_plan", plan.id))


@bp.route(f"{OFFICER}/plans/<id:plan_id>/results/<id:member_id>", methods=["POST"])
@officer_required
def record_result(plan_id: int, member_id: int):
    plan = _plan(plan_id)
    member = db.session.get(DrawMember, member_id)
    if member is None or plan.current_draw is None or member.draw_id != plan.current_draw.id:
        abort(404)
    form = request.form
    try:
        inspected_on = date.fromisoformat(form.get("inspected_on", ""))
    except ValueError:
        inspected_on = None
    perform(result_ops.record_result, member, actor=current_user, inspected_on=inspected_on,
            inspectors=form.get("inspectors"), result=form.get("result"), remarks=form.get("remarks"),
            penalty_decision_number=form.get("penalty_decision_number"), success=_("The result was published."))
    return redirect(url_for(".plan", plan_id=plan.id) + f"#member-{member.id}")


@bp.route(f"{OFFICER}/inspectors", methods=["GET", "POST"])
@officer_required
def inspectors():
    """The unit's law-enforcement officers (certificate numbers) and declared conflicts."""
    unit_id = current_user.unit_id
    if request.method == "POST":
        user_id = request.form.get("user_id", type=int) or 0
        user = db.session.get(User, user_id) if 1 <= user_id <= MAX_ID else None  # no overflow in SQL
        if user is None or user.unit_id != unit_id:
            abort(404)
        if request.form.get("action") == "conflict":
            subject = find_by_identifier(request.form.get("identifier", ""))
            if subject is None:
                flash(_("No registered subject has this identifier."), "error")
            else:
                perform(inspector_ops.declare_conflict, user, subject, actor=current_user,
                        reason=request.form.get("reason"), success=_("The conflict was recorded."))
        else:
            perform(inspector_ops.register_officer, user, actor=current_user,
                    certificate_number=request.form.get("certificate_number"),
                    success=_("The law-enforcement officer was recorded."))
        return redirect(url_for(".inspectors"))
    users = db.session.scalars(sa.select(User).where(User.unit_id == unit_id, User.is_active.is_(True))
                               .order_by(User.name)).all()
    officers = {o.user_id: o for o in inspector_ops.unit_officers(unit_id)}
    return render_template("supervision/inspectors.html", users=users, officers=officers,
                           can_edit=can_edit_unit(current_user, unit_id))


@bp.route(f"{OFFICER}/assigned")
@officer_required
def assigned():
    """The inspections drawn for the signed-in officer that still wait for their result."""
    members = db.session.scalars(assigned_to(current_user).order_by(DrawMember.id)).all()
    draws = {d.id: d for d in db.session.scalars(sa.select(PlanDraw).where(
        PlanDraw.id.in_({m.draw_id for m in members} or {0})))}
    return render_template("supervision/assigned.html", members=members, draws=draws)


class PlanQueue(ReviewQueueSource):
    """Plans waiting for a reviewer, for ``/review``."""

    kind = "inspection_plan"
    label = _l("Random-inspection plan")
    model = InspectionPlan
    status = PlanStatus.PENDING_REVIEW
    approve_operation = staticmethod(ops.approve_plan)
    return_operation = staticmethod(ops.return_plan)

    def title(self, plan: InspectionPlan) -> str:
        return plan.name

    def url(self, plan: InspectionPlan) -> str:
        return url_for("supervision.plan", plan_id=plan.id)

    def subject_label(self, plan: InspectionPlan) -> str:
        return f"{plan.period_start.isoformat()} – {plan.period_end.isoformat()}"


register_queue_source(PlanQueue())
add_nav("supervision.plans", _l("Random inspections"), order=48, officer=True, visible=is_officer)
add_nav("supervision.items", _l("Inspection items"), order=49, officer=True, visible=is_officer)
add_nav("supervision.inspectors", _l("Law-enforcement officers"), order=50, officer=True, visible=is_officer)
