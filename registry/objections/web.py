"""The pages objections and repair applications share, built for each kind by ``add_routes``.

Public: find the record, the form, the confirmation (the access code, shown once), the status
lookup (receipt number + access code; a wrong code is answered exactly like an unknown receipt,
and both are throttled), the status page with its material form, files and decision notice.
Officers of the handling unit: the list, one application with its steps, the files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user

from registry.core.audit import history
from registry.core.errors import RegistryError, ValidationFailed
from registry.core.forms import apply_error, select_choices
from registry.core.identifiers import InvalidIdentifier, parse_identifier
from registry.core.permissions import can_edit_unit, can_see_unit, officer_required, scope_to_user
from registry.core.uploads import Upload, send_upload
from registry.core.web import perform_form
from registry.documents.operations import document_pdf, pdf_filename
from registry.extensions import db, limiter
from registry.objections import common, records
from registry.objections.common import FINAL_STATES, OPEN_STATES, PUBLIC_STATUS_LABELS, STATUS_LABELS
from registry.objections.common import ApplicationStatus as S
from registry.objections.forms import FindRecordForm, LookupForm, MaterialForm, ReasonForm, RequestMaterialForm
from registry.subjects.models import Subject

PAGE_SIZE = 50
MAX_GRANTS = 20


@dataclass
class KindPages:
    """What differs between objections and repairs on their pages."""

    kind: str  # "objection" | "repair"
    model: type
    ops: object  # the package's operations module
    form_class: type
    file_fields: tuple  # ((form field name, upload purpose), ...)
    filing_kwargs: object  # (form, uploads) -> kwargs for ops.file_*
    file_operation: object  # ops.file_objection / ops.file_repair
    decision_form: object  # (application) -> a DecisionForm with its choices
    prepare_kwargs: object  # (form) -> kwargs for ops.prepare_decision
    candidate: object  # (record) -> True when the record may be chosen for this kind
    notice_kind: str
    titles: dict = field(default_factory=dict)


def _limit() -> str:
    return current_app.config["RATELIMIT_APPLICATIONS"]


def _lookup_limit() -> str:
    return current_app.config["RATELIMIT_APPLICATION_LOOKUP"]


def uploads_from(form_field_names, purposes=None) -> list[Upload]:
    """The non-empty files of the request's file fields, read into memory (nothing written yet)."""
    uploads = []
    for name in form_field_names:
        for storage in request.files.getlist(name):
            if storage is None or not storage.filename:
                continue
            uploads.append(Upload(field=name, data=storage.read(), filename=storage.filename,
                                  purpose=(purposes or {}).get(name, name)))
    return uploads


def _grant_key(kind: str) -> str:
    return f"{kind}_access"


def _grant(kind: str, application_id: int) -> None:
    granted = [i for i in session.get(_grant_key(kind), []) if i != application_id]
    session[_grant_key(kind)] = [*granted, application_id][-MAX_GRANTS:]


