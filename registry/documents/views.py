"""Downloading notices and credit reports, and the public verification page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.core.errors import RegistryError
from registry.core.identifiers import InvalidIdentifier
from registry.core.permissions import ensure_can_see, officer_required
from registry.documents import operations
from registry.documents.kinds import get_kind
from registry.documents.report import credit_report_pdf, has_public_records
from registry.extensions import db, limiter
from registry.subjects.models import Subject
from registry.subjects.sections import register_subject_section

bp = Blueprint("documents", __name__)


def _public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


def _pdf_response(data: bytes, document) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{operations.pdf_filename(document)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/subjects/<id:subject_id>/report.pdf")
@limiter.limit(_public_limit)
def subject_report(subject_id: int):
    subject = db.session.get(Subject, subject_id)
    if subject is None or not has_public_records(subject):
        abort(404)  # as the subject page: registration alone is not public
    data, document = credit_report_pdf(subject, actor=current_user)
    db.session.commit()
    return _pdf_response(data, document)


@bp.route("/report/<identifier>.pdf")
@limiter.limit(_public_limit)
def identifier_report(identifier: str):
    if len(identifier) > 40:
        abort(404)
    try:
        data, document = credit_report_pdf(identifier, actor=current_user)
    except InvalidIdentifier:
        db.session.rollback()
        abort(404)
    db.session.commit()
    return _pdf_response(data, document)


@bp.route("/officer/documents/<kind_name>/<id:record_id>.pdf")
@officer_required
def officer_notice(kind_name: str, record_id: int):
    kind = get_kind(kind_name)
    if kind is None or not kind.officer_download:
        abort(404)
    record = kind.load(_Ref(record_id))
    ensure_can_see(record)
    try:
        data, document = operations.document_pdf(kind.name, record, actor=current_user)
    except RegistryError as refusal:
        db.session.rollback()
        return render_template("documents/unavailable.html", message=refusal.message, kind=kind), 409
    db.session.commit()
    return _pdf_response(data, document)


class _Ref:
    """A stand-in document pointing at a record id, so ``kind.load`` finds the record by id."""

    def __init__(self, record_id: int) -> None:
        self.record_id = record_id
        self.record_key = None


@bp.route("/verify")
@limiter.limit(_public_limit)
def verify_form():
    """文书核验: a form for the code printed at the foot of every document."""
    typed = (request.args.get("code") or "").strip()
    error = None
    if typed:
        code = operations.normalize_code(typed)
        if code is not None:
            return redirect(url_for(".verify", code=code))
        error = _("A verification code has 16 letters and digits, as printed at the foot of the document "
                  "(hyphens and spaces may be left out).")
    return render_template("documents/verify_form.html", code=typed[:40], error=error), 400 if error else 200


@bp.route("/verify/<code>")
@limiter.limit(_public_limit)
def verify(code: str):
    result = operations.verify(code)
    if result is None:
        return render_template("documents/not_found.html"), 404
    return render_template("documents/verify.html", result=result)


@register_subject_section("credit_report", order=900, template="documents/_subject_report.html")
def _report_section(subject, public: bool) -> dict:
    return {"report_subject": subject} if has_public_records(subject) else {}
