"""Identity that survives masking: an opaque stable subject id in every answer and
notification, and the client's own reference of a watched identifier echoed in each."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry.core.changes import ChangeKind, record_change
from registry.core.identifiers import SubjectKind, mask_resident_id
from registry.watch import delivery
from registry.watch.models import Delivery, WatchedIdentifier
from tests.factories import valid_resident_id, valid_uscc
from tests.watch.conftest import publish

WATCHLIST = "/api/v1/watchlist"


pytestmark = pytest.mark.usefixtures("local_receivers_allowed")


def twins() -> tuple[str, str]:
    """Two valid resident ID numbers that read the same once masked (birth dates differ)."""
    seen = {}
    for day in range(1, 29):
        number = valid_resident_id(serial=123, birth=f"198506{day:02d}")
        masked = mask_resident_id(number)
        if masked in seen:
            return seen[masked], number
        seen[masked] = number
    raise AssertionError("no twins found")


def test_two_persons_masked_alike_are_told_apart_everywhere(client, db, make, receiver):
    first, second = (make.subject(SubjectKind.PERSON, identifier=number, name="张三") for number in twins())
    _key, raw, _secret = make.watcher(url=receiver.url)
    headers = {"X-API-Key": raw}
    added = client.post(WATCHLIST, headers=headers, json={"identifiers": [
        {"identifier": first.identifier, "reference": "供应商-0001"},
        {"identifier": second.identifier, "reference": "供应商-0002"}]})
    assert added.status_code == 200, added.get_json()
    assert delivery.run()["delivered"] == 2  # each newly watched subject's state first
    states = {r["body"]["data"]["reference"]: r["body"]["data"] for r in receiver.requests}
    assert {r["body"]["type"] for r in receiver.requests} == {"watchlist.state"}
    assert states["供应商-0001"]["subject"]["id"] != states["供应商-0002"]["subject"]["id"]
    receiver.requests.clear()
    publish(make, first)
    publish(make, second)
    db.session.commit()
    assert delivery.run()["delivered"] == 2
    notified = {r["body"]["data"]["reference"]: r["body"]["data"] for r in receiver.requests}
    assert set(notified) == {"供应商-0001", "供应商-0002"}
    one, two = notified["供应商-0001"], notified["供应商-0002"]
    assert one["subject"]["identifier"] == two["subject"]["identifier"]  # masked alike
    assert one["subject"]["id"] != two["subject"]["id"]
    assert re.fullmatch(r"sub_[a-z2-7]{26}", one["subject"]["id"])
    assert one["changes"][0]["subject"] == one["subject"] and one["changes"][0]["reference"] == "供应商-0001"

    listed = {item["reference"]: item["subject_id"] for item in client.get(WATCHLIST, headers=headers).get_json()[
        "identifiers"]}
    assert listed == {"供应商-0001": one["subject"]["id"], "供应商-0002": two["subject"]["id"]}
    pulled = client.get(f"{WATCHLIST}/changes", headers=headers).get_json()["changes"]
    assert {(c["reference"], c["subject"]["id"]) for c in pulled} == {
        ("供应商-0001", one["subject"]["id"]), ("供应商-0002", two["subject"]["id"])}


def test_the_credit_check_and_the_feed_carry_the_same_id(client, db, make):
    subject = make.subject()
    publish(make, subject)
    db.session.commit()
    raw = make.api_key(scopes=("credit:read", "changes:read"))[1]
    result = client.get(f"/api/v1/credit/{subject.identifier}", headers={"X-API-Key": raw}).get_json()
    assert result["subject_id"] == result["subject"]["id"]
    feed = client.get("/api/v1/changes?limit=1000", headers={"X-API-Key": raw}).get_json()["changes"]
    assert feed[-1]["subject"]["id"] == result["subject_id"]
    never_heard_of = valid_uscc(serial=9_999_999)
    unknown = client.get(f"/api/v1/credit/{never_heard_of}", headers={"X-API-Key": raw}).get_json()
    assert unknown["found"] is False and re.fullmatch(r"sub_[a-z2-7]{26}", unknown["subject_id"])
    watcher_raw = make.watcher(never_heard_of)[1]  # watched before the registry knows it: the same id
    (listed,) = client.get(WATCHLIST, headers={"X-API-Key": watcher_raw}).get_json()["identifiers"]
    assert listed["subject_id"] == unknown["subject_id"]


def test_watching_again_with_a_reference_replaces_it(client, db, make):
    subject = make.subject()
    _key, raw, _secret = make.watcher()
    headers = {"X-API-Key": raw}
    client.post(WATCHLIST, headers=headers, json={"identifiers": [{"identifier": subject.identifier,
                                                                    "reference": "A"}]})
    client.post(WATCHLIST, headers=headers, json={"identifiers": [subject.identifier]})  # none given: kept
    assert db.session.scalar(sa.select(WatchedIdentifier.reference)) == "A"
    answer = client.post(WATCHLIST, headers=headers, json={"identifiers": [{"identifier": subject.identifier,
                                                                             "reference": "B"}]}).get_json()
    assert answer["already_watched"] == 1
    assert db.session.scalar(sa.select(WatchedIdentifier.reference)) == "B"


@pytest.mark.parametrize("item", [{"identifier": "X", "reference": ""}, {"reference": "A"}, {"identifier": 7},
                                  {"identifier": "X", "reference": "长" * 101}, {"identifier": "X", "other": 1},
                                  {"identifier": "X", "reference": 5}])
def test_a_bad_item_refuses_the_batch(client, db, make, item):
    subject = make.subject()
    _key, raw, _secret = make.watcher()
    if item.get("identifier") == "X":
        item = {**item, "identifier": subject.identifier}
    answer = client.post(WATCHLIST, headers={"X-API-Key": raw}, json={"identifiers": [subject.identifier, item]})
    assert answer.status_code == 400 and answer.get_json()["code"] == "invalid_identifiers"
    assert [error["index"] for error in answer.get_json()["errors"]] == [1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WatchedIdentifier)) == 0


def test_the_notifications_match_the_documents_webhooks(client, db, make, receiver):
    from jsonschema import Draft202012Validator
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    subject = make.subject()
    _key, raw, _secret = make.watcher(subject.identifier, url=receiver.url)
    publish(make, subject)
    db.session.commit()
    client.post("/api/v1/watchlist/test", headers={"X-API-Key": raw})
    assert delivery.run()["delivered"] == 2
    for request in receiver.requests:
        hook = "watchlistTest" if request["body"]["type"] == "watchlist.test" else "watchlistChange"
        schema = document["webhooks"][hook]["post"]["requestBody"]["content"]["application/json"]["schema"]
        Draft202012Validator({**schema, "components": document["components"]}).validate(request["body"])
        for parameter in document["webhooks"][hook]["post"]["parameters"]:
            assert parameter["name"] in request["headers"] or parameter["name"].title() in request["headers"]
    assert {r["body"]["type"] for r in receiver.requests} == {"watchlist.test", "watchlist.change"}


def test_a_newly_watched_subject_gets_its_public_records_first(client, db, make, receiver):
    from jsonschema import Draft202012Validator

    listed, ended, unknown_later = make.subject(), make.subject(), make.subject()
    kept = publish(make, listed)
    gone = publish(make, ended)
    record_change("list_entry", gone.id, ChangeKind.WITHDRAWN, payload={"id": gone.id}, subject_id=ended.id)
    _key, raw, _secret = make.watcher(url=receiver.url)
    db.session.commit()
    never = valid_uscc(serial=8_888_888)
    client.post(WATCHLIST, headers={"X-API-Key": raw}, json={"identifiers": [
        {"identifier": listed.identifier, "reference": "R1"}, ended.identifier, never]})
    assert delivery.run()["delivered"] == 2  # nothing for an identifier the registry does not know
    states = {r["body"]["data"]["subject"]["identifier"]: r["body"] for r in receiver.requests}
    assert set(states) == {listed.identifier, ended.identifier}
    assert [(c["record_id"], c["change"]) for c in states[listed.identifier]["data"]["records"]] == [
        (kept.id, "publicity_started")]
    assert states[listed.identifier]["data"]["reference"] == "R1"
    assert states[ended.identifier]["data"]["records"] == []  # its one entry was withdrawn
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["webhooks"]["watchlistState"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    for body in states.values():
        Draft202012Validator({**schema, "components": document["components"]}).validate(body)
    assert unknown_later.identifier not in states


def test_no_first_state_without_an_endpoint(client, db, make):
    subject = make.subject()
    publish(make, subject)
    _key, raw, _secret = make.watcher()
    client.post(WATCHLIST, headers={"X-API-Key": raw}, json={"identifiers": [subject.identifier]})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0
