"""Inspection results (一公开) and the inspection checks."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from registry.checks.models import Alert
from registry.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from registry.disclosures.models import DisclosureStatus, Severity
from registry.extensions import db
from registry.supervision import plans as ops
from registry.supervision import results as result_ops
from registry.supervision.checks import inspection_deadlines
from registry.supervision.inspection_models import DrawMember, InspectionResult, ResultKind

DRAW_DAY = date(2026, 7, 1)


def _drawn(make, frozen, count=2):
    with frozen(DRAW_DAY):
        subjects = [make.subject() for _ in range(count)]
        plan = make.approved_plan(identifiers="\n".join(s.identifier for s in subjects),
                                  ratios={"A": 100, "B": 100, "C": 100, "D": 100})
        ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)
    members = db.session.scalars(sa.select(DrawMember).where(DrawMember.draw_id == plan.current_draw.id)
                                 .order_by(DrawMember.id)).all()
    return plan, members


def _record(plan, member, **changes):
    values = {"actor": plan.created_by, "inspected_on": date(2026, 7, 10), "inspectors": "张三（执法证43010001）、李四",
              "result": "no_problem", **changes}
    return result_ops.record_result(member, **values)


def test_a_result_is_published_when_recorded_and_on_time_within_the_deadline(make, frozen):
    plan, members = _drawn(make, frozen)
    with frozen(date(2026, 7, 15)):
        result = _record(plan, members[0])
    assert (result.result, result.published_on, result.published_on_time) == \
        (ResultKind.NO_PROBLEM, date(2026, 7, 15), True)


def test_a_result_recorded_after_20_working_days_is_late(make, frozen):
    plan, members = _drawn(make, frozen)
    # 2026-07-10 (Friday) + 20 working days = 2026-08-07; recorded on 2026-08-10 it is late.
    with frozen(date(2026, 8, 10)):
        assert _record(plan, members[0]).published_on_time is False


def test_handled_by_law_needs_the_partys_penalty_disclosure(make, frozen):
    plan, members = _drawn(make, frozen)
    subject = members[0].subject
    with frozen(date(2026, 7, 15)):
        with pytest.raises(ValidationFailed) as refused:
            _record(plan, members[0], result="handled_by_law")
        assert refused.value.field == "penalty_decision_number"
        penalty = make.disclosure(DisclosureStatus.PUBLISHED, severity=Severity.GENERAL,
                                  party_identifier=subject.identifier, party_name=subject.name)
        result = _record(plan, members[0], result="handled_by_law", penalty_decision_number=penalty.decision_number)
    assert result.penalty_disclosure_id == penalty.id


@pytest.mark.parametrize(("changes", "field"), [
    ({"inspectors": "张三"}, "inspectors"),
    ({"inspected_on": date(2026, 6, 30)}, "inspected_on"),  # before the draw
    ({"inspected_on": date(2026, 7, 20)}, "inspected_on"),  # after today
    ({"result": "fine"}, "result"),
])
def test_bad_results_are_refused_and_nothing_is_stored(make, frozen, changes, field):
    plan, members = _drawn(make, frozen)
    with frozen(date(2026, 7, 15)), pytest.raises(ValidationFailed) as refused:
        _record(plan, members[0], **changes)
    assert refused.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InspectionResult)) == 0


def test_a_result_is_recorded_once_and_only_by_the_units_officers(make, frozen):
    plan, members = _drawn(make, frozen)
    with frozen(date(2026, 7, 15)):
        with pytest.raises(PermissionDenied):
            _record(plan, members[0], actor=make.user("clerk", unit="CS"))
        _record(plan, members[0])
        with pytest.raises(InvalidTransition):
            _record(plan, members[0])


def test_the_checks_alert_on_a_plan_not_drawn_and_on_results_overdue(make, frozen):
    with frozen(date(2026, 6, 20)):
        waiting = make.approved_plan(identifiers=make.subject().identifier)  # period from 2026-07-01
        inspection_deadlines(date(2026, 6, 20))
        assert not db.session.scalars(sa.select(Alert).where(Alert.kind == "inspection_plan_not_drawn")).all()
    with frozen(DRAW_DAY):
        counts = inspection_deadlines(DRAW_DAY)
    assert counts["not_drawn_raised"] == 1
    plan, members = _drawn(make, frozen)
    with frozen(date(2026, 9, 30)):
        _record(plan, members[0])
        assert inspection_deadlines(date(2026, 9, 30))["results_raised"] == 0  # the period's last day
    with frozen(date(2026, 10, 1)):
        inspection_deadlines(date(2026, 10, 1))
    alert = db.session.scalar(sa.select(Alert).where(Alert.kind == "inspection_results_overdue",
                                                     Alert.resolved_at.is_(None)))
    assert (alert.record_id, alert.unit_id, '"missing": 1' in alert.params) == (plan.id, plan.unit_id, True)
    with frozen(date(2026, 10, 2)):
        ops.draw_plan(waiting, actor=waiting.created_by, expected_version=waiting.version)
        counts = inspection_deadlines(date(2026, 10, 2))
    assert counts["not_drawn_resolved"] == 1


def test_the_officer_page_publishes_a_result_and_the_public_page_shows_it(client, make, login, frozen):
    plan, members = _drawn(make, frozen, count=1)
    login(plan.created_by)
    with frozen(date(2026, 7, 15)):
        response = client.post(f"/officer/supervision/plans/{plan.id}/results/{members[0].id}", data={
            "inspected_on": "2026-07-14", "inspectors": "张三、李四", "result": "rectification_ordered",
            "remarks": "消防器材过期，已责令整改"})
        assert response.status_code == 302
        html = client.get(f"/supervision/plans/{plan.id}?lang=en").get_data(as_text=True)
    assert "发现问题已责令整改" in html and "2026-07-14" in html


def test_an_inspector_sees_their_assigned_inspections_until_the_result(client, make, login, frozen):
    from registry.supervision.inspector_models import DrawInspector

    plan, members = _drawn(make, frozen, count=1)
    user_ids = db.session.scalars(sa.select(DrawInspector.user_id).where(DrawInspector.member_id == members[0].id))
    inspector = db.session.get(type(plan.created_by), next(iter(user_ids)))
    login(inspector)
    with frozen(date(2026, 7, 15)):
        page = client.get("/officer/supervision/assigned?lang=en").get_data(as_text=True)
        assert members[0].identifier in page
        from registry.supervision.work import inspection_lines

        with client.application.test_request_context():
            assert inspection_lines(inspector, date(2026, 7, 15))[0].count == 1
        _record(plan, members[0])
        with client.application.test_request_context():
            assert inspection_lines(inspector, date(2026, 7, 15))[0].count == 0
        assert members[0].identifier not in client.get("/officer/supervision/assigned").get_data(as_text=True)


def test_the_compliance_figure_counts_results_on_time_and_plans_of_the_year(make, frozen):
    from flask_babel import force_locale

    from registry.oversight.compliance import month_table

    plan, members = _drawn(make, frozen)
    with frozen(date(2026, 7, 15)):
        _record(plan, members[0])  # on time
    with frozen(date(2026, 8, 10)):
        _record(plan, members[1], inspected_on=date(2026, 7, 10))  # 20 working days after 07-10 is 08-07: late
        with force_locale("en"):
            july, august = month_table(2026, 7, plan.unit_id), month_table(2026, 8, plan.unit_id)
    assert july.rows[0].values["inspections"].text == "1/1 on time; 1 plans"
    assert july.rows[0].values["inspections"].ok is True
    assert (august.rows[0].values["inspections"].text, august.rows[0].values["inspections"].ok) == \
        ("0/1 on time; 1 plans", False)
