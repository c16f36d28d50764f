"""The bulk snapshot: every public record as one file, JSON Lines or CSV, with the
change-feed cursor it is consistent with, so that a new integrator loads the snapshot and then
follows ``GET /api/v1/changes?since=<that cursor>`` without missing or repeating anything.

The snapshot is the feed folded up to a position: for each record, its last change up to the
cursor, kept when that change left it public (``published``, ``updated``) and left out when it
ended it (``withdrawn``, ``expired``, ``removed``, ``corrected`` — a corrected record's
replacement has its own ``published``).  It is therefore exactly what a system that had followed
the feed from its start would hold at that cursor: consistent by construction, whatever commits
while it is read.  The cursor is in the ``X-Snapshot-Cursor`` header (and the ETag changes with it).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, Response, request, stream_with_context

from registry.accounts.apikeys import ApiScope
from registry.api.keys import api_view
from registry.core.caching import conditional
from registry.core.changes import ChangeEvent, encode_cursor, public_event_ids
from registry.core.spreadsheets import csv_stream
from registry.extensions import csrf, db
from registry.watch.operations import feed_head
from registry.watch.subject_ids import feed_items

PREFIX = "/api/v1/snapshot"
CHUNK = 1000
CSV_COLUMNS = ("record_type", "record_id", "cursor", "occurred_at", "subject_id", "subject_kind",
               "subject_identifier", "subject_name", "payload")

snapshot_bp = Blueprint("snapshot", __name__)
csrf.exempt(snapshot_bp)


def public_items(head: int):
    """The feed items of the records public at position ``head``, in feed order, in chunks."""
    ids = public_event_ids(head)
    for start in range(0, len(ids), CHUNK):
        events = db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.id.in_(ids[start:start + CHUNK]))
                                    .order_by(ChangeEvent.id)).all()
        yield from feed_items(events)


def _record(item: dict) -> dict:
    return {"record_type": item["record_type"], "record_id": item["record_id"], "cursor": item["cursor"],
            "occurred_at": item["occurred_at"], "subject": item["subject"], "payload": item["payload"]}


def _answer(body, mimetype: str, head: int, filename: str) -> Response:
    # The same bytes as application/octet-stream for a client that prefers that (generated clients
    # read "a file" so), as the credit report does.
    wanted = request.accept_mimetypes.best_match([mimetype, "application/octet-stream"])
    as_file = wanted == "application/octet-stream"
    response = Response(stream_with_context(body), mimetype="application/octet-stream" if as_file else mimetype)
    response.headers["X-Snapshot-Cursor"] = encode_cursor(head)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return conditional(response, etag_source=f"snapshot:{head}".encode(), private=True)


@snapshot_bp.route(f"{PREFIX}.jsonl")
@api_view(ApiScope.CHANGES_READ)
def snapshot_jsonl():
    head = feed_head()

    def lines():
        for item in public_items(head):
            yield (json.dumps(_record(item), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")

    return _answer(lines(), "application/jsonl", head, "registry-snapshot.jsonl")


@snapshot_bp.route(f"{PREFIX}.csv")
@api_view(ApiScope.CHANGES_READ)
def snapshot_csv():
    head = feed_head()

    def rows():
        for item in public_items(head):
            subject = item["subject"] or {}
            yield (item["record_type"], item["record_id"], item["cursor"], item["occurred_at"], subject.get("id"),
                   subject.get("kind"), subject.get("identifier"), subject.get("name"),
                   json.dumps(item["payload"], ensure_ascii=False, sort_keys=True))

    return _answer(csv_stream(CSV_COLUMNS, rows()), "text/csv", head, "registry-snapshot.csv")
