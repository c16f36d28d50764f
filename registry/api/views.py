"""JSON API v1 (SPEC §11): credit check, batch check, name search, change feed, credit report, OpenAPI document.

Every answer under ``/api/`` is JSON, errors included, each error with a stable ``code``
(``core.web`` renders the HTTP errors; this module the API's own).  The answers carry an ETag that
changes only when what they say changes, so a client polling an unchanged record gets a 304.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, request

from registry.accounts.apikeys import ApiScope
from registry.api import search, serializers
from registry.api.admin_views import admin_bp
from registry.api.keys import api_error, api_view, log_api_request, note_identifiers
from registry.api.openapi import openapi_document
from registry.api.supervision_views import supervision_api_bp
from registry.api.watch_views import watch_api_bp
from registry.core import clock
from registry.core.caching import conditional
from registry.core.changes import ChangeEvent, change_json, decode_cursor, encode_cursor
from registry.extensions import csrf, db

PREFIX = "/api/v1"
MAX_BATCH = 1000
MAX_BATCH_BYTES = 256 * 1024
DEFAULT_CHANGES = 100
MAX_CHANGES = 1000
# One path segment but the word of the static route beside it (core.routing.SegmentConverter).
IDENTIFIER = 'segment("batch")'

bp = Blueprint("api", __name__)
bp.register_blueprint(admin_bp)  # the admin pages of the keys (HTML, CSRF-protected, under /admin)
bp.register_blueprint(supervision_api_bp)  # the supervision class, scope supervision:read
bp.register_blueprint(watch_api_bp)  # the watchlist (/api/v1/watchlist…), key-authenticated JSON
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
def credit(identifier: str):
    (lookup,) = serializers.parse_all([identifier])
    note_identifiers([lookup.normalized])
    if lookup.error is not None:
        return api_error(400, "invalid_identifier", lookup.error)
    as_of = clock.utcnow()
    answer = serializers.credit_results([lookup], clock.today(), as_of)[0]["result"]
    return _json_answer(answer)


def _batch_body():
    """The batch's JSON body, or the error answer.

    The size limit holds for the bytes actually read, so a chunked body (no Content-Length) cannot
    get past it; the JSON is parsed here rather than by ``request.get_json`` so that a body nested
    deeper than the parser's recursion limit is a 400 like any other bad JSON, not a 500.
    """
    too_large = api_error(413, "too_large", f"The request body may have at most {MAX_BATCH_BYTES} bytes.")
    if (request.content_length or 0) > MAX_BATCH_BYTES:
        return too_large
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        return _bad_json()
    data = request.stream.read(MAX_BATCH_BYTES + 1)
    if len(data) > MAX_BATCH_BYTES:
        return too_large
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8 and over-long integers too
        return _bad_json()
    return _bad_json() if body is None else body


def _bad_json():
    return api_error(400, "bad_json", 'The body must be JSON: {"identifiers": ["...", ...]}.')


@bp.route(f"{PREFIX}/credit/batch", methods=["POST"])
@api_view(ApiScope.CREDIT_READ)
def credit_batch():
    body = _batch_body()
    if isinstance(body, Response):
        return body
    identifiers = body.get("identifiers") if isinstance(body, dict) else None
    if not isinstance(identifiers, list):
        return api_error(400, "bad_request", 'The body must be a JSON object with a list "identifiers".')
    if len(identifiers) > MAX_BATCH:
        return api_error(400, "too_many_identifiers",
                         f"A batch may have at most {MAX_BATCH} identifiers; this one has {len(identifiers)}.",
                         limit=MAX_BATCH)
    not_strings = [index for index, item in enumerate(identifiers) if not isinstance(item, str)]
    if not_strings:
        # A malformed request, refused whole (the document says items are strings); an identifier
        # that is a string but not a valid one still gets its own error in the answer.
        return api_error(400, "not_a_string", "Each identifier must be a JSON string.", errors=[
            {"index": index, "code": "not_a_string", "message": f"Item {index} is not a string."}
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
    from registry.documents.operations import pdf_filename
    from registry.readmodel.report import credit_report_pdf

    data, document = credit_report_pdf(lookup.normalized)
    db.session.commit()
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(document)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Name search (issue 20)


@bp.route(f"{PREFIX}/subjects")
@api_view(ApiScope.CREDIT_READ)
def subjects():
    answer = search.subject_search_answer()
    return answer if isinstance(answer, Response) else _json_answer(answer, volatile=())


# ---------------------------------------------------------------------------------------------
# Change feed

@bp.route(f"{PREFIX}/changes")
@api_view(ApiScope.CHANGES_READ)
def changes():
    since = request.args.get("since")
    position = 0 if since in (None, "") else decode_cursor(since)
    if position is None:
        return api_error(400, "bad_cursor", "The since cursor is not valid: pass a cursor this API returned.")
    try:
        limit = int(request.args.get("limit", DEFAULT_CHANGES))
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_CHANGES:
        return api_error(400, "bad_limit", f"limit must be a whole number from 1 to {MAX_CHANGES}.")
    events = list(db.session.scalars(
        sa.select(ChangeEvent).where(ChangeEvent.id > position).order_by(ChangeEvent.id).limit(limit + 1)
    ))
    page = events[:limit]
    body = {
        "changes": [change_json(event) for event in page],
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
