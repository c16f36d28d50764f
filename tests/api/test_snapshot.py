"""The bulk snapshot: every public record, JSON Lines and CSV, consistent with the
feed cursor it names, so that snapshot + the feed from that cursor = the feed from the start."""

from __future__ import annotations

import csv
import io
import json

import pytest

from registry.core.changes import ChangeKind, record_change


@pytest.fixture
def headers(make):
    return {"X-API-Key": make.api_key(scopes=("changes:read",))[1]}


def change(record_id: int, kind: ChangeKind, status: str = "published", subject=None):
    return record_change("list_entry", record_id, kind, payload={"id": record_id, "status": status},
                         subject_id=subject.id if subject else None)


def jsonl(client, headers):
    response = client.get("/api/v1/snapshot.jsonl", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/jsonl"
    return response, [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def test_the_snapshot_holds_what_a_follower_of_the_feed_holds(client, db, make, headers):
    subject = make.subject()
    change(1, ChangeKind.PUBLISHED, "in_publicity", subject)
    change(2, ChangeKind.PUBLISHED, "in_publicity", subject)
    change(1, ChangeKind.UPDATED, "published", subject)
    change(3, ChangeKind.PUBLISHED)
    change(2, ChangeKind.WITHDRAWN, "withdrawn", subject)
    change(3, ChangeKind.REMOVED, "removed")
    db.session.commit()
    response, records = jsonl(client, headers)
    mine = [r for r in records if r["record_type"] == "list_entry" and r["record_id"] in (1, 2, 3)]
    assert [(r["record_id"], r["payload"]["status"]) for r in mine] == [(1, "published")]
    assert mine[0]["subject"]["identifier"] == subject.identifier and mine[0]["subject"]["id"].startswith("sub_")

    # after the snapshot, the feed from its cursor brings exactly what follows
    cursor = response.headers["X-Snapshot-Cursor"]
    change(4, ChangeKind.PUBLISHED)
    db.session.commit()
    following = client.get("/api/v1/changes", query_string={"since": cursor}, headers=headers).get_json()
    assert [(c["record_id"], c["change"]) for c in following["changes"]] == [(4, "published")]


def test_the_csv_has_the_same_records(client, db, make, headers):
    subject = make.subject()
    change(7, ChangeKind.PUBLISHED, "published", subject)
    db.session.commit()
    _response, records = jsonl(client, headers)
    answer = client.get("/api/v1/snapshot.csv", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row["record_type"], int(row["record_id"]), row["cursor"]) for row in rows] == [
        (r["record_type"], r["record_id"], r["cursor"]) for r in records]
    (row,) = [row for row in rows if row["record_id"] == "7"]
    assert row["subject_identifier"] == subject.identifier and json.loads(row["payload"])["status"] == "published"
    assert answer.headers["X-Snapshot-Cursor"] == _response.headers["X-Snapshot-Cursor"]


def test_an_unchanged_snapshot_is_a_304_and_a_new_change_changes_it(client, db, headers):
    change(9, ChangeKind.PUBLISHED)
    db.session.commit()
    first, _ = jsonl(client, headers)
    again = client.get("/api/v1/snapshot.jsonl", headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    change(9, ChangeKind.EXPIRED, "expired")
    db.session.commit()
    changed = client.get("/api/v1/snapshot.jsonl", headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["X-Snapshot-Cursor"] != first.headers["X-Snapshot-Cursor"]


def test_the_snapshot_needs_the_feeds_scope(client, make):
    raw = make.api_key(scopes=("credit:read",))[1]
    refused = client.get("/api/v1/snapshot.csv", headers={"X-API-Key": raw})
    assert refused.status_code == 403 and refused.get_json()["code"] == "insufficient_scope"
