"""Officer pages for credit evaluations, the subject page section, and the review queue source."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.core.audit import history
from registry.core.decisions import Decision, decision_route, flow_decisions
from registry.core.errors import RegistryError
from registry.core.forms import apply_error
from registry.core.pagination import paginate
from registry.core.permissions import can_edit_unit, ensure_can_see, officer_required, scope_to_user
from registry.core.removals import prepare_removal, removal_context
from registry.core.review import FlowQueueSource
from registry.core.spreadsheets import template_csv, template_xlsx
from registry.core.web import add_nav, committing, perform_form
from registry.core.workflow import register_queue_source
from registry.evaluations import importing
from registry.evaluations import operations as ops
from registry.evaluations.forms import ActionForm, EvaluationForm, ImportForm
from registry.evaluations.models import STATUS_LABELS, CreditEvaluation, EvaluationStatus
from registry.evaluations.public import public_subject_section
from registry.extensions import db
from registry.subjects.sections import register_subject_section

bp = Blueprint("evaluations", __name__, url_prefix="/officer/evaluations")
PAGE_SIZE = 50


def _load(evaluation_id: int) -> CreditEvaluation:
    evaluation = db.session.get(CreditEvaluation, evaluation_id)
    ensure_can_see(evaluation)
    return evaluation


@bp.route("/")
@officer_required
def index():
    status = request.args.get("status") or None
    statement = scope_to_user(sa.select(CreditEvaluation), CreditEvaluation.unit_id)
    if status in {s.value for s in EvaluationStatus}:
        statement = statement.where(CreditEvaluation.status == status)
    page = paginate(statement.order_by(CreditEvaluation.id.desc()), PAGE_SIZE)
    return render_template("evaluations/index.html", evaluations=page.items, has_next=page.has_next,
                           page=page.number, status=status, STATUS_LABELS=STATUS_LABELS)


def _save(form: EvaluationForm, evaluation: CreditEvaluation | None):
    def save():
        subject = ops.resolve_subject(form.subject_identifier.data, form.subject_name.data, actor=current_user)
        if evaluation is None:
            return ops.create_evaluation(actor=current_user, subject=subject, **form.values())
        ops.update_draft(evaluation, actor=current_user, expected_version=form.version.data, subject=subject,
                         **form.values())
        return evaluation

    ok, saved = perform_form(form, save)
    return saved if ok else None


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def create():
    if not can_edit_unit(current_user, current_user.unit_id):
        abort(403)
    form = EvaluationForm()
    if form.validate_on_submit():
        evaluation = _save(form, None)
        if evaluation is not None:
            flash(_("The evaluation was saved as a draft."), "success")
            return redirect(url_for(".show", evaluation_id=evaluation.id))
    return render_template("evaluations/form.html", form=form, evaluation=None)


@bp.route("/<id:evaluation_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(evaluation_id: int):
    evaluation = _load(evaluation_id)
    if evaluation.status is not EvaluationStatus.DRAFT or not can_edit_unit(current_user, evaluation.unit_id):
        abort(404)
    form = EvaluationForm(obj=evaluation)
    if request.method == "GET":
        form.subject_identifier.data = evaluation.subject.identifier
        form.field.data = evaluation.field.value
        form.version.data = evaluation.version
    if form.validate_on_submit() and _save(form, evaluation) is not None:
        flash(_("The draft was saved."), "success")
        return redirect(url_for(".show", evaluation_id=evaluation.id))
    return render_template("evaluations/form.html", form=form, evaluation=evaluation)


@bp.route("/<id:evaluation_id>")
@officer_required
def show(evaluation_id: int):
    evaluation = _load(evaluation_id)
    form = ActionForm(version=evaluation.version)
    return render_template("evaluations/show.html", evaluation=evaluation, form=form, STATUS_LABELS=STATUS_LABELS,
                           events=history("credit_evaluation", evaluation.id),
                           removal_ctx=removal_context(evaluation, current_user))


DECISIONS = {
    **flow_decisions(ops.FLOW, approved=_l("The evaluation was verified and published.")),
    "black-list-draft": Decision(lambda e, f: ops.prepare_black_list_draft(e, current_user, f.get("version")),
                                 _l("A black list draft was prepared; complete and submit it from the list pages.")),
    # A published result leaves public view when a second reviewer confirms (``core.removals``).
    "remove": Decision(
        lambda e, f: prepare_removal(e, actor=current_user, expected_version=f.get("version"), reason=f.get("reason")),
        _l("The removal was prepared: it takes effect when another reviewer of the unit confirms it."),
    ),
}
decision_route(bp, "/<id:evaluation_id>", DECISIONS, load=_load)


@bp.route("/import", methods=["GET", "POST"])
@officer_required
def import_file():
    if not can_edit_unit(current_user, current_user.unit_id):
        abort(403)
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            with committing():
                result = importing.import_evaluations(upload.read(), upload.filename or "", actor=current_user)
        except importing.ImportRejected as error:
            errors = error.errors
            flash(str(error.message), "error")
        except RegistryError as error:
            if not apply_error(form, error):
                flash(str(error.message), "error")
        else:
            flash(_("%(n)d evaluations were imported and submitted for review.", n=result.created), "success")
            return redirect(url_for(".index", status=EvaluationStatus.PENDING_REVIEW.value))
    return render_template("evaluations/import.html", form=form, errors=errors)


@bp.route("/import/template.<ext>")
@officer_required
def import_template(ext: str):
    if ext == "csv":
        return template_csv(importing.COLUMNS), 200, {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": "attachment; filename=evaluations-template.csv"}
    if ext == "xlsx":
        return template_xlsx(importing.COLUMNS, "信用评价"), 200, {
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": "attachment; filename=evaluations-template.xlsx"}
    abort(404)


@register_subject_section("evaluations", order=35, template="evaluations/_section.html",
                          public=public_subject_section)
def subject_section(subject, public: bool) -> dict:
    evaluations = ops.published_evaluations(subject.id)
    # Drafts and pending evaluations belong to their unit: another unit's officers see
    # only what is published, as on the evaluation's own page (a 404 for them).
    statement = sa.select(CreditEvaluation).where(CreditEvaluation.subject_id == subject.id,
                                                  CreditEvaluation.status != EvaluationStatus.PUBLISHED)
    evaluations += list(db.session.scalars(
        scope_to_user(statement, CreditEvaluation.unit_id).order_by(CreditEvaluation.year.desc())))
    return {"evaluations": evaluations, "latest": ops.latest_evaluations(subject.id),
            "STATUS_LABELS": STATUS_LABELS} if evaluations else {}


class EvaluationQueue(FlowQueueSource):
    """Evaluation results waiting for a reviewer, for ``/review``."""

    kind = "credit_evaluation"
    label = _l("Credit evaluation")
    flow = ops.FLOW

    def title(self, evaluation: CreditEvaluation) -> str:
        return str(evaluation)

    def subject_label(self, evaluation: CreditEvaluation) -> str:
        return evaluation.subject.name

    def url(self, evaluation: CreditEvaluation) -> str:
        return url_for("evaluations.show", evaluation_id=evaluation.id)

    def category(self, evaluation: CreditEvaluation) -> str:
        return str(evaluation.field_label)


register_queue_source(EvaluationQueue())
add_nav("evaluations.index", _l("Evaluations"), order=45, officer=True)
