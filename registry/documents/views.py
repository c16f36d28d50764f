"""Downloading notices, and the public verification page.  (The credit report is served by the
public pages: its content comes from the public read model, ``readmodel.report``.)"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user

from registry.core.errors import RegistryError
from registry.core.permissions import ensure_can_see, officer_required
from registry.documents import operations
from registry.documents.kinds import get_kind
from registry.extensions import db, limiter

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
        data, document = operations.document_pdf(kind.name, record, actor=current_user)
    except RegistryError as refusal:
        db.session.rollback()
        return render_template("documents/unavailable.html", message=refusal.message, kind=kind), 409
    db.session.commit()
    return pdf_response(data, document)


class _Ref:
    """A stand-in document pointing at a record id, so ``kind.load`` finds the record by id."""

    def __init__(self, record_id: int) -> None:
        self.record_id = record_id
        self.record_key = None


@bp.route("/verify/<code>")
@limiter.limit(_public_limit)
def verify(code: str):
    result = operations.verify(code)
    if result is None:
        return render_template("documents/not_found.html"), 404
    return render_template("documents/verify.html", result=result)
