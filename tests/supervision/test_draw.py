"""Plans and the draw.  The draw is checked against an independent implementation
of the documented algorithm written here (docs/SUPERVISION.md), never the code under test."""

from __future__ import annotations

import hashlib
import math
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.core.errors import InvalidTransition, PermissionDenied, ValidationErrors, ValidationFailed
from registry.listing.models import EntryStatus
from registry.supervision import operations as class_ops
from registry.supervision import plans as ops
from registry.supervision.inspection_models import DrawMember, PlanDraw, PlanStatus

DAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def english(db, frozen):
    with force_locale("en"), frozen(DAY):
        yield


def independent_draw(lines: list[tuple[str, str, bool, bool]], seed: str, ratios, minimums, key_ratio) -> set[str]:
    """The algorithm as docs/SUPERVISION.md states it, written again from the text."""
    strata: dict[str, list[str]] = {}
    classes = {}
    for identifier, code, key, excluded in lines:
        if excluded:
            continue
        name = code + ("+K" if key else "")
        strata.setdefault(name, []).append(identifier)
        classes[name] = code
    chosen = set()
    for name, identifiers in strata.items():
        ratio = ratios[classes[name]]
        if name.endswith("+K"):
            ratio = max(ratio, key_ratio)
        ordered = sorted(identifiers, key=lambda i: (hashlib.sha256((seed + "|" + i).encode()).hexdigest(), i))
        count = min(len(ordered), max(math.ceil(ratio * len(ordered) / 100), minimums[classes[name]]))
        chosen.update(ordered[:count])
    return chosen


def independent_hash(lines) -> str:
    text = "".join(f"{i}|{c}|{'K' if k else '-'}|{'X' if x else '-'}\n" for i, c, k, x in sorted(lines))
    return hashlib.sha256(text.encode()).hexdigest()


def _population(make, *, good=6, plain=30, bad=4, black=2):
    """Subjects of every class: A (red list), B (nothing), C (grade C), D (black list, HB-04)."""
    subjects = []
    for _ in range(good):
        subjects.append(make.entry(EntryStatus.PUBLISHED, category="道路运输守信").subject)
    subjects += [make.subject() for _ in range(plain)]
    for _ in range(bad):
        subjects.append(make.evaluation(status="published", grade="C", year=2025).subject)
    for _ in range(black):
        subjects.append(make.entry(EntryStatus.PUBLISHED).subject)
    class_ops.recompute_subjects([s.id for s in subjects])
    return subjects


def test_a_draw_matches_an_independent_implementation(make, db):
    subjects = _population(make)
    plan = make.approved_plan(identifiers="\n".join(s.identifier for s in subjects),
                              ratios={"A": 20, "B": 10, "C": 50, "D": 100}, minimums={"A": 1, "B": 4, "C": 0, "D": 0})
    assert plan.status is PlanStatus.APPROVED and len(plan.seed) == 64
    record = ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)
    members = db.session.scalars(sa.select(DrawMember).where(DrawMember.draw_id == record.id)).all()
    lines = [(m.identifier, m.class_code, m.key_supervision, m.excluded) for m in members]
    # The frozen classes are those the rules give: 6 A, 30 B, 4 C, 2 D (under HB-04).
    assert sorted(code for _i, code, _k, _x in lines) == ["A"] * 6 + ["B"] * 30 + ["C"] * 4 + ["D"] * 2
    assert [key for _i, code, key, _x in lines if code == "D"] == [True, True]
    expected = independent_draw(lines, plan.seed, {"A": 20, "B": 10, "C": 50, "D": 100},
                                {"A": 1, "B": 4, "C": 0, "D": 0}, 50)
    assert {m.identifier for m in members if m.selected} == expected
    # Counts from the rule: A ceil(20% of 6)=2; B max(ceil(10% of 30)=3, 4)=4; C ceil(50% of 4)=2; D all 2.
    assert record.selected_count == len(expected) == 2 + 4 + 2 + 2
    assert record.population_hash == independent_hash(lines) and record.population_size == 42
    assert ops.verify_draw(record)["selection_matches"] and ops.verify_draw(record)["hash_matches"]


def test_a_tampered_population_fails_verification(make, db):
    subjects = _population(make, good=2, plain=5, bad=0, black=0)
    plan = make.approved_plan(identifiers="\n".join(s.identifier for s in subjects))
    record = ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)
    member = db.session.scalar(sa.select(DrawMember).where(DrawMember.draw_id == record.id).limit(1))
    member.class_code = "D"
    db.session.flush()
    assert ops.verify_draw(record)["hash_matches"] is False


