"""Disclosure pages: the public search and detail, and the officers' list, form, review and import."""

from __future__ import annotations

import os
import re
import secrets

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.accounts.models import Unit
from registry.core import clock
from registry.core.audit import history
from registry.core.db import contains
from registry.core.decisions import Decision, decision_route, flow_decisions
from registry.core.errors import StorageFull, ValidationFailed
from registry.core.forms import apply_error, select_choices, submitted_and_valid
from registry.core.identifiers import InvalidIdentifier, parse_identifier
from registry.core.pagination import paginate
from registry.core.permissions import can_edit_unit, can_review, ensure_can_see, officer_required, scope_to_user
from registry.core.removals import prepare_removal, removal_context
from registry.core.spreadsheets import error_report_csv, template_csv, template_xlsx
from registry.core.tabular import DEFAULT_MAX_BYTES, FileRefused
from registry.core.uploads import write_whole
from registry.core.web import add_nav, committing, perform, refusing_a_full_disk
from registry.disclosures import imports, operations, queries, work
from registry.disclosures.forms import DisclosureForm, ImportForm, PublicSearchForm, ReturnForm
from registry.disclosures.models import (
    KIND_LABELS,
    LICENCE_TYPE_LABELS,
    PARTY_CATEGORY_LABELS,
    PENALTY_TYPE_LABELS,
    REMOVAL_REASON_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    Disclosure,
    DisclosureKind,
    DisclosureStatus,
)
from registry.disclosures.public import is_publicly_visible, public_subject_section, publicly_visible
from registry.extensions import db
from registry.subjects.sections import register_subject_section

bp = Blueprint("disclosures", __name__)
PAGE_SIZE = 20
SHOWN_ERRORS = 200
_REPORT_NAME = re.compile(r"^[0-9a-f]{32}$")


class _Labels:
    """Label tables for the templates (app-wide: the subject pages include our section)."""

    kind = KIND_LABELS
    status = STATUS_LABELS
    severity = SEVERITY_LABELS
    penalty_type = PENALTY_TYPE_LABELS
    party_category = PARTY_CATEGORY_LABELS
    licence_type = LICENCE_TYPE_LABELS
    removal_reason = REMOVAL_REASON_LABELS
    visible_until = staticmethod(queries.visible_until)


@bp.app_context_processor
def _labels() -> dict:
    return {"disclosure_labels": _Labels}


def _search(statement, text: str):
    """Match an identifier exactly (any spacing or case) or a name by substring."""
    try:
        values = [reading.value for reading in parse_identifier(text)]
    except InvalidIdentifier:
        return statement.where(contains(Disclosure.party_name, text))
    return statement.where(Disclosure.party_identifier.in_(values))


# ---------------------------------------------------------------------------------------------
# Public pages


@bp.route("/disclosures")
def public_index():
    form = PublicSearchForm(request.args)
    units = db.session.scalars(sa.select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.sort_order)).all()
    form.unit.choices = select_choices([("", "—")] + [(unit.id, unit.name) for unit in units])
    statement = sa.select(Disclosure).where(publicly_visible(clock.today()))
    if form.validate():
        if form.q.data and form.q.data.strip():
            statement = _search(statement, form.q.data.strip())
        if form.unit.data:
            statement = statement.where(Disclosure.unit_id == int(form.unit.data))
        if form.kind.data:
            statement = statement.where(Disclosure.kind == DisclosureKind(form.kind.data))
        if form.date_from.data:
            statement = statement.where(Disclosure.decision_date >= form.date_from.data)
        if form.date_to.data:
            statement = statement.where(Disclosure.decision_date <= form.date_to.data)
    else:
        statement = statement.where(sa.false())
    page = paginate(statement.order_by(Disclosure.decision_date.desc(), Disclosure.id.desc()), PAGE_SIZE)
    filters = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("disclosures/public_index.html", form=form, rows=page.items, page=page.number,
                           has_next=page.has_next, filters=filters)


@bp.route("/disclosures/<id:disclosure_id>")
def public_show(disclosure_id: int):
    disclosure = db.session.scalar(
        sa.select(Disclosure).where(Disclosure.id == disclosure_id, publicly_visible(clock.today()))
    ) or abort(404)
    return render_template("disclosures/public_show.html", d=disclosure)


@register_subject_section("disclosures", order=30, template="disclosures/_subject_section.html",
                          public=public_subject_section)
