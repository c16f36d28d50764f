"""The watchlist API (scope ``watch:write``): add, remove and list watched identifiers, and pull
the changes about them.  Notifications themselves are sent by the scheduler (``watch.delivery``).

A batch with an invalid identifier is refused whole (400 ``invalid_identifiers``, one item per
invalid identifier with its index), and nothing is stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, g, jsonify, request
from flask_babel import gettext as _

from registry.accounts.apikeys import ApiKey, ApiScope
from registry.api.bodies import batch_body
from registry.api.cursors import feed_position
from registry.api.keys import api_error, api_view, note_identifiers
from registry.core.changes import MAX_POSITION, ChangeEvent, decode_cursor, encode_cursor
from registry.core.errors import ValidationFailed
from registry.core.identifiers import public_identifier
from registry.extensions import csrf, db
from registry.subjects.models import Subject
from registry.watch import operations, recovery
from registry.watch.models import Delivery
from registry.watch.subject_ids import feed_items, subject_id, subject_ref

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
        return None, api_error(400, "bad_limit", _("limit must be a whole number from 1 to %(n)d.", n=MAX_PAGE))
    return limit, None


def _identifiers():
    """The batch's list of identifiers, or the error answer."""
    body = batch_body()
    if isinstance(body, Response):
        return body
    identifiers = body.get("identifiers") if isinstance(body, dict) else None
    if not isinstance(identifiers, list):
        return api_error(400, "bad_request", _('The body must be a JSON object with a list "identifiers".'))
    if len(identifiers) > operations.MAX_BATCH:
        return api_error(400, "too_many_identifiers", _(
            "A batch may have at most %(limit)d identifiers; this one has %(n)d.",
            limit=operations.MAX_BATCH, n=len(identifiers)), limit=operations.MAX_BATCH)
    texts = [item.get("identifier") if isinstance(item, dict) else item for item in identifiers]
    note_identifiers([" ".join(text.split()).upper() for text in texts if isinstance(text, str)])
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
        return api_error(400, "bad_cursor", _("The after cursor is not valid: pass a cursor this API returned."))
    limit, error = _limit()
    if error is not None:
        return error
    rows, more = operations.watchlist_page(g.api_key.id, position, limit)
    return _no_store(jsonify(
        identifiers=[{"identifier": public_identifier(row.kind, row.identifier), "kind": row.kind.value,
                      "subject_id": subject_id(row.identifier), "reference": row.reference,
                      "added_at": row.added_at.isoformat().replace("+00:00", "Z")} for row in rows],
        count=operations.watched_count(g.api_key.id),
        next_cursor=encode_list_cursor(rows[-1].id if rows else position),
        has_more=more,
    ))


@watch_api_bp.route(f"{PREFIX}/changes")
@api_view(ApiScope.WATCH_WRITE)
def changes():
    position = feed_position(request.args.get("since"))
    if isinstance(position, Response):
        return position
    limit, error = _limit()
    if error is not None:
        return error
    events, following, more = operations.watched_changes(g.api_key.id, position, limit)
    identifiers = db.session.scalars(sa.select(Subject.identifier).where(
        Subject.id.in_({event.subject_id for event in events}))).all() if events else []
    references = operations.references_of(g.api_key.id, identifiers)
    return _no_store(jsonify(changes=feed_items(events, references),
                             next_cursor=encode_cursor(following), has_more=more))


# ---------------------------------------------------------------------------------------------
# Given-up notifications and test events (watch.recovery, issue 33 §1 and §6)


def _stamp(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _given_up_json(delivery: Delivery, event: ChangeEvent | None, subject: Subject | None) -> dict:
    return {
        "webhook_id": delivery.message_id, "id": delivery.id, "attempts": delivery.attempts,
        "last_error": delivery.last_error, "created_at": _stamp(delivery.created_at),
        "subject": None if subject is None else subject_ref(subject),
        "change": None if event is None else feed_items([event])[0],
    }


@watch_api_bp.route(f"{PREFIX}/given-up")
@api_view(ApiScope.WATCH_WRITE)
def given_up():
    after = request.args.get("after")
    position = 0 if after in (None, "") else decode_cursor(after, tag="g1")
    if position is None:
        return api_error(400, "bad_cursor", _("The after cursor is not valid: pass a cursor this API returned."))
    limit, error = _limit()
    if error is not None:
        return error
    rows, more = recovery.given_up_page(g.api_key.id, position, limit)
    events = {e.id: e for e in db.session.scalars(
        sa.select(ChangeEvent).where(ChangeEvent.id.in_([d.event_id for d in rows if d.event_id])))}
    subjects = {s.id: s for s in db.session.scalars(
        sa.select(Subject).where(Subject.id.in_([d.subject_id for d in rows if d.subject_id])))}
    return _no_store(jsonify(
        notifications=[_given_up_json(d, events.get(d.event_id), subjects.get(d.subject_id)) for d in rows],
        count=recovery.given_up_count(g.api_key.id),
        next_cursor=encode_cursor(rows[-1].id if rows else position, tag="g1"),
        has_more=more,
    ))


def _redeliver_ids():
    """The ``ids`` of the body (None: all), or the error answer."""
    if not request.content_length and "chunked" not in request.headers.get("Transfer-Encoding", ""):
        return None  # no body: all of them
    body = batch_body()
    if isinstance(body, Response):
        return body
    ids = body.get("ids") if isinstance(body, dict) else "not an object"
    if ids is None:
        return None
    if isinstance(ids, list):  # JSON Schema's integers include 7.0
        ids = [int(i) if type(i) is float and i.is_integer() else i for i in ids]
    if not isinstance(ids, list) or not all(type(i) is int and 1 <= i <= MAX_POSITION for i in ids):
        return api_error(400, "bad_request", _('The body must be a JSON object with a list "ids" of notification '
                                               'ids (or no body, for all of them).'))
    if len(ids) > recovery.MAX_REDELIVER:
        return api_error(400, "too_many_identifiers", _(
            "A batch may have at most %(limit)d identifiers; this one has %(n)d.",
            limit=recovery.MAX_REDELIVER, n=len(ids)), limit=recovery.MAX_REDELIVER)
    return ids


@watch_api_bp.route(f"{PREFIX}/given-up/redeliver", methods=["POST"])
@api_view(ApiScope.WATCH_WRITE)
def redeliver():
    ids = _redeliver_ids()
    if isinstance(ids, Response):
        return ids
    count = recovery.redeliver(_key(), ids)
    db.session.commit()
    return _no_store(jsonify(redelivered=count, given_up=recovery.given_up_count(g.api_key.id)))


@watch_api_bp.route(f"{PREFIX}/test", methods=["POST"])
@api_view(ApiScope.WATCH_WRITE)
def test_event():
    try:
        delivery = recovery.queue_key_test_event(_key())
        db.session.commit()
    except ValidationFailed as refused:
        db.session.rollback()
        return api_error(409, "no_endpoint", str(refused.message))
    return _no_store(jsonify(queued=True, webhook_id=delivery.message_id))
