"""JSON API v1 (PRODUCT §11): credit check, batch check, name search, change feed, credit report, OpenAPI document.

Every answer under ``/api/`` is JSON, errors included, each error with a stable ``code``
(``core.web`` renders the HTTP errors; this module the API's own).  The answers carry an ETag that
changes only when what they say changes, so a client polling an unchanged record gets a 304.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from registry.accounts.apikeys import ApiScope
from registry.api import search, serializers
from registry.api.admin_views import admin_bp
from registry.api.bodies import batch_body
from registry.api.cursors import feed_position
from registry.api.keys import api_error, api_view, log_api_request, note_identifiers
from registry.api.openapi import openapi_document
from registry.api.snapshot import snapshot_bp
from registry.api.supervision_views import supervision_api_bp
from registry.api.watch_views import watch_api_bp
from registry.core import clock
from registry.core.caching import conditional
from registry.core.changes import ChangeEvent, encode_cursor
from registry.core.replicas import reads_from_replica
from registry.documents.operations import pdf_filename
from registry.extensions import csrf, db
from registry.readmodel.report import credit_report_pdf
from registry.watch.subject_ids import feed_items

PREFIX = "/api/v1"
MAX_BATCH = 1000
DEFAULT_CHANGES = 100
MAX_CHANGES = 1000
# One path segment but the word of the static route beside it (core.routing.SegmentConverter).
IDENTIFIER = 'segment("batch")'

bp = Blueprint("api", __name__)
bp.register_blueprint(admin_bp)  # the admin pages of the keys (HTML, CSRF-protected, under /admin)
bp.register_blueprint(supervision_api_bp)  # the supervision class, scope supervision:read
bp.register_blueprint(watch_api_bp)  # the watchlist (/api/v1/watchlist…), key-authenticated JSON
bp.register_blueprint(snapshot_bp)  # the bulk snapshot (/api/v1/snapshot.jsonl, .csv)
csrf.exempt(bp)  # key-authenticated JSON: no cookies, no forms (nested admin pages are not exempt)
bp.after_request(log_api_request)


def _json_answer(body: dict, *, status: int = 200, volatile: tuple[str, ...] = ("as_of",)) -> Response:
    """A JSON answer whose ETag covers everything but its time stamp."""
    response = jsonify(body)
    response.status_code = status
    stable = {key: value for key, value in body.items() if key not in volatile}
    source = json.dumps(stable, sort_keys=True, ensure_ascii=False, default=str).encode()
    return conditional(response, etag_source=source, private=True)


# ---------------------------------------------------------------------------------------------
# Credit check


@bp.route(f"{PREFIX}/credit/<{IDENTIFIER}:identifier>")
@api_view(ApiScope.CREDIT_READ)
@reads_from_replica
def credit(identifier: str):
    (lookup,) = serializers.parse_all([identifier])
    note_identifiers([lookup.normalized])
    if lookup.error is not None:
        return api_error(400, "invalid_identifier", lookup.error)
    as_of = clock.utcnow()
    answer = serializers.credit_results([lookup], clock.today(), as_of)[0]["result"]
    return _json_answer(answer)


@bp.route(f"{PREFIX}/credit/batch", methods=["POST"])
@api_view(ApiScope.CREDIT_READ)
@reads_from_replica
def credit_batch():
    body = batch_body()
    if isinstance(body, Response):
        return body
    identifiers = body.get("identifiers") if isinstance(body, dict) else None
    if not isinstance(identifiers, list):
        return api_error(400, "bad_request", _('The body must be a JSON object with a list "identifiers".'))
    if len(identifiers) > MAX_BATCH:
        return api_error(400, "too_many_identifiers",
                         _("A batch may have at most %(limit)d identifiers; this one has %(n)d.",
                           limit=MAX_BATCH, n=len(identifiers)),
                         limit=MAX_BATCH)
    not_strings = [index for index, item in enumerate(identifiers) if not isinstance(item, str)]
    if not_strings:
        # A malformed request, refused whole (the document says items are strings); an identifier
        # that is a string but not a valid one still gets its own error in the answer.
        return api_error(400, "not_a_string", _("Each identifier must be a JSON string."), errors=[
            {"index": index, "code": "not_a_string", "message": _("Item %(index)d is not a string.", index=index)}
            for index in not_strings])
    lookups = serializers.parse_all(identifiers)
    note_identifiers([lookup.normalized for lookup in lookups])
    as_of = clock.utcnow()
    results = [{"index": index, **item}
               for index, item in enumerate(serializers.credit_results(lookups, clock.today(), as_of))]
    response = jsonify(as_of=as_of.isoformat().replace("+00:00", "Z"), count=len(results), results=results)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"{PREFIX}/credit/<{IDENTIFIER}:identifier>/report.pdf")
@api_view(ApiScope.REPORT_READ)
def credit_report(identifier: str):
    (lookup,) = serializers.parse_all([identifier])
    note_identifiers([lookup.normalized])
    if lookup.error is not None:
        return api_error(400, "invalid_identifier", lookup.error)

    data, document = credit_report_pdf(lookup.normalized)
    db.session.commit()
    # The same bytes as application/octet-stream for a client that asks for that rather than PDF
    # (generated clients read "a file" as that; the document offers both).
    wanted = request.accept_mimetypes.best_match(["application/pdf", "application/octet-stream"])
    response = Response(data, mimetype=wanted if wanted == "application/octet-stream" else "application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(document)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Name search


@bp.route(f"{PREFIX}/subjects")
@api_view(ApiScope.CREDIT_READ)
@reads_from_replica
def subjects():
    answer = search.subject_search_answer()
    return answer if isinstance(answer, Response) else _json_answer(answer, volatile=())


# ---------------------------------------------------------------------------------------------
# Change feed



@bp.route(f"{PREFIX}/changes")
@api_view(ApiScope.CHANGES_READ)
@reads_from_replica
def changes():
    position = feed_position(request.args.get("since"))
    if isinstance(position, Response):
        return position
    try:
        limit = int(request.args.get("limit", DEFAULT_CHANGES))
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_CHANGES:
        return api_error(400, "bad_limit", _("limit must be a whole number from 1 to %(n)d.", n=MAX_CHANGES))
    events = list(db.session.scalars(
        sa.select(ChangeEvent).where(ChangeEvent.id > position).order_by(ChangeEvent.id).limit(limit + 1)
    ))
    page = events[:limit]
    body = {
        "changes": feed_items(page),
        "next_cursor": encode_cursor(page[-1].id if page else position),
        "has_more": len(events) > limit,
    }
    return _json_answer(body, volatile=())


# ---------------------------------------------------------------------------------------------
# The document


@bp.route(f"{PREFIX}/openapi.json")
def openapi():
    response = jsonify(openapi_document())
    return conditional(response)


@bp.route(f"{PREFIX}/")
@bp.route(PREFIX)
def index():
    return jsonify(openapi=f"{PREFIX}/openapi.json", authentication="X-API-Key")
