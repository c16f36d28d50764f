"""The checks at their boundary dates, run through the real runner (one commit each), twice."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from registry.checks.models import Alert, CheckRun
from registry.checks.registry import CHECKS
from registry.checks.runner import run_check
from registry.core import calendar_changes, clock
from registry.core.settings import set_setting
from registry.disclosures.models import DisclosureStatus
from tests.conftest import count


def run(name: str, day: date) -> dict:
    with clock.frozen_at(day):
        return run_check(CHECKS[name], day)


def open_alerts(kind: str, **where) -> list[Alert]:
    from registry.extensions import db

    statement = sa.select(Alert).where(Alert.kind == kind, Alert.resolved_at.is_(None))
    for key, value in where.items():
        statement = statement.where(getattr(Alert, key) == value)
    return list(db.session.scalars(statement))


def local(*args) -> datetime:
    return datetime(*args, tzinfo=clock.LOCAL_TZ)


# --- calendar coverage ---------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "missing"), [
    (date(2026, 11, 30), []),  # 2027 is not needed yet
    (date(2026, 12, 1), [2027]),  # from 1 December, next year must be loaded
    (date(2027, 3, 1), [2027]),  # a year in use and unknown to the package
])
def test_calendar_coverage_boundaries(db, day, missing):
    run("calendar_coverage", day)
    assert sorted(alert.record_id for alert in open_alerts("calendar_missing")) == missing
    assert all(alert.unit_id is None for alert in open_alerts("calendar_missing"))


def test_calendar_alert_resolves_once_the_arrangement_is_declared_and_a_rerun_changes_nothing(db, make):
    assert run("calendar_coverage", date(2026, 12, 1))["raised"] == 1
    assert run("calendar_coverage", date(2026, 12, 1)) == {"missing_years": 1, "raised": 0, "resolved": 0}
    calendar_changes.set_day(date(2027, 2, 20), True, "调休上班")  # entering days alone does not complete the year
    assert run("calendar_coverage", date(2026, 12, 2))["resolved"] == 0
    calendar_changes.declare_arrangement(2027, True, make.user("admin", unit="FGC"))
    assert run("calendar_coverage", date(2026, 12, 2))["resolved"] == 1
    assert open_alerts("calendar_missing") == []


# --- biweekly publication ----------------------------------------------------------------------

@pytest.mark.parametrize(("day", "alerted"), [(date(2026, 10, 14), False), (date(2026, 10, 15), True)])
def test_publication_gap_boundary(db, make, day, alerted):
    make.change_event(unit="JJC", at=local(2026, 10, 1, 23, 30))  # local date 1 October, 15:30 UTC
    run("biweekly_publication", day)
    assert bool(open_alerts("publication_gap", unit_id=make.unit("JJC").id)) is alerted


def test_publication_gap_counts_only_publications_of_credit_information(db, make):
    make.change_event(unit="JJC", at=local(2026, 10, 10, 9), record_type="credit_evaluation")
    make.change_event(unit="JJC", at=local(2026, 10, 10, 9), change="expired")
    run("biweekly_publication", date(2026, 10, 15))
    assert open_alerts("publication_gap", unit_id=make.unit("JJC").id)


def test_a_list_entry_counts_as_published_when_its_publicity_starts_not_again_when_it_takes_effect(db, make):
    # 公示 is the unit publishing the entry (PRODUCT §8, §9); its taking effect after it is automatic.
    make.change_event(unit="JJC", at=local(2026, 10, 1, 9), record_type="list_entry", record_id=7,
                      change="publicity_started")
    make.change_event(unit="CS", at=local(2026, 10, 10, 9), record_type="list_entry", change="published")
    run("biweekly_publication", date(2026, 10, 15))  # 14 days: 2 to 15 October
    assert open_alerts("publication_gap", unit_id=make.unit("CS").id)
    assert open_alerts("publication_gap", unit_id=make.unit("JJC").id)
    make.change_event(unit="JJC", at=local(2026, 10, 12, 9), record_type="list_entry", change="publicity_started")
    assert run("biweekly_publication", date(2026, 10, 15))["resolved"] == 1


def test_publication_gap_resolves_when_the_unit_publishes_and_follows_the_setting(db, make):
    unit = make.unit("JJC")
    run("biweekly_publication", date(2026, 10, 15))
    assert open_alerts("publication_gap", unit_id=unit.id)
    make.change_event(unit="JJC", at=local(2026, 10, 15, 9))
    assert run("biweekly_publication", date(2026, 10, 15))["resolved"] == 1
    set_setting("publication_gap_days", 3, actor=None)
    run("biweekly_publication", date(2026, 10, 17))
    assert not open_alerts("publication_gap", unit_id=unit.id)
    run("biweekly_publication", date(2026, 10, 18))
    assert open_alerts("publication_gap", unit_id=unit.id)


# --- monthly case quota ------------------------------------------------------------------------

def test_case_quota_warning_from_the_20th_and_overdue_on_the_1st(db, make):
    jjc, cs = make.unit("JJC"), make.unit("CS")
    make.case(unit="JJC", case_date=date(2026, 10, 3))
    run("monthly_case_quota", date(2026, 10, 19))
    assert not open_alerts("case_quota_warning")
    run("monthly_case_quota", date(2026, 10, 20))
    warned = {alert.unit_id for alert in open_alerts("case_quota_warning")}
    assert cs.id in warned and jjc.id not in warned
    assert open_alerts("case_quota_warning", unit_id=cs.id)[0].due_date == date(2026, 10, 31)

    run("monthly_case_quota", date(2026, 11, 1))
    assert not open_alerts("case_quota_warning")
    overdue = {alert.unit_id: alert for alert in open_alerts("case_quota_overdue")}
    assert cs.id in overdue and jjc.id not in overdue
    assert overdue[cs.id].params_dict["month"] == "2026-10"


def test_a_case_counts_in_the_month_the_measure_was_applied_everywhere(db, make):
    """a 长沙 case dated 2026-11-10 and verified on 12-01 meets November's quota in
    the check, on the compliance dashboard and in the effectiveness list alike; a case verified in
    November but dated October counts for October only."""
    from registry.cases.quota import monthly_quota
    from registry.oversight.compliance import month_table

    cs = make.unit("CS")
    with clock.frozen_at(date(2026, 12, 1)):
        make.case(unit="CS", case_date=date(2026, 11, 10))  # verified today, 12-01
    run("monthly_case_quota", date(2026, 12, 1))
    assert not open_alerts("case_quota_overdue", unit_id=cs.id)
    assert {row.unit.id: row.met for row in monthly_quota(2026, 11)}[cs.id] is True
    with clock.frozen_at(date(2026, 12, 1)):
        table = month_table(2026, 11, cs.id)
    assert table.rows[0].values["case_quota"].text == "1/1"

    jjc = make.unit("JJC")
    with clock.frozen_at(date(2026, 11, 5)):
        make.case(unit="JJC", case_date=date(2026, 10, 30))
    run("monthly_case_quota", date(2026, 12, 1))
    assert open_alerts("case_quota_overdue", unit_id=jjc.id)  # November: none dated November
    assert {row.unit.id: row.published_count for row in monthly_quota(2026, 10)}[jjc.id] == 1


# --- disclosure deadline -----------------------------------------------------------------------

@pytest.mark.parametrize(("day", "due_soon", "overdue"), [
    (date(2026, 10, 12), False, False),  # deadline 15 Oct is 3 working days away
    (date(2026, 10, 13), True, False),  # 2 working days away
    (date(2026, 10, 15), True, False),  # the deadline itself
    (date(2026, 10, 16), False, True),  # past it
])
def test_disclosure_deadline_boundaries(db, make, day, due_soon, overdue):
    disclosure = make.disclosure(DisclosureStatus.PENDING_REVIEW, decision_date=date(2026, 9, 30))
    assert disclosure.publication_deadline == date(2026, 10, 15)
    run("disclosure_deadline", day)
    assert bool(open_alerts("disclosure_due_soon", record_id=disclosure.id)) is due_soon
    assert bool(open_alerts("disclosure_overdue", record_id=disclosure.id)) is overdue
    for alert in open_alerts("disclosure_due_soon") + open_alerts("disclosure_overdue"):
        if alert.record_id == disclosure.id:
            assert (alert.unit_id, alert.due_date) == (disclosure.unit_id, date(2026, 10, 15))


def test_disclosure_alert_resolves_on_publication(db, make):
    disclosure = make.disclosure(DisclosureStatus.PENDING_REVIEW, decision_date=date(2026, 9, 30))
    run("disclosure_deadline", date(2026, 10, 16))
    assert open_alerts("disclosure_overdue", record_id=disclosure.id)
    disclosure.status, disclosure.published_on, disclosure.published_on_time = (
        DisclosureStatus.PUBLISHED, date(2026, 10, 16), False)
    db.session.flush()
    counts = run("disclosure_deadline", date(2026, 10, 16))
    assert counts["overdue_resolved"] == 1
    assert not open_alerts("disclosure_overdue", record_id=disclosure.id)


# --- the runner ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["calendar_coverage", "biweekly_publication", "monthly_case_quota",
                                  "disclosure_deadline"])
def test_every_check_is_idempotent(db, make, name):
    make.disclosure(DisclosureStatus.DRAFT, decision_date=date(2026, 9, 30))
    run(name, date(2026, 12, 21))
    before = count(Alert)
    counts = run(name, date(2026, 12, 21))
    assert count(Alert) == before
    assert all(value == 0 for key, value in counts.items() if key.endswith(("raised", "resolved")))


def test_a_failing_check_leaves_nothing_behind_and_the_next_run_completes(db, make, monkeypatch):
    from registry.oversight import checks

    original = checks.sync_alerts
    calls = []

    def flaky(kind, today, rows):
        result = original(kind, today, rows)
        if not calls:
            calls.append(kind)
            raise RuntimeError("database went away")
        return result

    monkeypatch.setattr(checks, "sync_alerts", flaky)
    runs_before = count(CheckRun)
    with pytest.raises(RuntimeError):
        run("biweekly_publication", date(2026, 10, 15))
    assert count(Alert, Alert.kind == "publication_gap") == 0
    assert count(CheckRun) == runs_before
    assert run("biweekly_publication", date(2026, 10, 15))["raised"] > 0
    assert count(CheckRun) == runs_before + 1
