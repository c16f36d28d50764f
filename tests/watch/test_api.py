"""The watchlist API: batches, limits, invalid identifiers, keyset listing, pulling watched changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from registry.core.audit import AuditEvent
from registry.core.changes import ChangeKind, record_change
from registry.core.identifiers import SubjectKind
from registry.core.settings import set_setting
from registry.listing.public import public_payload
from registry.watch.models import WatchedIdentifier
from tests.factories import valid_resident_id, valid_uscc

WATCHLIST = "/api/v1/watchlist"


@pytest.fixture
def watcher(make):
    key, raw, _secret = make.watcher()
    return key, {"X-API-Key": raw}


def add(client, headers, identifiers, status=200):
    response = client.post(WATCHLIST, headers=headers, json={"identifiers": identifiers})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def stored(key) -> list[str]:
    from registry.extensions import db

    return list(db.session.scalars(sa.select(WatchedIdentifier.identifier)
                                   .where(WatchedIdentifier.key_id == key.id).order_by(WatchedIdentifier.id)))


def test_identifiers_are_added_normalised_once(client, watcher):
    key, headers = watcher
    uscc = valid_uscc()
    spaced = f" {uscc[:6].lower()} {uscc[6:]} "
    answer = add(client, headers, [spaced, "湘a·12345", uscc])
    assert answer == {"added": 2, "already_watched": 0, "count": 2}
    assert stored(key) == [uscc, "湘A12345"]
    assert add(client, headers, [uscc, "湘A 12345"]) == {"added": 0, "already_watched": 2, "count": 2}


def test_an_invalid_identifier_refuses_the_batch_naming_each_one(client, watcher, db):
    key, headers = watcher
    good = valid_uscc()
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    answer = add(client, headers, [good, bad_check, 42, "nonsense"], status=400)
    error = answer
    assert error["code"] == "invalid_identifiers"
    assert [item["index"] for item in error["errors"]] == [1, 2, 3]
    assert all(item["code"] == "invalid_identifier" and item["message"] for item in error["errors"])
    assert stored(key) == []
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "watch.add")) == 0


def test_a_batch_has_at_most_1000_identifiers(client, watcher):
    _key, headers = watcher
    answer = add(client, headers, [valid_uscc(n) for n in range(1001)], status=400)
    assert answer["code"] == "too_many_identifiers" and answer["limit"] == 1000
    assert add(client, headers, [valid_uscc(n) for n in range(1000)])["added"] == 1000


def test_a_key_watches_at_most_the_setting(client, watcher, make):
    key, headers = watcher
    set_setting("watch_max_identifiers", 3, make.user("admin", unit="FGC"))
    add(client, headers, [valid_uscc(1), valid_uscc(2)])
    answer = add(client, headers, [valid_uscc(2), valid_uscc(3), valid_uscc(4)], status=400)
    assert answer["code"] == "watchlist_full" and answer["limit"] == 3
    assert stored(key) == [valid_uscc(1), valid_uscc(2)]
    assert add(client, headers, [valid_uscc(2), valid_uscc(3)])["count"] == 3  # the one already watched is free


@pytest.mark.parametrize("body", [b"not json", b'{"identifiers": "x"}', b"[]"])
def test_a_bad_body_is_a_400(client, watcher, body):
    _key, headers = watcher
    response = client.post(WATCHLIST, headers=headers, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] in ("bad_json", "bad_request")


def test_identifiers_are_removed(client, watcher, db):
    key, headers = watcher
    add(client, headers, [valid_uscc(1), valid_uscc(2)])
    response = client.post(f"{WATCHLIST}/remove", headers=headers, json={"identifiers": [valid_uscc(1), valid_uscc(9)]})
    assert response.status_code == 200
    assert response.get_json() == {"removed": 1, "not_watched": 1, "count": 1}
    assert stored(key) == [valid_uscc(2)]
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("watch.%"))))
    assert actions == ["watch.add", "watch.remove"]


def test_the_list_is_keyset_paginated_and_masks_person_numbers(client, watcher):
    _key, headers = watcher
    person = valid_resident_id(7)
    wanted = [valid_uscc(n) for n in range(1, 5)] + [person]
    add(client, headers, wanted)
    seen, cursor = [], ""
    while True:
        page = client.get(WATCHLIST, headers=headers, query_string={"after": cursor, "limit": 2}).get_json()
        assert page["count"] == 5 and len(page["identifiers"]) <= 2
        seen += [item["identifier"] for item in page["identifiers"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen[:4] == wanted[:4]
    assert seen[4] == person[:6] + "********" + person[-4:]


@pytest.mark.parametrize("query", [{"after": "zz"}, {"limit": "0"}, {"limit": "1001"}, {"limit": "x"}])
def test_bad_list_parameters_are_a_400(client, watcher, query):
    _key, headers = watcher
    assert client.get(WATCHLIST, headers=headers, query_string=query).status_code == 400


def test_the_scope_is_required_and_each_key_has_its_own_list(client, make, watcher):
    _key, headers = watcher
    _other, raw = make.api_key(scopes=["credit:read"])
    refused = client.post(WATCHLIST, headers={"X-API-Key": raw}, json={"identifiers": [valid_uscc()]})
    assert refused.status_code == 403 and refused.get_json()["scope"] == "watch:write"
    _second, second_raw, _ = make.watcher(valid_uscc(5))
    assert client.get(WATCHLIST, headers=headers).get_json()["count"] == 0
    assert client.get(WATCHLIST, headers={"X-API-Key": second_raw}).get_json()["count"] == 1
    assert client.get(WATCHLIST).status_code == 401


def _change(subject, record_id, kind=ChangeKind.PUBLISHED):
    return record_change("list_entry", record_id, kind, payload={"id": record_id}, subject_id=subject.id)


def test_pulling_returns_only_the_watched_subjects_changes(client, watcher, make, db):
    _key, headers = watcher
    watched, other = make.subject(), make.subject(SubjectKind.PERSON)
    add(client, headers, [watched.identifier])
    start = client.get(f"{WATCHLIST}/changes", headers=headers).get_json()
    assert start["changes"] == []
    for n in range(3):
        _change(watched, 100 + n)
        _change(other, 200 + n)
    db.session.commit()
    first = client.get(f"{WATCHLIST}/changes", headers=headers,
                       query_string={"since": start["next_cursor"], "limit": 2}).get_json()
    assert [c["record_id"] for c in first["changes"]] == [100, 101] and first["has_more"] is True
    rest = client.get(f"{WATCHLIST}/changes", headers=headers, query_string={"since": first["next_cursor"]}).get_json()
    assert [c["record_id"] for c in rest["changes"]] == [102] and rest["has_more"] is False
    _change(other, 300)
    db.session.commit()
    empty = client.get(f"{WATCHLIST}/changes", headers=headers, query_string={"since": rest["next_cursor"]}).get_json()
    assert empty["changes"] == [] and empty["next_cursor"] != rest["next_cursor"]  # moved past the unwatched one
    assert client.get(f"{WATCHLIST}/changes", headers=headers, query_string={"since": "zz"}).status_code == 400


def test_the_answers_match_the_openapi_document(client, watcher, make, db):
    _key, headers = watcher
    document = client.get("/api/v1/openapi.json").get_json()

    def check(path, method, status, value):
        response = document["paths"][path][method]["responses"][str(status)]
        if "$ref" in response:
            response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        (content,) = response["content"].values()
        schema = {**content["schema"], "components": document["components"]}
        Draft202012Validator(schema).validate(value)

    subject = make.subject()
    check("/api/v1/watchlist", "post", 200, add(client, headers, [subject.identifier]))
    check("/api/v1/watchlist", "post", 400, add(client, headers, ["bad"], status=400))
    check("/api/v1/watchlist", "get", 200, client.get(WATCHLIST, headers=headers).get_json())
    entry = make.entry("published", subject=subject)  # a real payload: the document says what one holds
    record_change("list_entry", entry.id, ChangeKind.UPDATED, payload=public_payload(entry), subject_id=subject.id)
    db.session.commit()
    check("/api/v1/watchlist/changes", "get", 200, client.get(f"{WATCHLIST}/changes", headers=headers).get_json())
    removed = client.post(f"{WATCHLIST}/remove", headers=headers, json={"identifiers": [subject.identifier]})
    check("/api/v1/watchlist/remove", "post", 200, removed.get_json())
