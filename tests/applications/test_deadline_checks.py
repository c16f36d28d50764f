"""The objection and repair deadline check (PRODUCT §9): due-soon warnings, overdue alerts, resolution."""

from datetime import date

import pytest

from registry.checks.models import Alert
from registry.core import clock
from tests.checks.test_generic import open_alerts, run
from tests.conftest import count

FILED = date(2026, 9, 28)  # acceptance due on the 3rd working day after: 2026-10-08 (National Day between)


@pytest.fixture
def objection(make):
    with clock.frozen_at(FILED):
        application, _code = make.objection()
    assert application.accept_due == date(2026, 10, 8)
    return application


@pytest.mark.parametrize(("day", "due_soon", "overdue"), [
    (date(2026, 9, 28), False, False),  # 2 working days ahead is 09-30: not yet
    (date(2026, 9, 30), True, False),  # 10-08 is within the next 2 working days
    (date(2026, 10, 8), True, False),  # the due day itself
    (date(2026, 10, 9), False, True),  # past it
])
def test_objection_acceptance_deadline_boundaries(db, objection, day, due_soon, overdue):
    run("application_deadlines", day)
    assert bool(open_alerts("objection_due_soon", record_id=objection.id)) is due_soon
    assert bool(open_alerts("objection_overdue", record_id=objection.id)) is overdue
    alert = (open_alerts("objection_due_soon") + open_alerts("objection_overdue") or [None])[0]
    if alert is not None:
        assert alert.unit_id == objection.unit_id and alert.due_date == date(2026, 10, 8)


def test_overdue_alert_resolves_when_the_unit_accepts_and_a_rerun_changes_nothing(db, make, objection):
    from registry.objections import operations

    run("application_deadlines", date(2026, 10, 9))
    assert open_alerts("objection_overdue", record_id=objection.id)
    officer = make.user("clerk", unit=objection.unit.code)
    with clock.frozen_at(date(2026, 10, 9)):
        operations.accept(objection, officer, objection.version)
    counts = run("application_deadlines", date(2026, 10, 9))
    assert counts["objection_overdue_resolved"] == 1
    assert not open_alerts("objection_overdue", record_id=objection.id)
    before = count(Alert)
    again = run("application_deadlines", date(2026, 10, 9))
    assert count(Alert) == before and not any(again.values())


def test_repair_applications_are_checked_too(db, make):
    with clock.frozen_at(FILED):
        application, _code = make.repair(make.repairable_entry())
    run("application_deadlines", application.accept_due)
    assert open_alerts("repair_due_soon", record_id=application.id)


def test_compliance_table_counts_applications_handled_on_time_and_coverage(db, make, objection):
    from registry.objections import operations
    from registry.oversight.compliance import month_table

    clerk = make.user("clerk", unit=objection.unit.code)
    reviewer = make.user("reviewer", unit=objection.unit.code)
    with clock.frozen_at(date(2026, 10, 12)):  # acceptance was due on 10-08: this objection is late
        operations.accept(objection, clerk, objection.version)
        operations.prepare_decision(objection, clerk, objection.version, "dismissed", "理由不成立。")
        operations.confirm(objection, reviewer, objection.version)
    table = month_table(2026, 10, objection.unit_id)
    assert {"objections_on_time", "repairs_on_time", "coverage"} <= {figure.key for figure in table.figures}
    figure = table.rows[0].values["objections_on_time"]
    assert (figure.text, figure.ok) == ("0/1", False)  # handled in October, one deadline missed


def test_compliance_table_counts_repair_cases_of_the_month(db, make):
    from registry.oversight.compliance import month_table

    with clock.frozen_at(FILED):
        application, _code = make.repair(make.repairable_entry())
    figure = month_table(2026, 9, application.unit_id).rows[0].values["repair_cases"]
    assert figure.text == "1 / 0"
    assert month_table(2026, 10, application.unit_id).rows[0].values["repair_cases"].text == "0 / 0"


def test_alert_names_the_application_by_its_receipt_number(db, objection):
    from registry.checks.alerts import alert_message

    run("application_deadlines", date(2026, 10, 9))
    alert = open_alerts("objection_overdue", record_id=objection.id)[0]
    assert objection.receipt_number in alert_message(alert) and "2026-10-08" in alert_message(alert)


def test_disclosure_alert_names_the_decision_number_even_with_quotes(db, make):
    from registry.checks.alerts import alert_message
    from registry.disclosures.models import DisclosureStatus

    disclosure = make.disclosure(DisclosureStatus.DRAFT, decision_date=date(2026, 9, 30),
                                 decision_number='湘交罚〔2026〕"7"号')
    run("disclosure_deadline", date(2026, 10, 16))
    alert = open_alerts("disclosure_overdue", record_id=disclosure.id)[0]
    assert '湘交罚〔2026〕"7"号' in alert_message(alert)
