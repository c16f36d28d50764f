"""Pages of joint reward and punishment cases: officers' cases, the review-queue source, the
monthly effectiveness list, the public typical cases page, the subject-page section, and the
admin pages of the measures list and object list."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from registry.accounts.issuers import handling_name
from registry.cases import effectiveness, validation, work
from registry.cases import measures as measure_ops
from registry.cases import operations as ops
from registry.cases.forms import CaseFilterForm, CaseForm, DecisionForm, MeasureForm, MonthForm
from registry.cases.models import STATUS_LABELS, Case, CaseStatus, counted
from registry.cases.public import public_subject_cases, public_subject_name, publicly_shown_case
from registry.cases.quota import monthly_quota, parse_month
from registry.core import clock
from registry.core.audit import history
from registry.core.decisions import Decision, decision_route, flow_decisions
from registry.core.errors import ValidationFailed
from registry.core.forms import submitted_and_valid
from registry.core.pagination import paginate
from registry.core.permissions import (
    Role,
    can_edit_unit,
    can_review,
    ensure_can_see,
    is_officer,
    officer_required,
    roles_required,
    scope_to_user,
)
from registry.core.removals import prepare_removal, removal_context
from registry.core.review import FlowQueueSource
from registry.core.web import add_nav, perform, perform_form
from registry.core.workflow import register_queue_source
from registry.documents.operations import pdf_filename
from registry.extensions import db
from registry.listing.models import LIST_KIND_LABELS, EntryStatus, ListEntry, Measure
from registry.listing.panels import register_entry_link
from registry.subjects.sections import register_subject_section

bp = Blueprint("cases", __name__)
PAGE_SIZE = 50


@bp.app_context_processor
def case_labels() -> dict:
    return {"CASE_STATUS_LABELS": STATUS_LABELS, "public_subject_name": public_subject_name}


def _load(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    ensure_can_see(case)
    return case


def _month_or_current(text: str | None) -> tuple[int, int]:
    if text:
        return parse_month(text)
    today = clock.today()
    return today.year, today.month


# ---------------------------------------------------------------------------------------------
# Cases


@bp.route("/officer/cases/")
@officer_required
def index():
    form = CaseFilterForm(request.args)
    statement = scope_to_user(sa.select(Case), Case.unit_id)
    if form.status.data in set(CaseStatus):
        statement = statement.where(Case.status == CaseStatus(form.status.data))
    if form.month.data:
        try:
            year, month = parse_month(form.month.data)
        except ValidationFailed as error:
            form.month.errors = [str(error.message)]
        else:
            start, end = effectiveness.month_bounds(year, month)
            statement = statement.where(Case.case_date >= start, Case.case_date < end)
    statement, work_label = work.FILTERS.apply(statement, request.args.get("work"), current_user, clock.today())
    page = paginate(statement.options(selectinload(Case.measures)).order_by(Case.case_date.desc(), Case.id.desc()),
                    PAGE_SIZE)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("cases/index.html", cases=page.items, has_next=page.has_next, page=page.number,
                           form=form, filters=filters, work_label=work_label)


def _submitted(form: CaseForm) -> bool:
    """Submitted and valid; otherwise the content rules' problems are on their fields too."""
    return submitted_and_valid(form, lambda: validation.validated(**form.case_fields()))


def _save(form: CaseForm, case: Case | None):
    """Create or update the draft in one commit; None (with the refusal on its field) if refused."""
    def save():
        if case is None:
            return ops.create_case(actor=current_user, **form.case_fields())
        ops.update_draft(case, actor=current_user, expected_version=form.version.data, **form.case_fields())
        return case

    ok, result = perform_form(form, save, marked=_("Nothing was saved: correct the marked fields."))
    return result if ok else None


@bp.route("/officer/cases/new", methods=["GET", "POST"])
@roles_required(Role.CLERK, Role.REVIEWER)
def create():
    entry_id = request.args.get("entry_id", type=int) or 0
    entry = db.session.get(ListEntry, entry_id) if 0 < entry_id <= validation.MAX_ID else None
    form = CaseForm(entry=entry)
    if request.method == "GET":
        form.applying_party.data = handling_name(current_user.unit)  # a division under the department
        form.case_date.data = clock.today()
        if entry is not None:
            form.entry_ref.data = entry.decision_number
    if _submitted(form) and (case := _save(form, None)) is not None:
        flash(_("The draft case was saved. Submit it for review when it is complete."), "success")
        return redirect(url_for(".show", case_id=case.id))
    return render_template("cases/form.html", form=form, case=None, entry=entry)


