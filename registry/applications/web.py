"""The pages objections and repair applications share: one named view function per page, taking
the kind's ``KindPages``; ``ROUTES`` lists them and ``add_routes`` puts them on a kind's blueprint
(endpoint ``objections.status`` is the view ``status`` here, for objections).

Public: find the record, the form, the confirmation (the access code, shown once), the status
lookup (receipt number + access code; a wrong code is answered exactly like an unknown receipt,
and both are throttled), the status page with its material form, files and decision notice.
Officers of the handling unit: the list, one application with its steps, the files.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable
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

from registry.applications import confirmation, models, targets, work
from registry.applications.forms import LookupForm, MaterialForm, ReasonForm, RequestMaterialForm
from registry.applications.held import FormFiles, fresh_uploads
from registry.applications.models import FINAL_STATES, OPEN_STATES, PUBLIC_STATUS_LABELS, STATUS_LABELS
from registry.applications.models import ApplicationStatus as S
from registry.core import clock
from registry.core.audit import history
from registry.core.errors import RegistryError, ValidationFailed
from registry.core.forms import apply_error, select_choices
from registry.core.pagination import paginate
from registry.core.permissions import can_edit_unit, can_see_unit, officer_required, scope_to_user
from registry.core.uploads import send_upload
from registry.core.web import committing, perform_form
from registry.documents.operations import document_pdf, pdf_filename
from registry.extensions import db, limiter

PAGE_SIZE = 50
TEMPLATES = "applications/"
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
    receipt_kind: str
    titles: dict = field(default_factory=dict)


def _limit() -> str:
    return current_app.config["RATELIMIT_APPLICATIONS"]


def _lookup_limit() -> str:
    return current_app.config["RATELIMIT_APPLICATION_LOOKUP"]


KINDS: dict[str, KindPages] = {}  # kind -> its pages, filled by ``add_routes``


def kind_of_receipt(receipt: str) -> KindPages | None:
    """The kind of application a receipt number belongs to, by its prefix (YY objection, XF repair)."""
    return next((pages for pages in KINDS.values()
                 if pages.model.__receipt_prefix__ and receipt.startswith(pages.model.__receipt_prefix__)), None)


def _grant_key(kind: str) -> str:
    return f"{kind}_access"


def _grant(kind: str, application_id: int) -> None:
    granted = [i for i in session.get(_grant_key(kind), []) if i != application_id]
    session[_grant_key(kind)] = [*granted, application_id][-MAX_GRANTS:]


def granted(pages: KindPages, receipt: str):
    """The application of this receipt number if this browser has shown its access code, else None."""
    number = models.normalize_receipt(receipt)
    application = db.session.scalar(sa.select(pages.model).where(pages.model.receipt_number == number))
    if application is None or application.id not in session.get(_grant_key(pages.kind), []):
        return None
    return application


# --- public pages ---------------------------------------------------------------------------------


def new(pages: KindPages):
    """The form (after the record is chosen), or the record finder; on a good filing, the confirmation."""
    target = request.values.get("record")
    if not target:
        return confirmation.choose_record(pages)
    try:
        _record_type, record = targets.parse_target(target)
    except ValidationFailed:
        abort(404)
    if not targets.is_public(record):
        abort(404)
    form = pages.form_class()
    form.record.data = target
    kept = {}
    if request.method == "POST":
        names = [name for name, _purpose in pages.file_fields]
        chosen = FormFiles.gather(form, fresh_uploads(names, dict(pages.file_fields)))
        if form.validate_on_submit():
            ok, filed = perform_form(form, lambda: pages.file_operation(**pages.filing_kwargs(form, chosen.uploads)))
            if ok:
                chosen.discard()
                application, code = filed
                _grant(pages.kind, application.id)  # this browser has the access code: it may follow it
                # Post/redirect/get: the confirmation can be reloaded and printed without filing again.
                confirmation.remember_code(pages.kind, application.id, code)
                return redirect(url_for(".filed", receipt=application.receipt_number))
        chosen.keep(form)
        kept = chosen.names()
    return render_template(pages.titles["form_template"], form=form, pages=pages, summary=targets.summary(record),
                           record=record, kept=kept,
                           eligibility=getattr(pages.ops, "eligibility_note", lambda r: None)(record))


def filed(pages: KindPages, receipt: str):
    """The confirmation after filing, again (reload, print) while this browser keeps the access code."""
    application = granted(pages, receipt)
    code = application is not None and confirmation.remembered_code(pages.kind, application.id)
    if not code:
        return redirect(url_for(".status", receipt=receipt) if application is not None else url_for(".lookup"))
    return confirmation.page(pages, application, code)


def lookup(pages: KindPages):
    """Receipt number and access code; a wrong code is answered exactly like an unknown receipt."""
    form = LookupForm()
    if request.method == "POST" and form.validate_on_submit():
        receipt = models.normalize_receipt(form.receipt_number.data)
        client = get_remote_address() or "-"
        wait = models.lookup_wait(client)
        if wait:
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            return render_template(f"{TEMPLATES}lookup.html", form=form, pages=pages, throttled=minutes,
                                   kinds=list(KINDS.values())), 429
        owner = kind_of_receipt(receipt) or pages  # the receipt's prefix says which kind (YY, XF)
        application = models.find_application(owner.model, receipt, form.access_code.data)
        if application is not None:
            _grant(owner.kind, application.id)
            return redirect(url_for(f"{owner.kind}s.status", receipt=application.receipt_number))
        with committing():  # a failed lookup counts towards the client's wait
            models.record_lookup_failure(client)
        form.access_code.errors = [_("No application matches this receipt number and access code.")]
        form.access_code.data = ""
    return render_template(f"{TEMPLATES}lookup.html", form=form, pages=pages, throttled=False,
                           kinds=list(KINDS.values()))


def status(pages: KindPages, receipt: str):
    application = granted(pages, receipt)
    if application is None:
        return redirect(url_for(".lookup"))
    record = targets.load_record(application.record_type, application.record_id)
    return render_template(f"{TEMPLATES}status.html", pages=pages, application=application, form=MaterialForm(),
                           files=models.files_of(pages.kind, application.id), summary=targets.summary(record),
                           status_label=PUBLIC_STATUS_LABELS[application.status], S=S,
                           outcome_label=pages.titles["outcomes"].get(application.outcome))


def material(pages: KindPages, receipt: str):
    application = granted(pages, receipt) or abort(404)
    form = MaterialForm()
    if form.validate_on_submit():
        uploads = fresh_uploads(["files"], {"files": "material"})
        try:
            with committing():
                pages.ops.add_material(application, uploads, form.note.data)
        except RegistryError as error:
            flash(str(error.message), "error")
        else:
            flash(_("Your material was received."), "success")
    return redirect(url_for(".status", receipt=application.receipt_number))


def applicant_file(pages: KindPages, receipt: str, file_id: int):
    application = granted(pages, receipt) or abort(404)
    row = models.file_of(pages.kind, application.id, file_id) or abort(404)
    return send_upload(row.stored_name, row.original_name, row.content_type)


def applicant_notice(pages: KindPages, receipt: str):
    application = granted(pages, receipt) or abort(404)
    if application.status not in FINAL_STATES:
        abort(404)
    return _notice_response(pages, application, actor=None)


def applicant_receipt(pages: KindPages, receipt: str):
    """The receipt (回执) as a PDF: issued once, the same document on every download."""
    application = granted(pages, receipt) or abort(404)
    return _notice_response(pages, application, actor=None, kind=pages.receipt_kind)


def _notice_response(pages: KindPages, application, actor, kind: str | None = None):
    with committing():  # the document's number is stored with it
        data, document = document_pdf(kind or pages.notice_kind, application, actor=actor)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=pdf_filename(document), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the handling unit's pages --------------------------------------------------------------------


def load_for_officer(pages: KindPages, application_id: int):
    """The application, or 404 for an officer of another unit (PRODUCT §13)."""
    application = db.session.get(pages.model, application_id)
    if application is None or not can_see_unit(current_user, application.unit_id):
        abort(404)
    return application


def officer_index(pages: KindPages):
    show = request.args.get("show", "open")
    statement = scope_to_user(sa.select(pages.model), pages.model.unit_id)
    if show == "open":
        statement = statement.where(pages.model.status.in_(OPEN_STATES))
    work_filters = work.filters_for(pages.kind)
    statement, work_label = work_filters.apply(statement, request.args.get("work"), current_user, clock.today())
    page = paginate(statement.order_by(pages.model.filed_at.desc(), pages.model.id.desc()), PAGE_SIZE)
    return render_template(f"{TEMPLATES}officer_index.html", pages=pages, applications=page.items,
                           has_next=page.has_next, page=page.number, show=show, STATUS_LABELS=STATUS_LABELS,
                           work_label=work_label, work=request.args.get("work") if work_label else None)


def _render_show(pages: KindPages, application, forms=None):
    forms = forms or {}
    record = targets.load_record(application.record_type, application.record_id)
    decision_form = forms.get("decide") or pages.decision_form(application)
    for form in (decision_form,):
        form.version.data = application.version
    return render_template(
        f"{TEMPLATES}officer_show.html", pages=pages, application=application, record=record,
        summary=targets.summary(record) if record else None, files=models.files_of(pages.kind, application.id),
        reject_form=forms.get("reject") or ReasonForm(version=application.version),
        request_form=forms.get("request") or RequestMaterialForm(version=application.version),
        decision_form=decision_form, STATUS_LABELS=STATUS_LABELS, S=S,
        can_handle=can_edit_unit(current_user, application.unit_id)
        and current_user.unit_id == application.unit_id,
        events=history(pages.model.__audit_type__, application.id),
        outcome_label=pages.titles["outcomes"].get(application.outcome),
    )


def officer_show(pages: KindPages, application_id: int):
    return _render_show(pages, load_for_officer(pages, application_id))


def officer_act(pages: KindPages, application_id: int, action: str):
    """One handling step: accept, reject as inadmissible, ask for material, or prepare the decision."""
    application = load_for_officer(pages, application_id)
    form = {"accept": ReasonForm, "reject": ReasonForm, "request": RequestMaterialForm}.get(action)
    form = form() if form else pages.decision_form(application, formdata=request.form)
    if not form.validate_on_submit():
        abort(400)
    version = form.version.data
    calls = {
        "accept": lambda: pages.ops.accept(application, current_user, version),
        "reject": lambda: pages.ops.reject(application, current_user, version, form.reason.data),
        "request": lambda: pages.ops.request_material(application, current_user, version, form.note.data),
        "prepare": lambda: pages.ops.prepare_decision(application, current_user, version, form.outcome.data,
                                                form.reasons.data, **pages.prepare_kwargs(form)),
    }
    messages = {"accept": _l("Accepted."),
                "reject": _l("The rejection was prepared; a reviewer must now confirm it in the review queue."),
                "request": _l("The request for material was sent."),
                "prepare": _l("The decision was prepared; a reviewer must now confirm it in the review queue.")}
    try:
        with committing():
            calls[action]()
    except RegistryError as error:
        db.session.refresh(application)
        if not (isinstance(error, ValidationFailed) and apply_error(form, error)):
            flash(str(error.message), "error")
        key = {"prepare": "decide"}.get(action, action)
        return _render_show(pages, application, {key: form}), 400
    flash(str(messages[action]), "success")
    return redirect(url_for(".officer_show", application_id=application.id))


def officer_file(pages: KindPages, application_id: int, file_id: int):
    # Whoever may read the application sees its file list, and may open what it lists :
    # the handling unit's officers and those who read every unit (PRODUCT §13 keeps them read-only).
    application = load_for_officer(pages, application_id)
    row = models.file_of(pages.kind, application.id, file_id) or abort(404)
    return send_upload(row.stored_name, row.original_name, row.content_type)


def officer_notice(pages: KindPages, application_id: int):
    application = load_for_officer(pages, application_id)
    if application.status not in FINAL_STATES:
        abort(404)
    return _notice_response(pages, application, actor=current_user)


def decision_choices(labels: dict):
    return select_choices([(key.value, label) for key, label in labels.items()])


# --- the routes, one table for every kind of application -----------------------------------------

@dataclass(frozen=True)
class Route:
    rule: str
    view: Callable  # view(pages, **url values); its name is the endpoint
    methods: tuple = ("GET",)
    limit: Callable | None = None  # the rate limit's setting, for the methods that write
    limit_methods: tuple | None = ("POST",)
    officer: bool = False


ROUTES = (
    Route("/new", new, ("GET", "POST"), limit=_limit),
    Route("/filed/<receipt>", filed),
    Route("/status", lookup, ("GET", "POST"), limit=_lookup_limit),
    Route("/status/<receipt>", status),
    Route("/status/<receipt>/material", material, ("POST",), limit=_limit, limit_methods=None),
    Route("/status/<receipt>/files/<id:file_id>", applicant_file),
    Route("/status/<receipt>/notice.pdf", applicant_notice),
    Route("/status/<receipt>/receipt.pdf", applicant_receipt),
    Route("/officer/", officer_index, officer=True),
    Route("/officer/<id:application_id>", officer_show, officer=True),
    Route("/officer/<id:application_id>/<any(accept, reject, request, prepare):action>", officer_act, ("POST",),
          officer=True),
    Route("/officer/<id:application_id>/files/<id:file_id>", officer_file, officer=True),
    Route("/officer/<id:application_id>/notice.pdf", officer_notice, officer=True),
)


def add_routes(bp: Blueprint, pages: KindPages) -> None:
    """Put every route of ``ROUTES`` on the kind's blueprint: endpoint ``<kind>s.<view name>``."""
    KINDS[pages.kind] = pages
    bp.add_app_template_global(models.file_purpose_label, "file_purpose_label")
    for route in ROUTES:
        view = functools.wraps(route.view)(functools.partial(route.view, pages))
        if route.officer:
            view = officer_required(view)
        if route.limit is not None:
            view = limiter.limit(route.limit, methods=list(route.limit_methods) if route.limit_methods else None)(view)
        bp.add_url_rule(route.rule, route.view.__name__, view, methods=list(route.methods))
