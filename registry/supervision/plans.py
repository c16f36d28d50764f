"""Random-inspection plans: drafting, four-eyes approval, the draw and its verification
(国发〔2019〕5号 双随机、一公开; 国办发〔2019〕35号 on ratios by credit; PRODUCT §16).

Operations never commit.  The seed of a draw is fixed and shown before the draw: at approval,
or when a redraw is asked for; a redraw also needs a reason and a second officer's confirmation.
"""

from __future__ import annotations

import json
import secrets
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.audit import record_event
from registry.core.editors import note_editor
from registry.core.errors import InvalidTransition, PermissionDenied
from registry.core.identifiers import public_identifier
from registry.core.periods import earliest_start
from registry.core.permissions import Role, can_edit_unit
from registry.core.workflow import ensure_reviewer, ensure_version, required_comment, transition
from registry.disclosures.models import Disclosure, DisclosureKind, DisclosureStatus
from registry.extensions import db
from registry.subjects.models import Subject
from registry.supervision import draw as algorithm
from registry.supervision.classes import rule_set_on, supervision_classes
from registry.supervision.inspection_models import (
    DrawMember,
    InspectionPlan,
    PlanDraw,
    PlanStatus,
    PopulationKind,
)
from registry.supervision.inspectors import draw_inspectors
from registry.supervision.models import SubjectSupervisionClass
from registry.supervision.plan_validation import validated_plan

S = PlanStatus
REFUSAL = _l("Only a reviewer of the plan's unit who neither drafted nor submitted it may decide.")


def _ensure_officer(plan_or_unit_id, actor) -> None:
    unit_id = getattr(plan_or_unit_id, "unit_id", plan_or_unit_id)
    if not can_edit_unit(actor, unit_id):
        raise PermissionDenied(_l("Only officers of the plan's unit may do this."))


def create_plan(*, actor, **fields) -> InspectionPlan:
    _ensure_officer(actor.unit_id, actor)
    values = validated_plan(actor.unit, **fields)
    plan = InspectionPlan(unit_id=actor.unit_id, created_by_id=actor.id, **values)
    db.session.add(plan)
    db.session.flush()
    note_editor(plan, actor)
    record_event("inspection_plan.create", actor=actor, obj=plan, to_state=S.DRAFT)
    return plan


def update_plan(plan: InspectionPlan, *, actor, expected_version, **fields) -> None:
    ensure_version(plan, expected_version)
    _ensure_officer(plan, actor)
    if plan.status is not S.DRAFT:
        raise InvalidTransition()
    values = validated_plan(plan.unit, **fields)
    items = values.pop("items")
    transition(plan, expected_version=plan.version, allowed_from={S.DRAFT}, to=S.DRAFT, actor=actor,
               action="inspection_plan.update", values=values)
    plan.items = items
    note_editor(plan, actor)


def submit_plan(plan: InspectionPlan, *, actor, expected_version) -> None:
    ensure_version(plan, expected_version)
    _ensure_officer(plan, actor)
    transition(plan, expected_version=plan.version, allowed_from={S.DRAFT}, to=S.PENDING_REVIEW, actor=actor,
               action="inspection_plan.submit",
               values={"submitted_by_id": actor.id, "submitted_at": clock.utcnow(), "review_comment": None})


def approve_plan(plan: InspectionPlan, *, actor, expected_version, comment: str | None = None) -> None:
    """Approve: the seed of the draw is fixed now, before the draw, and shown with the plan."""
    ensure_version(plan, expected_version)
    ensure_reviewer(plan, actor, role_message=REFUSAL, four_eyes_message=REFUSAL)
    transition(plan, expected_version=plan.version, allowed_from={S.PENDING_REVIEW}, to=S.APPROVED, actor=actor,
               action="inspection_plan.approve", comment=comment,
               values={"reviewed_by_id": actor.id, "reviewed_at": clock.utcnow(), "seed": secrets.token_hex(32)})