def test_parties_drawn_recently_are_left_out_except_the_most_severe_class(make, db):
    subjects = _population(make, good=0, plain=3, bad=0, black=1)
    identifiers = "\n".join(s.identifier for s in subjects)
    everyone = {"A": 100, "B": 100, "C": 100, "D": 100}
    first = make.approved_plan(identifiers=identifiers, ratios=everyone)
    ops.draw_plan(first, actor=first.created_by, expected_version=first.version)
    second = make.approved_plan(identifiers=identifiers, ratios=everyone)
    record = ops.draw_plan(second, actor=second.created_by, expected_version=second.version)
    members = db.session.scalars(sa.select(DrawMember).where(DrawMember.draw_id == record.id)).all()
    assert sorted((m.class_code, m.excluded, m.selected) for m in members) == \
        [("B", True, False)] * 3 + [("D", False, True)]


def test_no_exclusion_when_the_plan_says_zero_months(make, db):
    subjects = _population(make, good=0, plain=2, bad=0, black=0)
    identifiers = "\n".join(s.identifier for s in subjects)
    everyone = {"A": 100, "B": 100, "C": 100, "D": 100}
    first = make.approved_plan(identifiers=identifiers, ratios=everyone)
    ops.draw_plan(first, actor=first.created_by, expected_version=first.version)
    second = make.approved_plan(identifiers=identifiers, ratios=everyone, exclude_months=0)
    assert ops.draw_plan(second, actor=second.created_by, expected_version=second.version).selected_count == 2


def test_the_licensed_population_is_the_units_licence_holders(make):
    from registry.disclosures.models import DisclosureStatus

    held = make.disclosure(DisclosureStatus.PUBLISHED, kind="licence")
    make.disclosure(DisclosureStatus.PUBLISHED, kind="licence", unit="CS")  # another unit's licence
    make.disclosure(DisclosureStatus.PUBLISHED, kind="licence", licence_valid_from=date(2025, 1, 1),
                    licence_valid_to=date(2026, 1, 1))  # ended
    plan = make.approved_plan(population_kind="licensed")
    assert [member.identifier for _id, member in ops.population(plan, DAY)] == [held.subject.identifier]


# ---------------------------------------------------------------------------------------------
# Four eyes, states, redraw


def test_the_drafter_cannot_approve_and_a_reviewer_of_the_unit_can(make):
    plan = make.inspection_plan(identifiers=make.subject().identifier)
    ops.submit_plan(plan, actor=plan.created_by, expected_version=plan.version)
    drafter_reviewer = make.user("reviewer")
    with pytest.raises(PermissionDenied):
        ops.approve_plan(plan, actor=make.user("clerk"), expected_version=plan.version)
    with pytest.raises(PermissionDenied):
        ops.approve_plan(plan, actor=make.user("reviewer", unit="CS"), expected_version=plan.version)
    ops.approve_plan(plan, actor=drafter_reviewer, expected_version=plan.version)
    assert plan.status is PlanStatus.APPROVED


def test_a_returned_plan_goes_back_to_draft_with_the_comment_and_no_seed(make):
    plan = make.inspection_plan(identifiers=make.subject().identifier)
    ops.submit_plan(plan, actor=plan.created_by, expected_version=plan.version)
    with pytest.raises(ValidationFailed):
        ops.return_plan(plan, actor=make.user("reviewer"), expected_version=plan.version, comment=" ")
    ops.return_plan(plan, actor=make.user("reviewer"), expected_version=plan.version, comment="比例偏低")
    assert (plan.status, plan.review_comment, plan.seed) == (PlanStatus.DRAFT, "比例偏低", None)


@pytest.mark.parametrize("status", ["draft", "pending_review"])
def test_a_plan_not_approved_cannot_be_drawn(make, status):
    plan = make.inspection_plan(identifiers=make.subject().identifier)
    if status == "pending_review":
        ops.submit_plan(plan, actor=plan.created_by, expected_version=plan.version)
    with pytest.raises(InvalidTransition):
        ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)


def test_a_drawn_plan_cannot_be_drawn_again_quietly(make):
    plan = make.approved_plan(identifiers=make.subject().identifier)
    ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)
    with pytest.raises(InvalidTransition):
        ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)


