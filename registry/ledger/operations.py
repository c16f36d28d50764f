"""The verbs of the work ledger: keep the year's task list, report monthly progress (amending a
month already reported), acknowledge reports (法规处), and find the overdue ones."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Unit
from registry.core import clock
from registry.core.audit import record_event
from registry.core.errors import InvalidTransition, PermissionDenied, StaleRecord, ValidationFailed
from registry.core.permissions import Role, can_edit_unit, is_admin
from registry.core.settings import SettingSpec, get_setting, register_setting
from registry.core.workdays import add_working_days
from registry.extensions import db
from registry.ledger.models import (
    Duty,
    LedgerAssignment,
    LedgerReport,
    LedgerReportRevision,
    LedgerTask,
    ReportStatus,
)

LEGAL_AFFAIRS_UNIT = "FGC"  # 法规处 acknowledges the reports
MAX_PROGRESS = 4000

register_setting(SettingSpec(
    "ledger_report_working_days", 5, _l("Monthly ledger reports due within (working days after the month)"), 1, 30))


def report_due(year: int, month: int) -> date:
    """The day a month's progress report is due: N working days after the month's last day."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    return add_working_days(last, get_setting("ledger_report_working_days"))


# ---------------------------------------------------------------------------------------------
# The task list (admins)


def _ensure_admin(actor) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_l("Only administrators maintain the task list."))


def _units(unit_ids: Iterable) -> list[Unit]:
    try:
        wanted = {int(i) for i in unit_ids or ()}
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Unknown unit."), field="unit_ids") from None
    if not wanted:
        raise ValidationFailed(_l("Choose at least one responsible unit."), field="unit_ids")
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(wanted))))
    if len(units) != len(wanted):
        raise ValidationFailed(_l("Unknown unit."), field="unit_ids")
    return units


def save_task(task: LedgerTask | None, *, actor, year: int, number: int, goal: str, title: str,
              deadline: date | None, deadline_text: str | None, first_month: int, unit_ids: Iterable,
              lead_unit_id: int | None = None, duty: str | None = None) -> LedgerTask:
    """Create or change a task of a year's list with its responsible units, and the duty the
    registry holds them to (``ledger.duties``: one task of a year carries each duty)."""
    _ensure_admin(actor)
    if not isinstance(year, int) or not 2000 <= year <= clock.today().year + 1:
        raise ValidationFailed(_l("The year must be between 2000 and next year."), field="year")
    if not isinstance(number, int) or number < 1:
        raise ValidationFailed(_l("The task number must be a positive whole number."), field="number")
    title, goal = (title or "").strip(), (goal or "").strip()
    if not title:
        raise ValidationFailed(_l("Enter the task."), field="title")
    if len(title) > 4000 or len(goal) > 200:
        raise ValidationFailed(_l("The text is too long."), field="title" if len(title) > 4000 else "goal")
    if deadline is not None and deadline.year != year:
        raise ValidationFailed(_l("The deadline must fall within the task's year."), field="deadline")
    if not isinstance(first_month, int) or not 1 <= first_month <= 12:
        raise ValidationFailed(_l("The first reporting month must be from 1 to 12."), field="first_month")
    last_month = deadline.month if deadline else 12
    if first_month > last_month:
        raise ValidationFailed(_l("The first reporting month is after the deadline."), field="first_month")
    clash = sa.select(LedgerTask.id).where(LedgerTask.year == year, LedgerTask.number == number)
    if task is not None:
        clash = clash.where(LedgerTask.id != task.id)
    if db.session.scalar(clash) is not None:
        raise ValidationFailed(_l("The year's list already has a task with this number."), field="number")
    duty = _duty(duty, year, task)
    units = _units(unit_ids)
    if lead_unit_id is not None and db.session.get(Unit, lead_unit_id) is None:
        raise ValidationFailed(_l("Unknown unit."), field="lead_unit_id")
    default_text = deadline.isoformat() if deadline else "常态化推进"
    values = {"year": year, "number": number, "goal": goal, "title": title, "deadline": deadline,
              "deadline_text": (deadline_text or "").strip()[:100] or default_text,
              "first_month": first_month, "last_month": last_month, "lead_unit_id": lead_unit_id,
              "duty": duty}
    creating = task is None
    if creating:
        task = LedgerTask(**values, created_at=clock.utcnow())
        db.session.add(task)
    else:
        for key, value in values.items():
            setattr(task, key, value)
    current = {a.unit_id: a for a in task.assignments}
    for unit in units:
        if unit.id not in current:
            task.assignments.append(LedgerAssignment(unit_id=unit.id))
    wanted = {unit.id for unit in units}
    for unit_id, assignment in current.items():
        if unit_id not in wanted:
            if db.session.scalar(sa.select(LedgerReport.id).where(LedgerReport.assignment_id == assignment.id)):
                raise ValidationFailed(_l("A unit that has already reported on the task cannot be removed from it."),
                                       field="unit_ids")
            task.assignments.remove(assignment)
    db.session.flush()
    record_event("ledger_task.create" if creating else "ledger_task.update", actor=actor, obj=task,
                 details={**{k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()},
                          "units": sorted(wanted), "units_before": sorted(current)})
    return task