def return_plan(plan: InspectionPlan, *, actor, expected_version, comment: str) -> None:
    ensure_version(plan, expected_version)
    ensure_reviewer(plan, actor, role_message=REFUSAL, four_eyes_message=REFUSAL)
    text = required_comment(comment, _l("Say what to change."), limit=2000)
    transition(plan, expected_version=plan.version, allowed_from={S.PENDING_REVIEW}, to=S.DRAFT, actor=actor,
               action="inspection_plan.return", comment=text, values={"review_comment": text})


# ---------------------------------------------------------------------------------------------
# The population and the draw


def ratios_of(plan: InspectionPlan) -> dict[str, int]:
    return {code: int(value) for code, value in json.loads(plan.ratios).items()}


def minimums_of(plan: InspectionPlan) -> dict[str, int]:
    return {code: int(value) for code, value in json.loads(plan.minimums).items()}


def _population_subjects(plan: InspectionPlan, today: date):
    if plan.population_kind is PopulationKind.LICENSED:
        return sa.select(Disclosure.subject_id).where(
            Disclosure.unit_id == plan.unit_id, Disclosure.kind == DisclosureKind.LICENCE,
            Disclosure.status == DisclosureStatus.PUBLISHED,
            sa.or_(Disclosure.licence_valid_to.is_(None), Disclosure.licence_valid_to >= today)).distinct()
    if plan.population_kind is PopulationKind.REGION:
        return sa.select(Subject.id).where(Subject.region_code.startswith(plan.unit.city_code or "-", autoescape=True))
    return sa.select(Subject.id).where(Subject.identifier.in_(plan.identifiers.split()))


def _recently_drawn(plan: InspectionPlan, today: date):
    """Subjects drawn by another plan's latest draw in the last ``exclude_months`` months."""
    latest = sa.select(PlanDraw.plan_id, sa.func.max(PlanDraw.number).label("number")).group_by(
        PlanDraw.plan_id).subquery()
    return (sa.select(DrawMember.subject_id).join(PlanDraw, PlanDraw.id == DrawMember.draw_id)
            .join(latest, sa.and_(latest.c.plan_id == PlanDraw.plan_id, latest.c.number == PlanDraw.number))
            .where(DrawMember.selected.is_(True), PlanDraw.plan_id != plan.id,
                   PlanDraw.drawn_on >= earliest_start(plan.exclude_months, today)))


def population(plan: InspectionPlan, today: date) -> list[tuple[int, algorithm.Member]]:
    """The members as of now: (subject id, member), with their classes and exclusions."""
    rule_set = rule_set_on(today)
    default = rule_set.default_class if rule_set else "B"
    most_severe = supervision_classes()[-1][0]
    ids = _population_subjects(plan, today).subquery()
    rows = db.session.execute(
        sa.select(Subject.id, Subject.kind, Subject.identifier, SubjectSupervisionClass.class_code,
                  SubjectSupervisionClass.key_supervision)
        .join(ids, ids.c[0] == Subject.id)
        .outerjoin(SubjectSupervisionClass, SubjectSupervisionClass.subject_id == Subject.id))
    recent = set(db.session.scalars(_recently_drawn(plan, today))) if plan.exclude_months else set()
    members = []
    for subject_id, kind, identifier, code, key in rows:
        code = code or default
        excluded = subject_id in recent and code != most_severe
        # The public identifier (persons masked): the population is published for verification.
        members.append((subject_id, algorithm.Member(public_identifier(kind, identifier), code, bool(key), excluded)))
    return sorted(members, key=lambda pair: pair[1].identifier)