def add_routes(bp: Blueprint, pages: KindPages) -> None:
    kind, model, ops = pages.kind, pages.model, pages.ops
    tpl = "objections/"

    def granted(receipt: str):
        number = common.normalize_receipt(receipt)
        application = db.session.scalar(sa.select(model).where(model.receipt_number == number))
        if application is None or application.id not in session.get(_grant_key(kind), []):
            return None
        return application

    # -- public -----------------------------------------------------------------------------

    @bp.route("/new", methods=["GET", "POST"], endpoint="new")
    @limiter.limit(_limit, methods=["POST"])
    def new():
        target = request.values.get("record")
        if not target:
            return _choose()
        try:
            _record_type, record = records.parse_target(target)
        except ValidationFailed:
            abort(404)
        if not records.is_public(record):
            abort(404)
        form = pages.form_class()
        form.record.data = target
        if request.method == "POST" and form.validate_on_submit():
            uploads = uploads_from([name for name, _purpose in pages.file_fields], dict(pages.file_fields))
            ok, filed = perform_form(form, lambda: pages.file_operation(**pages.filing_kwargs(form, uploads)))
            if ok:
                application, code = filed
                return render_template(f"{tpl}confirmation.html", pages=pages, application=application, code=code,
                                       summary=records.summary(record))
        return render_template(pages.titles["form_template"], form=form, pages=pages, summary=records.summary(record),
                               record=record, eligibility=getattr(ops, "eligibility_note", lambda r: None)(record))

    def _choose():
        form = FindRecordForm(request.args)
        subject, entries, disclosures, error = None, [], [], None
        text = (form.identifier.data or "").strip()
        if text:
            try:
                candidates = parse_identifier(text)
            except InvalidIdentifier as problem:
                candidates, error = [], str(problem.message)
            for candidate in candidates:
                subject = db.session.scalar(sa.select(Subject).where(Subject.kind == candidate.kind,
                                                                     Subject.identifier == candidate.value))
                if subject is not None:
                    break
            if subject is not None:
                entries, disclosures = records.public_records_of(subject.id)
                entries = [e for e in entries if pages.candidate(e)]
                disclosures = [d for d in disclosures if pages.candidate(d)]
            if not candidates and error is None:
                error = _("Enter a unified social credit code, a resident ID number or a plate number.")
        if error:
            form.identifier.errors = [error]
        return render_template(f"{tpl}choose.html", form=form, pages=pages, subject=subject, searched=bool(text),
                               choices=[records.summary(r) for r in [*entries, *disclosures]])

    @bp.route("/status", methods=["GET", "POST"], endpoint="lookup")
    @limiter.limit(_lookup_limit, methods=["POST"])
    def lookup():
        form = LookupForm()
        if request.method == "POST" and form.validate_on_submit():
            receipt = common.normalize_receipt(form.receipt_number.data)
            client = get_remote_address() or "-"
            if common.lookup_throttled(receipt, client):
                return render_template(f"{tpl}lookup.html", form=form, pages=pages, throttled=True), 429
            application = common.find_application(model, receipt, form.access_code.data)
            if application is not None:
                _grant(kind, application.id)
                return redirect(url_for(".status", receipt=application.receipt_number))
            common.record_lookup_failure(receipt, client)
            db.session.commit()
            form.access_code.errors = [_("No application matches this receipt number and access code.")]
            form.access_code.data = ""
        return render_template(f"{tpl}lookup.html", form=form, pages=pages, throttled=False)

    @bp.route("/status/<receipt>", endpoint="status")
    def status(receipt: str):
        application = granted(receipt)
        if application is None:
            return redirect(url_for(".lookup"))
        record = records.load_record(application.record_type, application.record_id)
        return render_template(f"{tpl}status.html", pages=pages, application=application, form=MaterialForm(),
                               files=common.files_of(kind, application.id), summary=records.summary(record),
                               status_label=PUBLIC_STATUS_LABELS[application.status], S=S,
                               outcome_label=pages.titles["outcomes"].get(application.outcome))

    @bp.route("/status/<receipt>/material", methods=["POST"], endpoint="material")
    @limiter.limit(_limit)
    def material(receipt: str):
        application = granted(receipt) or abort(404)
        form = MaterialForm()
        if form.validate_on_submit():
            uploads = uploads_from(["files"], {"files": "material"})
            try:
                ops.add_material(application, uploads, form.note.data)
                db.session.commit()
            except RegistryError as error:
                db.session.rollback()
                flash(str(error.message), "error")
            else:
                flash(_("Your material was received."), "success")
        return redirect(url_for(".status", receipt=application.receipt_number))

    @bp.route("/status/<receipt>/files/<id:file_id>", endpoint="applicant_file")
    def applicant_file(receipt: str, file_id: int):
        application = granted(receipt) or abort(404)
        row = common.file_of(kind, application.id, file_id) or abort(404)
        return send_upload(row.stored_name, row.original_name, row.content_type)

    @bp.route("/status/<receipt>/notice.pdf", endpoint="applicant_notice")
    def applicant_notice(receipt: str):
        application = granted(receipt) or abort(404)
        if application.status not in FINAL_STATES:
            abort(404)
        return _notice_response(application, actor=None)

    def _notice_response(application, actor):
        data, document = document_pdf(pages.notice_kind, application, actor=actor)
        db.session.commit()
        response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                             download_name=pdf_filename(document), max_age=0)
        response.headers["Cache-Control"] = "private, no-store"
        return response

    # -- officers ---------------------------------------------------------------------------

    def load_for_officer(application_id: int):
        application = db.session.get(model, application_id)
        if application is None or not can_see_unit(current_user, application.unit_id):
            abort(404)
        return application

    @bp.route("/officer/", endpoint="officer_index")
    @officer_required
    def officer_index():
        page = max(request.args.get("page", 1, type=int), 1)
        show = request.args.get("show", "open")
        statement = scope_to_user(sa.select(model), model.unit_id)
        if show == "open":
            statement = statement.where(model.status.in_(OPEN_STATES))
        rows = db.session.scalars(statement.order_by(model.filed_at.desc(), model.id.desc())
                                  .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
        return render_template(f"{tpl}officer_index.html", pages=pages, applications=rows[:PAGE_SIZE],
                               has_next=len(rows) > PAGE_SIZE, page=page, show=show, STATUS_LABELS=STATUS_LABELS)

    def _render_show(application, forms=None):
        forms = forms or {}
        record = records.load_record(application.record_type, application.record_id)
        decision_form = forms.get("decide") or pages.decision_form(application)
        for form in (decision_form,):
            form.version.data = application.version
        return render_template(
            f"{tpl}officer_show.html", pages=pages, application=application, record=record,
            summary=records.summary(record) if record else None, files=common.files_of(kind, application.id),
            reject_form=forms.get("reject") or ReasonForm(version=application.version),
            request_form=forms.get("request") or RequestMaterialForm(version=application.version),
            decision_form=decision_form, STATUS_LABELS=STATUS_LABELS, S=S,
            can_handle=can_edit_unit(current_user, application.unit_id)
            and current_user.unit_id == application.unit_id,
            events=history(model.__audit_type__, application.id),
            outcome_label=pages.titles["outcomes"].get(application.outcome),
        )

    @bp.route("/officer/<id:application_id>", endpoint="officer_show")
    @officer_required
    def officer_show(application_id: int):
        return _render_show(load_for_officer(application_id))

    @bp.route("/officer/<id:application_id>/<any(accept, reject, request, prepare):action>", methods=["POST"],
              endpoint="officer_act")
    @officer_required
    def officer_act(application_id: int, action: str):
        application = load_for_officer(application_id)
        form = {"accept": ReasonForm, "reject": ReasonForm, "request": RequestMaterialForm}.get(action)
        form = form() if form else pages.decision_form(application, formdata=request.form)
        if not form.validate_on_submit():
            abort(400)
        version = form.version.data
        calls = {
            "accept": lambda: ops.accept(application, current_user, version),
            "reject": lambda: ops.reject(application, current_user, version, form.reason.data),
            "request": lambda: ops.request_material(application, current_user, version, form.note.data),
            "prepare": lambda: ops.prepare_decision(application, current_user, version, form.outcome.data,
                                                    form.reasons.data, **pages.prepare_kwargs(form)),
        }
        messages = {"accept": _l("Accepted."),
                    "reject": _l("The rejection was prepared; a reviewer must now confirm it in the review queue."),
                    "request": _l("The request for material was sent."),
                    "prepare": _l("The decision was prepared; a reviewer must now confirm it in the review queue.")}
        try:
            calls[action]()
            db.session.commit()
        except RegistryError as error:
            db.session.rollback()
            db.session.refresh(application)
            if not (isinstance(error, ValidationFailed) and apply_error(form, error)):
                flash(str(error.message), "error")
            key = {"prepare": "decide"}.get(action, action)
            return _render_show(application, {key: form}), 400
        flash(str(messages[action]), "success")
        return redirect(url_for(".officer_show", application_id=application.id))

    @bp.route("/officer/<id:application_id>/files/<id:file_id>", endpoint="officer_file")
    @officer_required
    def officer_file(application_id: int, file_id: int):
        application = load_for_officer(application_id)
        if current_user.unit_id != application.unit_id:  # the handling unit's officers only (SPEC §13)
            abort(404)
        row = common.file_of(kind, application.id, file_id) or abort(404)
        return send_upload(row.stored_name, row.original_name, row.content_type)

    @bp.route("/officer/<id:application_id>/notice.pdf", endpoint="officer_notice")
    @officer_required
    def officer_notice(application_id: int):
        application = load_for_officer(application_id)
        if application.status not in FINAL_STATES:
            abort(404)
        return _notice_response(application, actor=current_user)


def decision_choices(labels: dict):
    return select_choices([(key.value, label) for key, label in labels.items()])


def register_entry_applications_panel(pages: KindPages, *, order: int, hold_kind) -> None:
    """On the officer page of a list entry: the open applications of this kind on it, with links.

    Asks the holds first (one indexed lookup), so an entry without an open application costs no
    query of the applications table.
    """
    from registry.core.holds import open_holds
    from registry.listing.panels import register_entry_panel

    model = pages.model

    @register_entry_panel(f"open_{pages.kind}s", order=order, template="objections/_entry_panel.html")
    def load(entry, user) -> dict:
        if hold_kind not in open_holds(records.LIST_ENTRY, [entry.id])[entry.id]:
            return {}
        rows = [application for application in db.session.scalars(
            sa.select(model).where(model.record_type == records.LIST_ENTRY, model.record_id == entry.id,
                                   model.status.in_(OPEN_STATES)).order_by(model.filed_at, model.id)
        ) if can_see_unit(user, application.unit_id)]
        if not rows:
            return {}
        return {"applications": rows, "title": pages.titles["officer_list"], "endpoint": f"{pages.kind}s.officer_show",
                "STATUS_LABELS": STATUS_LABELS}