def test_a_redraw_needs_a_reason_a_new_seed_and_a_second_officer(make, db):
    subjects = _population(make, good=0, plain=10, bad=0, black=0)
    plan = make.approved_plan(identifiers="\n".join(s.identifier for s in subjects))
    first = ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)
    with pytest.raises(ValidationFailed):
        ops.request_redraw(plan, actor=plan.created_by, expected_version=plan.version, reason="")
    ops.request_redraw(plan, actor=plan.created_by, expected_version=plan.version, reason="名单有误，重新抽取")
    assert plan.seed != first.seed
    with pytest.raises(PermissionDenied):  # a clerk is no second officer
        ops.confirm_redraw(plan, actor=make.user("clerk"), expected_version=plan.version)
    second = ops.confirm_redraw(plan, actor=make.user("reviewer"), expected_version=plan.version)
    assert (second.number, second.redraw_reason, second.drawn_by_id) == (2, "名单有误，重新抽取", plan.created_by_id)
    assert second.confirmed_by_id not in (None, plan.created_by_id)
    assert [d.number for d in db.session.scalars(sa.select(PlanDraw).where(PlanDraw.plan_id == plan.id))] == [1, 2]
    with pytest.raises(InvalidTransition):
        ops.confirm_redraw(plan, actor=make.user("reviewer"), expected_version=plan.version)


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": " "}, "name"),
    ({"period_end": date(2026, 6, 1)}, "period_end"),
    ({"ratios": {"A": 3, "B": 5, "C": 20, "D": 101}}, "ratio_D"),
    ({"inspectors_per_inspection": 1}, "inspectors_per_inspection"),
    ({"identifiers": "91430000MA00000000"}, "identifiers"),
    ({"population_kind": "region"}, "population_kind"),  # JJC is no city bureau
    ({"population_kind": "everyone"}, "population_kind"),
    ({"item_ids": []}, "item_ids"),
])
def test_a_bad_plan_is_refused_on_its_field(make, db, changes, field):
    from registry.supervision.inspection_models import InspectionPlan

    values = {"identifiers": make.subject().identifier, **changes}
    with pytest.raises(ValidationFailed) as refused:
        make.inspection_plan(**values)
    errors = refused.value.errors if isinstance(refused.value, ValidationErrors) else [refused.value]
    assert field in {error.field for error in errors}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InspectionPlan)) == 0


# ---------------------------------------------------------------------------------------------
# Random inspectors


def independent_inspectors(seed, identifier, certificates: dict[int, str], conflicts: set[int], count, previous):
    free = sorted((uid for uid in certificates if uid not in conflicts),
                  key=lambda uid: hashlib.sha256(f"{seed}|inspector|{identifier}|{certificates[uid]}".encode())
                  .hexdigest())
    chosen = free[:count]
    if previous is not None and set(chosen) == previous and len(free) > count:
        chosen = [*chosen[:-1], free[count]]
    return set(chosen)


def _inspectors(db, record):
    from registry.supervision.inspector_models import DrawInspector

    found: dict[str, set[int]] = {}
    for identifier, user_id in db.session.execute(
            sa.select(DrawMember.identifier, DrawInspector.user_id)
            .join(DrawInspector, DrawInspector.member_id == DrawMember.id).where(DrawMember.draw_id == record.id)):
        found.setdefault(identifier, set()).add(user_id)
    return found


def test_inspectors_are_drawn_at_random_never_with_a_conflict_nor_the_previous_pair(make, db):
    from registry.supervision.inspector_models import LawEnforcementOfficer
    from registry.supervision.inspectors import declare_conflict

    officers = make.enforcement_officers(count=4)
    certificates = {o.id: db.session.get(LawEnforcementOfficer, o.id).certificate_number for o in officers}
    subjects = [make.subject() for _ in range(3)]
    declare_conflict(officers[0], subjects[0], actor=officers[0], reason="亲属在该企业任职")
    identifiers = "\n".join(s.identifier for s in subjects)
    everyone = {"A": 100, "B": 100, "C": 100, "D": 100}
    first = make.approved_plan(identifiers=identifiers, ratios=everyone, officers=0, exclude_months=0)
    record = ops.draw_plan(first, actor=first.created_by, expected_version=first.version)
    drawn = _inspectors(db, record)
    for subject in subjects:
        conflicts = {officers[0].id} if subject is subjects[0] else set()
        assert drawn[subject.identifier] == independent_inspectors(first.seed, subject.identifier, certificates,
                                                                   conflicts, 2, None)
    assert officers[0].id not in drawn[subjects[0].identifier]
    second = make.approved_plan(identifiers=identifiers, ratios=everyone, officers=0, exclude_months=0)
    again = _inspectors(db, ops.draw_plan(second, actor=second.created_by, expected_version=second.version))
    for subject in subjects:
        conflicts = {officers[0].id} if subject is subjects[0] else set()
        expected = independent_inspectors(second.seed, subject.identifier, certificates, conflicts, 2,
                                          drawn[subject.identifier])
        assert again[subject.identifier] == expected and expected != drawn[subject.identifier]


def test_a_draw_is_refused_without_enough_law_enforcement_officers(make, db):
    make.enforcement_officers(count=1)
    plan = make.approved_plan(identifiers=make.subject().identifier, officers=0)
    with pytest.raises(ValidationFailed):
        ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)