def subject_section(subject, public: bool) -> dict:
    statement = scope_to_user(sa.select(Disclosure).where(Disclosure.subject_id == subject.id), Disclosure.unit_id)
    rows = list(db.session.scalars(statement.order_by(Disclosure.decision_date.desc()).limit(100)))
    return {"disclosures": rows} if rows else {}


# ---------------------------------------------------------------------------------------------
# Officer pages


@bp.route("/officer/disclosures/")
@officer_required
def index():
    statement = scope_to_user(sa.select(Disclosure), Disclosure.unit_id)
    status = request.args.get("status")
    if status in DisclosureStatus._value2member_map_:
        statement = statement.where(Disclosure.status == DisclosureStatus(status))
    kind = request.args.get("kind")
    if kind in DisclosureKind._value2member_map_:
        statement = statement.where(Disclosure.kind == DisclosureKind(kind))
    query = (request.args.get("q") or "").strip()[:100]
    if query:
        statement = _search(statement, query)
    statement, work_label = work.FILTERS.apply(statement, request.args.get("work"), current_user, clock.today())
    page = paginate(statement.order_by(Disclosure.id.desc()), PAGE_SIZE)
    filters = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("disclosures/index.html", rows=page.items, page=page.number, has_next=page.has_next,
                           filters=filters, work_label=work_label,
                           status=status, kind=kind, query=query, today=clock.today())


def _load(disclosure_id: int) -> Disclosure:
    disclosure = db.session.get(Disclosure, disclosure_id)
    ensure_can_see(disclosure)
    return disclosure


def _save_form(form: DisclosureForm, operation, *args, success: str, **kwargs):
    """Run ``operation`` with the form's data; put a refusal on its field.  Returns the result or None."""
    try:
        data = form.to_data()
    except ValueError:
        return None
    ok, result = perform(operation, *args, data, success=success, **kwargs)
    if not ok and isinstance(result, ValidationFailed):
        apply_error(form, result)
        return None
    return result if ok else None


def _submitted(form: DisclosureForm) -> bool:
    """Submitted and valid; otherwise the content rules' problems (the authority's USCC check
    digit, a fine for a licence) are on their fields too, all at once."""
    return submitted_and_valid(form, lambda: operations.validated(form.to_data(lenient=True)))


@bp.route("/officer/disclosures/new", methods=["GET", "POST"])
@officer_required
def create():
    if not can_edit_unit(current_user, current_user.unit_id):
        abort(403)
    form = DisclosureForm()
    if request.method == "GET":
        form.kind.data = request.args.get("kind", DisclosureKind.PENALTY.value)
        form.source_unit_name.data = current_user.unit.name
    if _submitted(form):
        disclosure = _save_form(form, _create, success=_("The draft was saved."))
        if disclosure is not None:
            return redirect(url_for(".show", disclosure_id=disclosure.id))
    return render_template("disclosures/form.html", form=form, disclosure=None, correcting=None)


def _create(data, corrects=None):
    if corrects is not None:
        return operations.start_correction(corrects, data, actor=current_user)
    return operations.create_disclosure(data, unit_id=current_user.unit_id, actor=current_user)


