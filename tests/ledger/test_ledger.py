"""The annual work ledger: the task list, monthly reports and amendments, acknowledgement by 法规处,
overdue alerts from the scheduled check, and the quarterly bulletin."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook

from registry.checks.models import Alert
from registry.core.audit import history
from registry.core.errors import PermissionDenied, StaleRecord, ValidationFailed
from registry.ledger import bulletin
from registry.ledger import operations as ops
from registry.ledger.checks import ALERT_KIND, check_ledger_reports
from registry.ledger.models import LedgerReport, LedgerTask, ReportStatus
from tests.conftest import count


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def _open_alerts(assignment_id=None):
    criteria = [Alert.kind == ALERT_KIND, Alert.resolved_at.is_(None)]
    if assignment_id is not None:
        criteria.append(Alert.record_id == assignment_id)
    return count(Alert, *criteria)


# --- the task list --------------------------------------------------------------------------------


def test_the_2019_list_is_seeded_with_its_units_and_deadlines(db):
    tasks = {t.number: t for t in db.session.scalars(sa.select(LedgerTask).where(LedgerTask.year == 2019))}
    assert sorted(tasks) == list(range(1, 24))
    assert {a.unit.code for a in tasks[8].assignments} >= {"FGC", "JJC", "CS", "XX"}
    assert len([a for a in tasks[8].assignments if a.unit.city_code]) == 14
    assert (tasks[14].deadline, tasks[14].last_month) == (date(2019, 5, 31), 5)
    assert tasks[2].deadline is None and tasks[2].deadline_text == "常态化推进" and "每季一通报" in tasks[2].title


def test_admin_copies_a_year_and_edits_a_task(make, frozen):
    admin = make.user("admin", unit="FGC")
    with frozen(date(2026, 1, 5)):
        assert ops.copy_year(2019, 2026, actor=admin) == 23
        task = make.db.session.scalar(sa.select(LedgerTask).where(LedgerTask.year == 2026, LedgerTask.number == 14))
        assert task.deadline == date(2026, 5, 31)
        with pytest.raises(ValidationFailed) as refused:
            ops.copy_year(2019, 2026, actor=admin)
        assert refused.value.field == "to_year"
        ops.save_task(task, actor=admin, year=2026, number=14, goal=task.goal, title="新任务", deadline=None,
                      deadline_text=None, first_month=3, unit_ids=[make.unit("YSC").id])
    assert (task.title, task.last_month, [a.unit.code for a in task.assignments]) == ("新任务", 12, ["YSC"])


@pytest.mark.parametrize(("overrides", "field"), [
    ({"deadline": date(2027, 1, 31)}, "deadline"),
    ({"first_month": 13}, "first_month"),
    ({"first_month": 7, "deadline": date(2026, 6, 30)}, "first_month"),
    ({"unit_ids": []}, "unit_ids"),
    ({"unit_ids": [999999]}, "unit_ids"),
    ({"title": " "}, "title"),
    ({"number": 0}, "number"),
])
def test_task_refusals_name_the_field(make, frozen, overrides, field):
    admin = make.user("admin", unit="FGC")
    values = {"year": 2026, "number": 90, "goal": "", "title": "任务", "deadline": None, "deadline_text": None,
              "first_month": 1, "unit_ids": [make.unit("CS").id]}
    values.update(overrides)
    with frozen(date(2026, 1, 5)), pytest.raises(ValidationFailed) as refused:
        ops.save_task(None, actor=admin, **values)
    assert refused.value.field == field


def test_only_admins_keep_the_list(make):
    with pytest.raises(PermissionDenied):
        ops.copy_year(2019, 2030, actor=make.user("reviewer", unit="FGC"))


# --- monthly reports ------------------------------------------------------------------------------


def test_a_unit_reports_and_a_second_report_for_the_month_is_an_amendment(make, frozen):
    task = make.ledger_task(units=("CS",))
    assignment = task.assignments[0]
    clerk = make.user("clerk", unit="CS")
    with frozen(date(2026, 2, 3)):
        first = ops.submit_report(assignment, actor=clerk, month=1, progress="完成目录梳理")
        assert not first.amended
        ops.acknowledge_report(first.report, actor=make.user("reviewer", unit="FGC"), expected_revision=1)
        second = ops.submit_report(assignment, actor=clerk, month=1, progress="补充：完成目录发布")
    report = second.report
    assert second.amended and report.id == first.report.id
    assert (report.revision, report.progress, report.status) == (2, "补充：完成目录发布", ReportStatus.SUBMITTED)
    assert report.acknowledged_by_id is None
    assert [(r.revision, r.progress, r.status) for r in report.revisions] == [
        (1, "完成目录梳理", ReportStatus.ACKNOWLEDGED)]
    assert [e.action for e in history("ledger_report", report.id)] == [
        "ledger_report.submit", "ledger_report.acknowledge", "ledger_report.amend"]
    assert count(LedgerReport, LedgerReport.assignment_id == assignment.id) == 1


def test_a_report_on_another_units_task_is_refused(make, frozen):
    task = make.ledger_task(units=("CS",))
    with frozen(date(2026, 2, 3)), pytest.raises(PermissionDenied):
        ops.submit_report(task.assignments[0], actor=make.user("clerk", unit="ZZ"), month=1, progress="x")
    assert count(LedgerReport, LedgerReport.assignment_id == task.assignments[0].id) == 0


@pytest.mark.parametrize(("month", "progress", "field"), [
    (3, "进展", "month"),  # has not begun
    (7, "进展", "month"),  # after the task's deadline month
    ("x", "进展", "month"),
    (1, "  ", "progress"),
    (1, "长" * 4001, "progress"),
])
def test_report_refusals_name_the_field(make, frozen, month, progress, field):
    task = make.ledger_task(units=("CS",), deadline=date(2026, 6, 30))
    with frozen(date(2026, 2, 3)), pytest.raises(ValidationFailed) as refused:
        ops.submit_report(task.assignments[0], actor=make.user("clerk", unit="CS"), month=month, progress=progress)
    assert refused.value.field == field


@pytest.mark.parametrize(("role", "unit"), [("reviewer", "JJC"), ("clerk", "FGC"), ("auditor", "XXZX")])
def test_only_the_legal_affairs_division_acknowledges(make, frozen, role, unit):
    task = make.ledger_task(units=("CS",))
    with frozen(date(2026, 2, 3)):
        report = ops.submit_report(task.assignments[0], actor=make.user("clerk", unit="CS"), month=1,
                                   progress="进展").report
    with pytest.raises(PermissionDenied):
        ops.acknowledge_report(report, actor=make.user(role, unit=unit), expected_revision=1)
    assert report.status is ReportStatus.SUBMITTED


def test_fgc_does_not_acknowledge_its_own_report_nor_a_stale_one(make, frozen, db):
    task = make.ledger_task(units=("FGC",))
    reviewer = make.user("reviewer", unit="FGC")
    with frozen(date(2026, 2, 3)):
        report = ops.submit_report(task.assignments[0], actor=reviewer, month=1, progress="进展").report
    with pytest.raises(PermissionDenied):
        ops.acknowledge_report(report, actor=reviewer, expected_revision=1)
    with pytest.raises(StaleRecord):
        ops.acknowledge_report(report, actor=make.user("admin", unit="FGC"), expected_revision=2)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(LedgerReport).where(LedgerReport.id == report.id).values(
            status="acknowledged", acknowledged_by_id=reviewer.id, acknowledged_at=sa.func.now()))


# --- overdue alerts ---------------------------------------------------------------------------------


def test_missing_reports_raise_one_alert_per_task_and_unit_and_clear_when_reported(make, frozen):
    task = make.ledger_task(units=("CS", "ZZ"))
    cs, zz = task.assignments
    clerk = make.user("clerk", unit="CS")
    due_jan, due_feb = ops.report_due(2026, 1), ops.report_due(2026, 2)
    assert date(2026, 2, 1) < due_jan < due_feb < date(2026, 3, 16)
    with frozen(due_jan):  # due today: not yet overdue
        assert check_ledger_reports(due_jan)["raised"] == 0
    with frozen(date(2026, 3, 16)):
        ops.submit_report(zz, actor=make.user("clerk", unit="ZZ"), month=1, progress="进展")
        counts = check_ledger_reports(date(2026, 3, 16))
        assert counts["raised"] == 2
        assert check_ledger_reports(date(2026, 3, 16)) == {"raised": 0, "resolved": 0}  # idempotent
        alert = make.db.session.scalar(sa.select(Alert).where(Alert.kind == ALERT_KIND, Alert.record_id == cs.id))
        assert (alert.unit_id, alert.due_date, alert.params_dict["missing"]) == (cs.unit_id, due_jan, 2)
        other = make.db.session.scalar(sa.select(Alert).where(Alert.kind == ALERT_KIND, Alert.record_id == zz.id))
        assert (other.due_date, other.params_dict["missing"]) == (due_feb, 1)
        ops.submit_report(cs, actor=clerk, month=1, progress="一月")
        ops.submit_report(cs, actor=clerk, month=2, progress="二月")
        assert check_ledger_reports(date(2026, 3, 16))["resolved"] == 1
    assert _open_alerts(cs.id) == 0 and _open_alerts(zz.id) == 1


def test_months_outside_the_task_ask_for_no_report(make, frozen):
    task = make.ledger_task(units=("CS",), first_month=3)
    with frozen(date(2026, 3, 20)):
        check_ledger_reports(date(2026, 3, 20))
    assert _open_alerts(task.assignments[0].id) == 0


def test_the_check_is_registered():
    from registry.checks.registry import CHECKS

    assert CHECKS["ledger_reports"].run is check_ledger_reports


# --- the quarterly bulletin -------------------------------------------------------------------------


def test_bulletin_codes_each_month(make, frozen):
    task = make.ledger_task(units=("CS",))
    assignment = task.assignments[0]
    clerk = make.user("clerk", unit="CS")
    with frozen(date(2026, 2, 2)):
        report = ops.submit_report(assignment, actor=clerk, month=1, progress="一月").report
        ops.acknowledge_report(report, actor=make.user("reviewer", unit="FGC"), expected_revision=1)
    with frozen(date(2026, 4, 30)):
        ops.submit_report(assignment, actor=clerk, month=3, progress="三月（迟报）")
        content = bulletin.bulletin_content(bulletin.Quarter(2026, 1))
        later = bulletin.bulletin_content(bulletin.Quarter(2026, 2))
    unit = next(u for u in content["units"] if u["unit"] == "长沙市交通运输局")
    assert unit["tasks"][0]["months"] == ["acknowledged", "missing", "late"]
    row = next(u for u in later["units"] if u["unit"] == "长沙市交通运输局")["tasks"][0]
    assert row["months"] == ["open", "open", "open"]


def test_bulletin_xlsx_and_pdf_downloads(client, make, login, frozen):
    make.ledger_task(units=("CS",))
    login("reviewer", unit="FGC")
    with frozen(date(2026, 4, 30)):
        xlsx = client.get("/officer/ledger/bulletin/2026-Q1.xlsx")
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(xlsx.data)).active
        assert any(row[0] == "长沙市交通运输局" and "未报送" in row for row in sheet.iter_rows(values_only=True))
        pdf = client.get("/officer/ledger/bulletin/2026-Q1.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        assert client.get("/officer/ledger/bulletin/2026-Q5.xlsx").status_code == 404


# --- pages -------------------------------------------------------------------------------------------


def test_report_page_submits_and_amends(client, make, login, frozen):
    task = make.ledger_task(units=("CS",))
    assignment = task.assignments[0]
    login("clerk", unit="CS")
    with frozen(date(2026, 2, 3)):
        assert client.post(f"/officer/ledger/assignments/{assignment.id}",
                           data={"month": "1", "progress": "一月进展"}).status_code == 302
        response = client.post(f"/officer/ledger/assignments/{assignment.id}?lang=en",
                               data={"month": "1", "progress": "更正"}, follow_redirects=True)
    assert "saved as amendment 1" in response.get_data(as_text=True)


def test_another_units_assignment_is_not_found(client, make, login):
    task = make.ledger_task(units=("CS",))
    login("clerk", unit="ZZ")
    assert client.get(f"/officer/ledger/assignments/{task.assignments[0].id}").status_code == 404
    assert client.post(f"/officer/ledger/assignments/{task.assignments[0].id}",
                       data={"month": "1", "progress": "x"}).status_code == 404


def test_ledger_pages_render(client, make, login, frozen):
    make.ledger_task(units=("CS",))
    login(make.user("admin", unit="FGC"))
    with frozen(date(2026, 4, 30)):
        for url in ("/officer/ledger/?year=2019", "/officer/ledger/?year=2026", "/officer/ledger/acknowledgements",
                    "/officer/ledger/bulletin?year=2026&quarter=1", "/officer/ledger/tasks/new"):
            assert client.get(url).status_code == 200, url
        response = client.post("/officer/ledger/tasks/new?lang=en", data={
            "year": "2026", "number": "99", "title": "任务", "first_month": "1", "deadline": "2027-01-31",
            "unit_ids": [str(make.unit("CS").id)]})
    assert response.status_code == 200 and "within the task" in response.get_data(as_text=True)