def _duty(value, year: int, task: LedgerTask | None) -> Duty | None:
    """The duty a task is to carry: none, or one no other task of the year carries."""
    if value in (None, ""):
        return None
    try:
        duty = Duty(value)
    except ValueError:
        raise ValidationFailed(_l("Not one of the allowed values."), field="duty") from None
    clash = sa.select(LedgerTask.number).where(LedgerTask.year == year, LedgerTask.duty == duty)
    if task is not None:
        clash = clash.where(LedgerTask.id != task.id)
    other = db.session.scalar(clash)
    if other is not None:
        raise ValidationFailed(_l("Task %(number)d of the year's list already carries this duty.", number=other),
                               field="duty")
    return duty


def copy_year(from_year: int, to_year: int, *, actor) -> int:
    """Start a year's list from another year's (deadlines moved to the new year); returns the count."""
    _ensure_admin(actor)
    if db.session.scalar(sa.select(LedgerTask.id).where(LedgerTask.year == to_year).limit(1)) is not None:
        raise ValidationFailed(_l("The year %(year)d already has a task list.", year=to_year), field="to_year")
    tasks = list(db.session.scalars(sa.select(LedgerTask).where(LedgerTask.year == from_year,
                                                               LedgerTask.is_active.is_(True))))
    if not tasks:
        raise ValidationFailed(_l("The year %(year)d has no task list to copy.", year=from_year), field="from_year")
    for task in tasks:
        deadline = None
        if task.deadline is not None:
            last_day = calendar.monthrange(to_year, task.deadline.month)[1]
            deadline = date(to_year, task.deadline.month, min(task.deadline.day, last_day))
        copy = LedgerTask(year=to_year, number=task.number, goal=task.goal, title=task.title, deadline=deadline,
                          deadline_text=deadline.isoformat() if deadline else task.deadline_text,
                          first_month=task.first_month, last_month=task.last_month, lead_unit_id=task.lead_unit_id,
                          duty=task.duty, created_at=clock.utcnow())
        copy.assignments = [LedgerAssignment(unit_id=a.unit_id) for a in task.assignments]
        db.session.add(copy)
    db.session.flush()
    record_event("ledger_task.copy_year", actor=actor, details={"from": from_year, "to": to_year, "tasks": len(tasks)})
    return len(tasks)


# ---------------------------------------------------------------------------------------------
# Monthly reports


@dataclass(frozen=True)
class Submitted:
    report: LedgerReport
    amended: bool


def submit_report(assignment: LedgerAssignment, *, actor, month, progress: str) -> Submitted:
    """A unit reports its month's progress on one of its tasks; a second report for the same
    month replaces the text as an amendment, keeping the earlier one, and needs a new acknowledgement."""
    if assignment is None:
        raise ValidationFailed(_l("Choose one of your unit's tasks."), field="assignment_id")
    if not can_edit_unit(actor, assignment.unit_id):
        raise PermissionDenied(_l("You can only report on your own unit's tasks."))
    task = assignment.task
    if not task.is_active:
        raise ValidationFailed(_l("This task is no longer on the list."), field="assignment_id")
    try:
        month = int(month)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Choose the month reported on."), field="month") from None
    if not task.first_month <= month <= task.last_month:
        raise ValidationFailed(
            _l("Reports on this task cover months %(a)d to %(b)d.", a=task.first_month, b=task.last_month),
            field="month")
    today = clock.today()
    if (task.year, month) > (today.year, today.month):
        raise ValidationFailed(_l("A month that has not begun cannot be reported on."), field="month")
    text = (progress or "").strip()
    if not text:
        raise ValidationFailed(_l("Describe the progress made."), field="progress")
    if len(text) > MAX_PROGRESS:
        raise ValidationFailed(_l("The report may have at most %(n)d characters.", n=MAX_PROGRESS), field="progress")
    now = clock.utcnow()
    report = db.session.scalar(sa.select(LedgerReport).where(LedgerReport.assignment_id == assignment.id,
                                                              LedgerReport.month == month))
    if report is None:
        report = LedgerReport(assignment_id=assignment.id, month=month, progress=text, revision=1,
                              status=ReportStatus.SUBMITTED, first_submitted_at=now, submitted_at=now,
                              submitted_by_id=actor.id)
        db.session.add(report)
        db.session.flush()
        record_event("ledger_report.submit", actor=actor, obj=report, to_state=ReportStatus.SUBMITTED,
                     details={"task_id": task.id, "unit_id": assignment.unit_id, "month": month})
        return Submitted(report, False)
    previous_status = report.status
    report.revisions.append(LedgerReportRevision(
        revision=report.revision, progress=report.progress, status=report.status,
        submitted_at=report.submitted_at, submitted_by_id=report.submitted_by_id))
    report.revision += 1
    report.progress, report.submitted_at, report.submitted_by_id = text, now, actor.id
    report.status = ReportStatus.SUBMITTED
    report.acknowledged_at = report.acknowledged_by_id = report.acknowledgement_comment = None
    db.session.flush()
    record_event("ledger_report.amend", actor=actor, obj=report, from_state=previous_status,
                 to_state=ReportStatus.SUBMITTED,
                 details={"task_id": task.id, "month": month, "revision": report.revision})
    return Submitted(report, True)


