"""The watchlist API (scope ``watch:write``): add, remove and list watched identifiers, and pull
the changes about them.  Notifications themselves are sent by the scheduler (``watch.delivery``).

A batch with an invalid identifier is refused whole (400 ``invalid_identifiers``, one item per
invalid identifier with its index), and nothing is stored.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request

from registry.accounts.apikeys import ApiKey, ApiScope
from registry.api.bodies import batch_body
from registry.api.keys import api_error, api_view, note_identifiers
from registry.core.changes import change_json, decode_cursor, encode_cursor
from registry.core.identifiers import public_identifier
from registry.extensions import csrf, db
from registry.watch import operations

PREFIX = "/api/v1/watchlist"
DEFAULT_PAGE = 100
MAX_PAGE = 1000

watch_api_bp = Blueprint("watchlist", __name__)
csrf.exempt(watch_api_bp)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _key() -> ApiKey:
    return db.session.get(ApiKey, g.api_key.id)


def _limit():
    try:
        limit = int(request.args.get("limit", DEFAULT_PAGE))
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_PAGE:
        return None, api_error(400, "bad_limit", f"limit must be a whole number from 1 to {MAX_PAGE}.")
    return limit, None


def _identifiers():
    """The batch's list of identifiers, or the error answer."""
    body = batch_body()
    if isinstance(body, Response):
        return body
    identifiers = body.get("identifiers") if isinstance(body, dict) else None
    if not isinstance(identifiers, list):
        return api_error(400, "bad_request", 'The body must be a JSON object with a list "identifiers".')
    if len(identifiers) > operations.MAX_BATCH:
        return api_error(400, "too_many_identifiers", f"A batch may have at most {operations.MAX_BATCH} "
                         f"identifiers; this one has {len(identifiers)}.", limit=operations.MAX_BATCH)
    note_identifiers([" ".join(item.split()).upper() for item in identifiers if isinstance(item, str)])
    return identifiers


def _change(operation):
    identifiers = _identifiers()
    if isinstance(identifiers, Response):
        return identifiers
    try:
        result = operation(_key(), identifiers)
        db.session.commit()
    except operations.InvalidIdentifiers as invalid:
        db.session.rollback()
        return api_error(400, "invalid_identifiers", str(invalid.message), errors=[
            {"index": index, "code": "invalid_identifier", "message": message} for index, message in invalid.errors])
    except operations.WatchlistFull as full:
        db.session.rollback()
        return api_error(400, "watchlist_full", str(full.message), limit=full.limit)
    return _no_store(jsonify(result))


@watch_api_bp.route(PREFIX, methods=["POST"])
@api_view(ApiScope.WATCH_WRITE)
def add():
    return _change(operations.add_identifiers)


@watch_api_bp.route(f"{PREFIX}/remove", methods=["POST"])
@api_view(ApiScope.WATCH_WRITE)
def remove():
    return _change(operations.remove_identifiers)


def encode_list_cursor(position: int) -> str:
    return encode_cursor(position, tag="w1")


def decode_list_cursor(cursor: str) -> int | None:
    return decode_cursor(cursor, tag="w1")


@watch_api_bp.route(PREFIX, methods=["GET"])
@api_view(ApiScope.WATCH_WRITE)
def listing():
    after = request.args.get("after")
    position = 0 if after in (None, "") else decode_list_cursor(after)
    if position is None:
        return api_error(400, "bad_cursor", "The after cursor is not valid: pass a cursor this API returned.")
    limit, error = _limit()
    if error is not None:
        return error
    rows, more = operations.watchlist_page(g.api_key.id, position, limit)
    return _no_store(jsonify(
        identifiers=[{"identifier": public_identifier(row.kind, row.identifier), "kind": row.kind.value,
                      "added_at": row.added_at.isoformat().replace("+00:00", "Z")} for row in rows],
        count=operations.watched_count(g.api_key.id),
        next_cursor=encode_list_cursor(rows[-1].id if rows else position),
        has_more=more,
    ))


@watch_api_bp.route(f"{PREFIX}/changes")
@api_view(ApiScope.WATCH_WRITE)
def changes():
    since = request.args.get("since")
    position = 0 if since in (None, "") else decode_cursor(since)
    if position is None:
        return api_error(400, "bad_cursor", "The since cursor is not valid: pass a cursor this API returned.")
    limit, error = _limit()
    if error is not None:
        return error
    events, following, more = operations.watched_changes(g.api_key.id, position, limit)
    return _no_store(jsonify(changes=[change_json(event) for event in events],
                             next_cursor=encode_cursor(following), has_more=more))