@bp.route("/officer/cases/<id:case_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(case_id: int):
    case = _load(case_id)
    if not can_edit_unit(current_user, case.unit_id) or case.status is not CaseStatus.DRAFT:
        flash(_("Only a draft can be edited; this case is no longer a draft."), "error")
        return redirect(url_for(".show", case_id=case.id))
    form = CaseForm(entry=case.entry, keep_measure_ids=[m.id for m in case.measures])
    if request.method == "GET":
        form.version.data = case.version
        form.entry_ref.data = case.entry.decision_number
        form.measure_ids.data = [str(m.id) for m in case.measures]
        for name in ("applying_party", "case_date", "matter", "effect"):
            getattr(form, name).data = getattr(case, name)
    if _submitted(form) and _save(form, case) is not None:
        flash(_("The draft case was saved."), "success")
        return redirect(url_for(".show", case_id=case.id))
    return render_template("cases/form.html", form=form, case=case, entry=case.entry)


@bp.route("/officer/cases/<id:case_id>")
@officer_required
def show(case_id: int):
    case = _load(case_id)
    return render_template(
        "cases/show.html",
        case=case,
        events=history(ops.RECORD_TYPE, case.id),
        decision_form=DecisionForm(data={"version": case.version}),
        can_edit=can_edit_unit(current_user, case.unit_id),
        can_decide=can_review(current_user, case),
        removal_ctx=removal_context(case, current_user),
    )


DECISIONS = {
    **flow_decisions(ops.FLOW, approved=_l("Approved: the case is published.")),
    "typical": Decision(
        lambda c, f: ops.set_typical(c, current_user, f.get("version"), True),
        _l("The case is marked as typical and shown on the public typical cases page."),
    ),
    "untypical": Decision(
        lambda c, f: ops.set_typical(c, current_user, f.get("version"), False),
        _l("The case is no longer marked as typical."),
    ),
    "remove": Decision(
        lambda c, f: prepare_removal(c, actor=current_user, expected_version=f.get("version"), reason=f.get("reason")),
        _l("The removal was prepared: it takes effect when another reviewer of the unit confirms it."),
    ),
}
decision_route(bp, "/officer/cases/<id:case_id>", DECISIONS, load=_load)


# ---------------------------------------------------------------------------------------------
# The monthly effectiveness list (奖惩成效清单)


@bp.route("/officer/cases/effectiveness")
@officer_required
def effectiveness_page():
    form = MonthForm(request.args)
    try:
        year, month = _month_or_current(form.month.data)
    except ValidationFailed as error:
        form.month.errors = [str(error.message)]
        today = clock.today()
        year, month = today.year, today.month
    else:
        form.month.data = f"{year:04d}-{month:02d}"
    return render_template(
        "cases/effectiveness.html",
        form=form,
        month=f"{year:04d}-{month:02d}",
        groups=effectiveness.effectiveness_list(year, month),
        quota=monthly_quota(year, month),
    )


def _download_month(month_text: str):
    try:
        return parse_month(month_text)
    except ValidationFailed as error:
        flash(str(error.message), "error")
        return None


@bp.route("/officer/cases/effectiveness/<month_text>.xlsx")
@officer_required
def effectiveness_xlsx(month_text: str):
    month = _download_month(month_text)
    if month is None:
        return redirect(url_for(".effectiveness_page"))
    return Response(
        effectiveness.effectiveness_xlsx(*month),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={effectiveness.xlsx_filename(*month)}"},
    )


@bp.route("/officer/cases/effectiveness/<month_text>.pdf")
@officer_required
def effectiveness_pdf(month_text: str):
    month = _download_month(month_text)
    if month is None:
        return redirect(url_for(".effectiveness_page"))

    ok, result = perform(effectiveness.effectiveness_pdf, *month, actor=current_user)
    if not ok:
        return redirect(url_for(".effectiveness_page", month=month_text))
    pdf, document = result
    return Response(
        pdf, mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={pdf_filename(document)}"},
    )


# ---------------------------------------------------------------------------------------------
# The review queue


class CaseQueue(FlowQueueSource):
    """Cases waiting for a reviewer, for ``/review``."""

    kind = "case"
    label = _l("Joint reward or punishment case")
    flow = ops.FLOW

    def title(self, case: Case) -> str:
        return f"{case.case_date.isoformat()} · {case.entry.decision_number}"

    def url(self, case: Case) -> str:
        return url_for("cases.show", case_id=case.id)

    def category(self, case: Case) -> str:
        return case.entry.category.name

    def load(self, item_id: int, actor) -> Case:
        return ops.get_case_for(actor, item_id)


register_queue_source(CaseQueue())


# ---------------------------------------------------------------------------------------------
# Public: typical cases, and the subject page


def _published():
    return (
        sa.select(Case)
        .where(counted())
        .options(selectinload(Case.measures), selectinload(Case.entry).selectinload(ListEntry.subject))
    )


@bp.route("/cases/typical")
def typical():
    page = paginate(_published().where(Case.is_typical).order_by(Case.case_date.desc(), Case.id.desc()), PAGE_SIZE)
    return render_template("cases/typical.html", cases=page.items, has_next=page.has_next, page=page.number)


@register_subject_section("cases", order=40, template="cases/_subject_section.html", public=public_subject_cases)
def subject_cases(subject, public: bool) -> dict:
    """Officers: published cases and every case of units they may see."""
    if not is_officer(current_user):
        return {}
    statement = (
        sa.select(Case)
        .join(ListEntry, ListEntry.id == Case.entry_id)
        .where(ListEntry.subject_id == subject.id)
        .options(selectinload(Case.measures))
    )
    if current_user.role not in (Role.ADMIN, Role.AUDITOR):
        statement = statement.where(sa.or_(publicly_shown_case(), Case.unit_id == current_user.unit_id))
    cases = db.session.scalars(statement.order_by(Case.case_date.desc(), Case.id.desc())).all()
    return {"cases": cases, "public": False}


# ---------------------------------------------------------------------------------------------
# Admin: the measures list and the object list


@bp.route("/admin/measures")
@roles_required(Role.ADMIN, Role.AUDITOR)
def measures():
    rows = db.session.scalars(
        sa.select(Measure).order_by(Measure.list_kind, Measure.code).options(selectinload(Measure.categories))
    ).all()
    return render_template("cases/measures.html", measures=rows, kinds=LIST_KIND_LABELS)


@bp.route("/admin/measures/new", methods=["GET", "POST"], defaults={"measure_id": None})
@bp.route("/admin/measures/<id:measure_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def measure(measure_id: int | None):
    measure = (db.session.get(Measure, measure_id) or abort(404)) if measure_id else None
    if request.method == "POST" and current_user.role is not Role.ADMIN:
        abort(403)
    form = MeasureForm(obj=measure)
    if request.method == "GET" and measure is not None:
        form.list_kind.data = measure.list_kind.value
        form.category_ids.data = [str(c.id) for c in measure.categories]
    if form.validate_on_submit():
        ok, saved = perform_form(form, measure_ops.save_measure, measure, actor=current_user,
                                 marked=_("Nothing was saved: correct the marked fields."), **form.measure_fields())
        if ok:
            flash(_("The measure was saved."), "success")
            return redirect(url_for(".measure", measure_id=saved.id))
    events = history("measure", measure.id) if measure is not None else []
    return render_template("cases/measure_form.html", form=form, measure=measure, events=events)


add_nav("cases.typical", _l("Typical cases"), order=40)
add_nav("cases.index", _l("Cases"), order=30, officer=True)
add_nav("cases.effectiveness_page", _l("Effectiveness list"), order=35, officer=True)
add_nav(
    "cases.measures",
    _l("Measures list"),
    order=86,
    officer=True,
    visible=lambda user: user.role in (Role.ADMIN, Role.AUDITOR),
)


# On the officer page of a published list entry: record a case that applied its measures.
register_entry_link(
    "record_case", order=10, label=_l("Record a case"),
    url=lambda entry: url_for("cases.create", entry_id=entry.id),
    visible=lambda entry, user: entry.status is EntryStatus.PUBLISHED and can_edit_unit(user, entry.unit_id),
)