def can_acknowledge(user, report: LedgerReport | None = None) -> bool:
    """法规处's reviewers and administrators acknowledge reports, never their own."""
    if getattr(user, "role", None) not in (Role.REVIEWER, Role.ADMIN) or user.unit.code != LEGAL_AFFAIRS_UNIT:
        return False
    return report is None or report.submitted_by_id != user.id


def acknowledge_report(report: LedgerReport, *, actor, expected_revision, comment: str | None = None) -> None:
    if not can_acknowledge(actor):
        raise PermissionDenied(_l("Only the legal affairs division acknowledges progress reports."))
    if not can_acknowledge(actor, report):
        raise PermissionDenied(_l("You submitted this report: someone else must acknowledge it."))
    try:
        expected = int(expected_revision)
    except (TypeError, ValueError):
        raise StaleRecord() from None
    if report.revision != expected:
        raise StaleRecord()
    if report.status is not ReportStatus.SUBMITTED:
        raise InvalidTransition(_l("This report is already acknowledged."))
    comment = (comment or "").strip()[:2000] or None
    result = db.session.execute(
        sa.update(LedgerReport).where(LedgerReport.id == report.id, LedgerReport.revision == expected,
                                      LedgerReport.status == ReportStatus.SUBMITTED)
        .values(status=ReportStatus.ACKNOWLEDGED, acknowledged_by_id=actor.id, acknowledged_at=clock.utcnow(),
                acknowledgement_comment=comment).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleRecord()
    db.session.refresh(report)
    record_event("ledger_report.acknowledge", actor=actor, obj=report, from_state=ReportStatus.SUBMITTED,
                 to_state=ReportStatus.ACKNOWLEDGED, comment=comment, details={"revision": report.revision})


# ---------------------------------------------------------------------------------------------
# What is due and overdue


def due_months(today: date, years: Iterable[int]) -> list[tuple[int, int, date]]:
    """(year, month, due date) of every month of ``years`` whose report is due before ``today``."""
    rows = []
    for year in years:
        for month in range(1, 13):
            if (year, month) < (today.year, today.month):
                due = report_due(year, month)
                if due < today:
                    rows.append((year, month, due))
    return rows


@dataclass(frozen=True)
class Overdue:
    assignment_id: int
    unit_id: int
    task_id: int
    year: int
    task_number: int
    missing: int
    first_due: date
    first_month: int


def overdue_reports(today: date) -> list[Overdue]:
    """Per assignment, the reports past due and missing (one set-based query over this and last year)."""
    months = due_months(today, (today.year - 1, today.year))
    if not months:
        return []
    calendar_rows = sa.union_all(*[
        sa.select(sa.literal(y, sa.Integer).label("year"), sa.literal(m, sa.Integer).label("month"),
                  sa.literal(d, sa.Date).label("due"))
        for y, m, d in months
    ]).subquery("due_months")
    reported = sa.exists().where(LedgerReport.assignment_id == LedgerAssignment.id,
                                 LedgerReport.month == calendar_rows.c.month)
    statement = (
        sa.select(LedgerAssignment.id, LedgerAssignment.unit_id, LedgerTask.id, LedgerTask.year, LedgerTask.number,
                  sa.func.count(), sa.func.min(calendar_rows.c.due), sa.func.min(calendar_rows.c.month))
        .join(LedgerTask, LedgerTask.id == LedgerAssignment.task_id)
        .join(calendar_rows, sa.and_(calendar_rows.c.year == LedgerTask.year,
                                     calendar_rows.c.month >= LedgerTask.first_month,
                                     calendar_rows.c.month <= LedgerTask.last_month))
        .where(LedgerTask.is_active.is_(True), ~reported)
        .group_by(LedgerAssignment.id, LedgerAssignment.unit_id, LedgerTask.id, LedgerTask.year, LedgerTask.number)
        .order_by(LedgerAssignment.id)
    )
    return [Overdue(*row) for row in db.session.execute(statement)]
