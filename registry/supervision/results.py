"""Inspection results (一公开): recorded by the plan's unit, public at once; a result is due within
the plan's period and published on time when recorded within the publication deadline (a setting,
in working days after the inspection; PRODUCT §16)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.audit import record_event
from registry.core.errors import InvalidTransition, PermissionDenied, Problems, ValidationFailed, clean_text
from registry.core.permissions import can_edit_unit
from registry.core.settings import SettingSpec, get_setting, register_setting
from registry.core.workdays import add_working_days
from registry.disclosures.models import Disclosure, DisclosureKind
from registry.extensions import db
from registry.supervision.inspection_models import DrawMember, InspectionPlan, InspectionResult, PlanDraw, ResultKind

register_setting(SettingSpec("inspection_result_publication_working_days", 20,
                             _l("Publish inspection results within (working days after the inspection)"), 1, 60))


def _penalty(plan: InspectionPlan, member: DrawMember, decision_number: str | None) -> int:
    number = (decision_number or "").strip()
    found = db.session.scalar(sa.select(Disclosure.id).where(
        Disclosure.kind == DisclosureKind.PENALTY, Disclosure.decision_number == number,
        Disclosure.subject_id == member.subject_id)) if number else None
    if found is None:
        raise ValidationFailed(_l("Give the decision number of the party's penalty disclosure."),
                               field="penalty_decision_number")
    return found


def record_result(member: DrawMember, *, actor, inspected_on, inspectors: str, result, remarks: str | None = None,
                  penalty_decision_number: str | None = None) -> InspectionResult:
    draw = db.session.get(PlanDraw, member.draw_id)
    plan = draw.plan
    if not can_edit_unit(actor, plan.unit_id):
        raise PermissionDenied(_l("Only officers of the plan's unit may do this."))
    if not member.selected or plan.current_draw.id != draw.id:
        raise InvalidTransition(_l("Only a party drawn by the plan's current draw is inspected."))
    if db.session.scalar(sa.select(InspectionResult.id).where(InspectionResult.member_id == member.id)):
        raise InvalidTransition(_l("The result of this inspection is already recorded."))
    today = clock.today()
    problems = Problems()
    if not isinstance(inspected_on, date) or inspected_on > today or inspected_on < draw.drawn_on:
        problems.add(ValidationFailed(_l("The inspection falls between the draw and today."), field="inspected_on"))
    names = problems.check(clean_text, inspectors, "inspectors", _l("the inspectors"), limit=300)
    if names and len([n for n in names.replace("，", "、").replace(",", "、").split("、") if n.strip()]) < 2:
        problems.add(ValidationFailed(_l("Name at least two inspectors, separated by 、."), field="inspectors"))
    try:
        kind = ResultKind(result)
    except ValueError:
        kind = None
        problems.add(ValidationFailed(_l("Choose the result."), field="result"))
    penalty = problems.check(_penalty, plan, member, penalty_decision_number) \
        if kind is ResultKind.HANDLED_BY_LAW else None
    text = problems.check(clean_text, remarks, "remarks", _l("the remarks"), limit=2000, required=False)
    problems.raise_any()
    deadline = add_working_days(inspected_on, get_setting("inspection_result_publication_working_days"))
    row = InspectionResult(member_id=member.id, inspected_on=inspected_on, inspectors=names, result=kind,
                           remarks=text, penalty_disclosure_id=penalty, recorded_by_id=actor.id, published_on=today,
                           published_on_time=today <= deadline)
    db.session.add(row)
    db.session.flush()
    record_event("inspection_result.record", actor=actor, obj=row, details={
        "plan": plan.id, "subject_id": member.subject_id, "result": kind.value})
    return row


def results_of(draw: PlanDraw) -> dict[int, InspectionResult]:
    """member id → result, for the draw's parties."""
    rows = db.session.scalars(sa.select(InspectionResult).join(DrawMember, DrawMember.id == InspectionResult.member_id)
                              .where(DrawMember.draw_id == draw.id))
    return {row.member_id: row for row in rows}