@bp.route("/officer/disclosures/<id:disclosure_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(disclosure_id: int):
    disclosure = _load(disclosure_id)
    if not (disclosure.is_editable and can_edit_unit(current_user, disclosure.unit_id)):
        flash(_("Only a draft of your unit can be edited."), "error")
        return redirect(url_for(".show", disclosure_id=disclosure.id))
    form = DisclosureForm()
    if request.method == "GET":
        form.fill_from(disclosure)
    if _submitted(form):
        version = int(form.version.data or 0)

        def _update(data):
            operations.update_disclosure(disclosure, data, actor=current_user, expected_version=version)
            return disclosure

        if _save_form(form, _update, success=_("The draft was saved.")) is not None:
            return redirect(url_for(".show", disclosure_id=disclosure.id))
    return render_template("disclosures/form.html", form=form, disclosure=disclosure, correcting=None)


@bp.route("/officer/disclosures/<id:disclosure_id>/correct", methods=["GET", "POST"])
@officer_required
def correct(disclosure_id: int):
    original = _load(disclosure_id)
    if not (original.status is DisclosureStatus.PUBLISHED and can_edit_unit(current_user, original.unit_id)):
        flash(_("Only a published disclosure of your unit can be corrected."), "error")
        return redirect(url_for(".show", disclosure_id=original.id))
    form = DisclosureForm()
    if request.method == "GET":
        form.fill_from(original)
    if _submitted(form):
        draft = _save_form(form, lambda data: _create(data, corrects=original),
                           success=_("The corrected version was saved as a draft; submit it for review."))
        if draft is not None:
            return redirect(url_for(".show", disclosure_id=draft.id))
    return render_template("disclosures/form.html", form=form, disclosure=None, correcting=original)


@bp.route("/officer/disclosures/<id:disclosure_id>")
@officer_required
def show(disclosure_id: int):
    disclosure = _load(disclosure_id)
    corrections = db.session.scalars(
        sa.select(Disclosure).where(Disclosure.corrects_id == disclosure.id).order_by(Disclosure.id)
    ).all()
    return render_template(
        "disclosures/show.html", d=disclosure, events=history(Disclosure.__audit_type__, disclosure.id),
        return_form=ReturnForm(version=disclosure.version), corrections=corrections,
        can_edit=can_edit_unit(current_user, disclosure.unit_id), can_decide=can_review(current_user, disclosure),
        publicly_visible=is_publicly_visible(disclosure, clock.today()),
        removal_ctx=removal_context(disclosure, current_user),
    )


DECISIONS = {
    **flow_decisions(operations.FLOW),
    # A published disclosure leaves public view when a second reviewer confirms (``core.removals``).
    "remove": Decision(
        lambda d, f: prepare_removal(d, actor=current_user, expected_version=f.get("version"), reason=f.get("reason")),
        _l("The removal was prepared: it takes effect when another reviewer of the unit confirms it."),
    ),
}
decision_route(bp, "/officer/disclosures/<id:disclosure_id>", DECISIONS, load=_load)


# ---------------------------------------------------------------------------------------------
# Bulk import


def _report_dir() -> str:
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], "import-reports")
    os.makedirs(path, exist_ok=True)
    return path


def _store_report(refused: imports.ImportRefused) -> str | None:
    """The stored error report's token; None when it could not be written (the page lists the problems)."""
    token = secrets.token_hex(16)
    try:
        write_whole(os.path.join(_report_dir(), f"{current_user.id}-{token}.csv"), error_report_csv(refused.errors),
                    field="file")
    except ValidationFailed:
        return None
    return token


@bp.route("/officer/disclosures/import", methods=["GET", "POST"])
@officer_required
def import_page():
    if not can_edit_unit(current_user, current_user.unit_id):
        abort(403)
    form = ImportForm()
    refused = report = None
    if form.validate_on_submit():
        upload = form.file.data
        limit = imports_max_bytes()
        data = upload.stream.read(limit + 1)
        try:
            with refusing_a_full_disk(), committing():
                result = imports.import_disclosures(data, upload.filename or "", unit_id=current_user.unit_id,
                                                    actor=current_user, submit=form.submit_for_review.data,
                                                    max_bytes=limit)
        except imports.ImportRefused as error:
            refused, report = error, _store_report(error)
        except (FileRefused, ValidationFailed, StorageFull) as error:
            form.file.errors = [*form.file.errors, str(error.message)]
        else:
            flash(_("%(n)d disclosures were imported.", n=result.count), "success")
            return redirect(url_for(".index", status="pending_review" if result.submitted else "draft"))
    return render_template("disclosures/import.html", form=form, refused=refused, report=report,
                           shown=SHOWN_ERRORS, columns=imports.COLUMNS, max_mb=imports_max_bytes() // 1024 // 1024)


def imports_max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


@bp.route("/officer/disclosures/import/report/<token>.csv")
@officer_required
def import_report(token: str):
    if not _REPORT_NAME.match(token):
        abort(404)
    path = os.path.join(_report_dir(), f"{current_user.id}-{token}.csv")
    if not os.path.exists(path):
        abort(404)
    with open(path, "rb") as handle:
        body = handle.read()
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=import-errors.csv"
    return response


@bp.route("/officer/disclosures/import/template.<fmt>")
@officer_required
def import_template(fmt: str):
    if fmt == "csv":
        body, mimetype = template_csv(imports.COLUMNS), "text/csv"
    elif fmt == "xlsx":
        body = template_xlsx(imports.COLUMNS, "双公示")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=disclosure-template.{fmt}"
    return response


add_nav("disclosures.public_index", _l("Disclosures"), order=30)
add_nav("disclosures.index", _l("Disclosures"), order=30, officer=True,
        visible=lambda user: user.role.value in ("clerk", "reviewer", "admin", "auditor"))
