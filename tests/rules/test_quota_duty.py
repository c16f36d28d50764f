"""Who carries a duty is what the task list says, read from the ledger's task assignments.

The expected units are written here from the source document, 湘交函〔2019〕276号 (the seed's task
list): task 18 (每月上报不少于1个奖惩案例) names 各市州交通运输局，厅基建处、厅计划处、厅港航处、厅运输处、
厅路政处、厅安全处; task 12 (每两周至少一次主动公开信用信息) names 各市州交通运输局、厅办公室、厅基建处、
厅计划处、厅港航处、厅路政处、厅运输处、厅安全处.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.accounts.models import Unit
from registry.cases.checks import monthly_case_quota
from registry.cases.quota import monthly_quota
from registry.checks.models import Alert
from registry.core.audit import AuditEvent
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.extensions import db
from registry.ledger import operations as ledger_ops
from registry.ledger.duties import Duty, units_carrying
from registry.ledger.models import LedgerTask
from registry.oversight.checks import biweekly_publication
from registry.oversight.compliance import month_table

CITIES = {"长沙市交通运输局", "株洲市交通运输局", "湘潭市交通运输局", "衡阳市交通运输局", "邵阳市交通运输局",
          "岳阳市交通运输局", "常德市交通运输局", "张家界市交通运输局", "益阳市交通运输局", "郴州市交通运输局",
          "永州市交通运输局", "怀化市交通运输局", "娄底市交通运输局", "湘西州交通运输局"}
TASK_18 = CITIES | {"基建处", "计划处", "港航处", "运输处", "路政处", "安全处"}
TASK_12 = CITIES | {"办公室", "基建处", "计划处", "港航处", "路政处", "运输处", "安全处"}
ALL_UNITS = CITIES | {"法规处", "基建处", "计划处", "港航处", "路政处", "运输处", "安全处", "科教处", "财务处",
                      "办公室", "人事处", "信息中心"}


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def _unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _names(unit_ids) -> set[str]:
    return set(db.session.scalars(sa.select(Unit.name).where(Unit.id.in_(list(unit_ids)))))


def _alerted(kind_prefix: str) -> set[str]:
    return _names(db.session.scalars(sa.select(Alert.unit_id).where(Alert.kind.like(f"{kind_prefix}%"),
                                                                    Alert.resolved_at.is_(None))))


def _task(number: int, year: int = 2019) -> LedgerTask:
    return db.session.scalar(sa.select(LedgerTask).where(LedgerTask.year == year, LedgerTask.number == number))


def test_the_seeded_duties_are_the_task_lists_units():
    assert _names(units_carrying(Duty.CASE_QUOTA, date(2026, 11, 1))) == TASK_18
    assert _names(units_carrying(Duty.PUBLICATION, date(2026, 11, 1))) == TASK_12
    assert _task(18).duty is Duty.CASE_QUOTA and _task(12).duty is Duty.PUBLICATION


def test_the_quota_check_alerts_the_units_of_task_18_only(frozen):
    with frozen(date(2026, 11, 25)):
        monthly_case_quota(date(2026, 11, 25))
    assert _alerted("case_quota_warning") == TASK_18  # nobody recorded a case in the fresh database
    with frozen(date(2026, 12, 1)):
        monthly_case_quota(date(2026, 12, 1))
    assert _alerted("case_quota_overdue") == TASK_18
    assert not _alerted("case_quota") & {"法规处", "科教处", "财务处", "办公室", "人事处", "信息中心"}


def test_the_publication_check_alerts_the_units_of_task_12_only(frozen):
    with frozen(date(2026, 11, 30)):
        biweekly_publication(date(2026, 11, 30))
    assert _alerted("publication_gap") == TASK_12
    assert not _alerted("publication_gap") & {"财务处", "人事处", "信息中心", "科教处", "法规处"}


def test_monthly_quota_and_the_dashboard_read_the_same_duty(frozen):
    with frozen(date(2026, 12, 5)):
        rows = {row.unit.name: row.met for row in monthly_quota(2026, 11)}
        table = month_table(2026, 11)
    assert {name for name, met in rows.items() if met is None} == ALL_UNITS - TASK_18
    assert {name for name, met in rows.items() if met is False} == TASK_18
    quota = {row.unit.name: row.values["case_quota"] for row in table.rows}
    for name in ("法规处", "科教处"):  # red "0/1" every month before
        assert quota[name].ok is None and quota[name].text == "n/a"
    assert quota["长沙市交通运输局"].ok is False and quota["长沙市交通运输局"].text == "0/1"
    gap = {row.unit.name: row.values["days_since_publication"] for row in table.rows}
    assert {name for name, value in gap.items() if value.ok is False} == TASK_12
    assert all(gap[name].ok is None for name in ALL_UNITS - TASK_12)


def test_the_workbench_holds_only_units_with_the_duty_to_the_quota(make, frozen):
    from registry.cases.work import quota_lines

    with frozen(date(2026, 11, 25)):
        assert quota_lines(make.user("clerk", unit="KJC"), date(2026, 11, 25)) == []  # 科教处: task 18 omits it
        (line,) = quota_lines(make.user("clerk", unit="JHC"), date(2026, 11, 25))
    assert line.tone == "warning" and line.count == 0


def test_the_admin_edits_the_assignments_audited_and_every_reader_follows(make, frozen):
    admin = make.user("admin", unit="FGC")
    task = _task(18)
    units = [a.unit_id for a in task.assignments if a.unit.code != "JJC"] + [_unit("KJC").id]
    ledger_ops.save_task(task, actor=admin, year=2019, number=18, goal=task.goal, title=task.title, deadline=None,
                         deadline_text=task.deadline_text, first_month=1, unit_ids=units, duty="case_quota")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "ledger_task.update")).one()
    assert event.actor_id == admin.id and event.object_id == task.id
    assert _unit("KJC").id in event.details_dict["units"] and _unit("JJC").id in event.details_dict["units_before"]
    expected = TASK_18 - {"基建处"} | {"科教处"}
    with frozen(date(2026, 12, 1)):
        monthly_case_quota(date(2026, 12, 1))
        table = month_table(2026, 11)
        rows = {row.unit.name: row.met for row in monthly_quota(2026, 11)}
    assert _alerted("case_quota_overdue") == expected
    assert {row.unit.name for row in table.rows if row.values["case_quota"].ok is False} == expected
    assert {name for name, met in rows.items() if met is not None} == expected


def test_a_later_years_list_takes_over_from_its_year(make, frozen):
    admin = make.user("admin", unit="FGC")
    ledger_ops.copy_year(2019, 2026, actor=admin)
    copied = _task(12, 2026)
    assert copied.duty is Duty.PUBLICATION
    without_changsha = [a.unit_id for a in copied.assignments if a.unit.code != "CS"]
    ledger_ops.save_task(copied, actor=admin, year=2026, number=12, goal=copied.goal, title=copied.title,
                         deadline=None, deadline_text=copied.deadline_text, first_month=1,
                         unit_ids=without_changsha, duty="publication")
    assert _names(units_carrying(Duty.PUBLICATION, date(2026, 3, 1))) == TASK_12 - {"长沙市交通运输局"}
    assert _names(units_carrying(Duty.PUBLICATION, date(2025, 3, 1))) == TASK_12  # 2025 still reads 2019's
    with frozen(date(2026, 11, 30)):
        biweekly_publication(date(2026, 11, 30))
    assert _alerted("publication_gap") == TASK_12 - {"长沙市交通运输局"}


def test_one_task_of_a_year_carries_a_duty(make):
    admin = make.user("admin", unit="FGC")
    task = _task(13)
    with pytest.raises(ValidationFailed) as refused:
        ledger_ops.save_task(task, actor=admin, year=2019, number=13, goal=task.goal, title=task.title,
                             deadline=None, deadline_text=task.deadline_text, first_month=1,
                             unit_ids=[a.unit_id for a in task.assignments], duty="case_quota")
    assert refused.value.field == "duty" and "Task 18" in str(refused.value.message)
    with pytest.raises(ValidationFailed) as refused:
        ledger_ops.save_task(task, actor=admin, year=2019, number=13, goal=task.goal, title=task.title,
                             deadline=None, deadline_text=task.deadline_text, first_month=1,
                             unit_ids=[a.unit_id for a in task.assignments], duty="everything")
    assert refused.value.field == "duty"
    db.session.expire_all()
    assert _task(13).duty is None


@pytest.mark.parametrize("role", ["clerk", "reviewer", "auditor"])
def test_only_an_admin_changes_a_duty(make, role):
    task = _task(18)
    with pytest.raises(PermissionDenied):
        ledger_ops.save_task(task, actor=make.user(role, unit="FGC"), year=2019, number=18, goal=task.goal,
                             title=task.title, deadline=None, deadline_text=task.deadline_text, first_month=1,
                             unit_ids=[_unit("FGC").id], duty="case_quota")
    db.session.expire_all()
    assert _names(a.unit_id for a in _task(18).assignments) == TASK_18


def test_the_pages_show_the_duties_where_they_are_set(client, login):
    login("admin", unit="FGC")
    ledger = client.get("/officer/ledger/?year=2019&lang=en").get_data(as_text=True)
    assert "Duties the registry checks" in ledger and "task 18 of 2019" in ledger and "task 12 of 2019" in ledger
    form = client.get(f"/officer/ledger/tasks/{_task(18).id}/edit?lang=en").get_data(as_text=True)
    assert 'name="duty"' in form and '<option selected value="case_quota">' in form
    units = client.get("/admin/units?lang=en").get_data(as_text=True)
    assert "/officer/ledger/#duties" in units and "case-quota" not in units


def test_the_task_form_saves_a_duty(client, login):
    login("admin", unit="FGC")
    task = _task(13)
    data = {"year": 2019, "number": 13, "goal": task.goal, "title": task.title, "deadline": "",
            "deadline_text": task.deadline_text, "first_month": 1, "lead_unit_id": "",
            "unit_ids": [a.unit_id for a in task.assignments], "duty": "case_quota"}
    page = client.post(f"/officer/ledger/tasks/{task.id}/edit?lang=en", data=data).get_data(as_text=True)
    assert "Task 18 of the year&#39;s list already carries this duty." in page
    db.session.expire_all()
    assert _task(13).duty is None
