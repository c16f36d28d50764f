"""Downloading notices, and the public verification page.  (The credit report is served by the
public pages: its content comes from the public read model, ``readmodel.report``.)"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.core.errors import RegistryError
from registry.core.permissions import ensure_can_see, officer_required
from registry.core.web import committing
from registry.documents import operations
from registry.documents.kinds import get_kind
from registry.extensions import limiter

bp = Blueprint("documents", __name__)


def _public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


def pdf_response(data: bytes, document) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{operations.pdf_filename(document)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/officer/documents/<kind_name>/<id:record_id>.pdf")
@officer_required
def officer_notice(kind_name: str, record_id: int):
    kind = get_kind(kind_name)
    if kind is None or not kind.officer_download:
        abort(404)
    record = kind.load(_Ref(record_id))
    ensure_can_see(record)
    try:
        with committing():  # the document's number is stored with it
            data, document = operations.document_pdf(kind.name, record, actor=current_user)
    except RegistryError as refusal:
        return render_template("documents/unavailable.html", message=refusal.message, kind=kind), 409
    return pdf_response(data, document)


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