def _draw(plan: InspectionPlan, actor, *, reason: str | None = None, confirmer=None) -> PlanDraw:
    today = clock.today()
    members = population(plan, today)
    only = [member for _id, member in members]
    drawn = algorithm.select(only, plan.seed, ratios_of(plan), minimums_of(plan), plan.key_ratio)
    number = len(plan.draws) + 1
    record = PlanDraw(plan_id=plan.id, number=number, seed=plan.seed, population_hash=algorithm.population_hash(only),
                      population_size=len(only), selected_count=len(drawn), drawn_on=today,
                      drawn_by_id=(plan.redraw_requested_by_id if confirmer else actor.id),
                      redraw_reason=reason, confirmed_by_id=confirmer.id if confirmer else None)
    db.session.add(record)
    db.session.flush()
    db.session.execute(sa.insert(DrawMember), [
        {"draw_id": record.id, "subject_id": subject_id, "identifier": m.identifier, "class_code": m.class_code,
         "key_supervision": m.key_supervision, "excluded": m.excluded, "selected": m.identifier in drawn}
        for subject_id, m in members] or [])
    frozen = db.session.scalars(sa.select(DrawMember).where(DrawMember.draw_id == record.id)).all()
    draw_inspectors(record, frozen, plan.inspectors_per_inspection)
    db.session.expire(plan, ["draws"])
    return record


def draw_plan(plan: InspectionPlan, *, actor, expected_version) -> PlanDraw:
    """The first draw of an approved plan, by an officer of its unit."""
    ensure_version(plan, expected_version)
    _ensure_officer(plan, actor)
    transition(plan, expected_version=plan.version, allowed_from={S.APPROVED}, to=S.DRAWN, actor=actor,
               action="inspection_plan.draw")
    record = _draw(plan, actor)
    record_event("inspection_plan.drawn", actor=actor, obj=plan, details={
        "draw": record.number, "seed": record.seed, "population_hash": record.population_hash,
        "population": record.population_size, "selected": record.selected_count})
    return record


def request_redraw(plan: InspectionPlan, *, actor, expected_version, reason: str) -> None:
    """Ask for a second draw: a reason, and a new seed fixed and shown now, before it."""
    ensure_version(plan, expected_version)
    _ensure_officer(plan, actor)
    text = required_comment(reason, _l("A redraw needs the reason for it."), limit=2000)
    transition(plan, expected_version=plan.version, allowed_from={S.DRAWN}, to=S.DRAWN, actor=actor,
               action="inspection_plan.redraw_request", comment=text,
               values={"redraw_reason": text, "redraw_requested_by_id": actor.id, "seed": secrets.token_hex(32)})


def confirm_redraw(plan: InspectionPlan, *, actor, expected_version) -> PlanDraw:
    """A second officer (a reviewer of the unit, not the one who asked) confirms: the redraw is made."""
    ensure_version(plan, expected_version)
    if plan.redraw_requested_by_id is None:
        raise InvalidTransition(_l("No redraw was asked for."))
    if actor.role is not Role.REVIEWER or actor.unit_id != plan.unit_id or actor.id == plan.redraw_requested_by_id:
        raise PermissionDenied(_l("A reviewer of the unit other than the officer who asked confirms a redraw."))
    reason = plan.redraw_reason
    record = _draw(plan, actor, reason=reason, confirmer=actor)
    transition(plan, expected_version=plan.version, allowed_from={S.DRAWN}, to=S.DRAWN, actor=actor,
               action="inspection_plan.redraw", comment=reason,
               values={"redraw_reason": None, "redraw_requested_by_id": None})
    return record


def verify_draw(record: PlanDraw) -> dict:
    """Recompute a draw from its stored population, seed and the plan: hash and selection."""
    plan = record.plan
    members = db.session.scalars(sa.select(DrawMember).where(DrawMember.draw_id == record.id)).all()
    frozen = [algorithm.Member(m.identifier, m.class_code, m.key_supervision, m.excluded) for m in members]
    recomputed = algorithm.select(frozen, record.seed, ratios_of(plan), minimums_of(plan), plan.key_ratio)
    stored = {m.identifier for m in members if m.selected}
    computed_hash = algorithm.population_hash(frozen)
    return {"hash_matches": computed_hash == record.population_hash, "selection_matches": recomputed == stored,
            "population_hash": computed_hash, "selected": sorted(recomputed)}


def selected_members(record: PlanDraw) -> list[DrawMember]:
    return list(db.session.scalars(sa.select(DrawMember).where(DrawMember.draw_id == record.id,
                                                               DrawMember.selected.is_(True))
                                   .order_by(DrawMember.identifier)))
