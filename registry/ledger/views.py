"""Officer pages of the work ledger: the year's tasks, monthly reports, acknowledgement, bulletin."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.accounts.models import Unit
from registry.core import clock
from registry.core.audit import history
from registry.core.forms import select_choices
from registry.core.permissions import Role, can_edit_unit, can_see_unit, officer_required, roles_required
from registry.core.web import add_nav, is_safe_next, perform, perform_form
from registry.extensions import db
from registry.ledger import bulletin
from registry.ledger import operations as ops
from registry.ledger.duties import duty_task
from registry.ledger.forms import AcknowledgeForm, CopyYearForm, ReportForm, TaskForm
from registry.ledger.models import (
    DUTY_LABELS,
    REPORT_STATUS_LABELS,
    LedgerAssignment,
    LedgerReport,
    LedgerTask,
    ReportStatus,
)

bp = Blueprint("ledger", __name__, url_prefix="/officer/ledger")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sees_all(user) -> bool:
    return user.role in (Role.ADMIN, Role.AUDITOR) or user.unit.code == ops.LEGAL_AFFAIRS_UNIT


@bp.route("/")
@officer_required
def index():
    year = request.args.get("year", clock.today().year, type=int)
    tasks = db.session.scalars(sa.select(LedgerTask).where(LedgerTask.year == year)
                               .order_by(LedgerTask.number)).all()
    years = db.session.scalars(sa.select(LedgerTask.year).distinct().order_by(LedgerTask.year.desc())).all()
    mine = {a.task_id: a for a in db.session.scalars(
        sa.select(LedgerAssignment).join(LedgerTask).where(LedgerTask.year == year,
                                                           LedgerAssignment.unit_id == current_user.unit_id))}
    if not _sees_all(current_user):
        tasks = [t for t in tasks if t.id in mine]
    duties = [(label, duty_task(duty, clock.today())) for duty, label in DUTY_LABELS.items()]
    return render_template("ledger/index.html", tasks=tasks, year=year, years=years, mine=mine, duties=duties,
                           duty_labels=DUTY_LABELS, copy_form=CopyYearForm(from_year=year, to_year=year + 1),
                           sees_all=_sees_all(current_user))


@bp.route("/assignments/<id:assignment_id>", methods=["GET", "POST"])
@officer_required
def assignment(assignment_id: int):
    item = db.session.get(LedgerAssignment, assignment_id)
    if item is None or not (can_see_unit(current_user, item.unit_id) or _sees_all(current_user)):
        abort(404)
    task = item.task
    form = ReportForm()
    today = clock.today()
    form.month.choices = select_choices(
        (m, _("Month %(m)d", m=m)) for m in range(task.first_month, task.last_month + 1)
        if (task.year, m) <= (today.year, today.month))
    if form.validate_on_submit():
        ok, result = perform_form(form, ops.submit_report, item, actor=current_user, month=form.month.data,
                                  progress=form.progress.data)
        if ok:
            flash(_("This month was already reported: your report was saved as amendment %(n)d.",
                    n=result.report.revision - 1) if result.amended else _("The report was submitted."), "success")
            return redirect(url_for(".assignment", assignment_id=item.id))
    reports = db.session.scalars(sa.select(LedgerReport).where(LedgerReport.assignment_id == item.id)
                                 .order_by(LedgerReport.month)).all()
    return render_template("ledger/assignment.html", item=item, task=task, form=form, reports=reports,
                           can_report=can_edit_unit(current_user, item.unit_id), ack_form=AcknowledgeForm(),
                           can_acknowledge=ops.can_acknowledge, STATUS=REPORT_STATUS_LABELS,
                           due={m: ops.report_due(task.year, m) for m in range(task.first_month, task.last_month + 1)},
                           events={r.id: history("ledger_report", r.id) for r in reports})


@bp.route("/reports/<id:report_id>/acknowledge", methods=["POST"])
@officer_required
def acknowledge(report_id: int):
    report = db.session.get(LedgerReport, report_id) or abort(404)
    form = AcknowledgeForm()
    if form.validate_on_submit():
        perform(ops.acknowledge_report, report, actor=current_user, expected_revision=form.revision.data,
                comment=form.comment.data, success=_("The report was acknowledged."))
    target = request.form.get("next")
    return redirect(target if is_safe_next(target)
                    else url_for(".assignment", assignment_id=report.assignment_id))


@bp.route("/acknowledgements")
@officer_required
def acknowledgements():
    if not ops.can_acknowledge(current_user):
        abort(403)
    reports = db.session.scalars(sa.select(LedgerReport).where(LedgerReport.status == ReportStatus.SUBMITTED)
                                 .order_by(LedgerReport.submitted_at)).all()
    return render_template("ledger/acknowledgements.html", reports=reports, ack_form=AcknowledgeForm(),
                           can_acknowledge=ops.can_acknowledge)


def _unit_choices():
    return [(u.id, u.name) for u in db.session.scalars(sa.select(Unit).where(Unit.is_active.is_(True))
                                                       .order_by(Unit.sort_order))]


@bp.route("/tasks/new", methods=["GET", "POST"])
@bp.route("/tasks/<id:task_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def task_form(task_id: int | None = None):
    task = db.session.get(LedgerTask, task_id) if task_id else None
    if task_id and task is None:
        abort(404)
    form = TaskForm(obj=task)
    units = _unit_choices()
    form.unit_ids.choices = select_choices(units)
    form.lead_unit_id.choices = select_choices([("", _l("— none —")), *units])
    form.duty.choices = select_choices([("", _l("— none —")),
                                        *((duty.value, label) for duty, label in DUTY_LABELS.items())])
    if request.method == "GET":
        form.year.data = task.year if task else request.args.get("year", clock.today().year, type=int)
        form.unit_ids.data = [a.unit_id for a in task.assignments] if task else []
        form.duty.data = task.duty.value if task and task.duty else ""
    if form.validate_on_submit():
        ok, saved = perform_form(form, ops.save_task, task, actor=current_user, year=form.year.data,
                                 number=form.number.data, goal=form.goal.data, title=form.title.data,
                                 deadline=form.deadline.data, deadline_text=form.deadline_text.data,
                                 first_month=form.first_month.data, unit_ids=form.unit_ids.data,
                                 lead_unit_id=form.lead_unit_id.data, duty=form.duty.data)
        if ok:
            flash(_("The task was saved."), "success")
            return redirect(url_for(".index", year=saved.year))
    return render_template("ledger/task_form.html", form=form, task=task)


@bp.route("/copy", methods=["POST"])
@roles_required(Role.ADMIN)
def copy_year():
    form = CopyYearForm()
    if form.validate_on_submit():
        ok, _result = perform(ops.copy_year, form.from_year.data, form.to_year.data, actor=current_user,
                              success=_("The task list was copied; adjust it for the new year."))
        if ok:
            return redirect(url_for(".index", year=form.to_year.data))
    year = form.from_year.data if not form.from_year.errors and form.from_year.data else clock.today().year
    return redirect(url_for(".index", year=year))


@bp.route("/bulletin")
@officer_required
def bulletin_page():
    today = clock.today()
    year = request.args.get("year", today.year, type=int)
    quarter = request.args.get("quarter", (today.month - 1) // 3 + 1, type=int)
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2200:
        abort(404)
    content = bulletin.bulletin_content(bulletin.Quarter(year, quarter))
    return render_template("ledger/bulletin.html", content=content, year=year, quarter=quarter,
                           CODES=bulletin.CODES_CN)


@bp.route("/bulletin/<int:year>-Q<int:quarter>.<ext>")
@officer_required
def bulletin_file(year: int, quarter: int, ext: str):
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2200:
        abort(404)
    period = bulletin.Quarter(year, quarter)
    if ext == "xlsx":
        return bulletin.bulletin_xlsx(bulletin.bulletin_content(period)), 200, {
            "Content-Type": XLSX, "Content-Disposition": f"attachment; filename=ledger-bulletin-{period.key}.xlsx"}
    if ext == "pdf":
        ok, result = perform(bulletin.bulletin_pdf, period, actor=current_user)
        if not ok:
            return redirect(url_for(".bulletin_page", year=year, quarter=quarter))
        data, filename = result
        return data, 200, {"Content-Type": "application/pdf", "Content-Disposition": f"attachment; filename={filename}"}
    abort(404)


add_nav("ledger.index", _l("Work ledger"), order=70, officer=True)
add_nav("ledger.acknowledgements", _l("Reports to acknowledge"), order=71, officer=True,
        visible=lambda user: ops.can_acknowledge(user))
