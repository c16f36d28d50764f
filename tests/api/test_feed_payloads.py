"""The feed's payloads are the API's records: each carries the markers the public pages show
(公示中, 异议处理中, 修复中) and matches the OpenAPI schema of its record type."""

from __future__ import annotations

import jsonschema
import pytest
import sqlalchemy as sa

from registry.cases.operations import public_payload as case_payload
from registry.core.changes import ChangeEvent, ChangeKind, record_change
from registry.disclosures import operations as disclosures
from registry.evaluations.operations import public_payload as evaluation_payload
from registry.listing import operations as entries
from registry.listing.models import EntryStatus


@pytest.fixture
def key(make):
    return make.api_key(scopes=["changes:read"])[1]


def items(client, key) -> list[dict]:
    found, page = [], {"has_more": True, "next_cursor": None}
    while page["has_more"]:
        args = {"limit": 1000, **({"since": page["next_cursor"]} if page["next_cursor"] else {})}
        page = client.get("/api/v1/changes", query_string=args, headers={"X-API-Key": key}).get_json()
        found += page["changes"]
    return found


def test_a_published_disclosure_and_an_entry_in_publicity_carry_their_markers(client, db, make, key):
    disclosure = make.disclosure("pending_review")
    disclosures.approve_disclosure(disclosure, actor=make.user("reviewer"), expected_version=disclosure.version)
    entry = make.entry(EntryStatus.PENDING_REVIEW)
    entries.approve_entry(entry, make.user("reviewer"), entry.version)
    db.session.commit()
    by_record = {(i["record_type"], i["record_id"]): i for i in items(client, key)}
    published = by_record[("disclosure", disclosure.id)]
    assert published["change"] == "published"
    assert published["payload"]["markers"] == {"in_publicity": False, "objection_pending": False,
                                               "under_repair": False}
    started = by_record[("list_entry", entry.id)]
    assert started["change"] == "publicity_started"
    assert started["payload"]["markers"] == {"in_publicity": True, "objection_pending": False,
                                             "under_repair": False}
    stored = db.session.scalars(sa.select(ChangeEvent.payload).where(ChangeEvent.record_type == "disclosure")).all()
    assert all('"markers"' in payload for payload in stored)  # stored with them, as the exchange reads them


def _validator(client, name: str) -> jsonschema.Draft202012Validator:
    document = client.get("/api/v1/openapi.json").get_json()
    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                            "components": document["components"]})


def test_each_record_types_payload_matches_its_schema_in_the_document(client, db, make, key):
    disclosure = make.disclosure("pending_review")
    disclosures.approve_disclosure(disclosure, actor=make.user("reviewer"), expected_version=disclosure.version)
    entry = make.entry(EntryStatus.PENDING_REVIEW)
    entries.approve_entry(entry, make.user("reviewer"), entry.version)
    entries.publish_due_entries(entry.publicity_end.replace(year=entry.publicity_end.year + 1))
    evaluation = make.evaluation(status="published", grade="AA", score="96.50", year=2025)
    record_change("credit_evaluation", evaluation.id, ChangeKind.PUBLISHED, payload=evaluation_payload(evaluation),
                  subject_id=evaluation.subject_id)
    case = make.case("published")
    record_change("case", case.id, ChangeKind.PUBLISHED, payload=case_payload(case), subject_id=case.entry.subject_id)
    db.session.commit()
    found = items(client, key)
    kinds = {(i["record_type"], i["change"]) for i in found}
    assert {("disclosure", "published"), ("list_entry", "publicity_started"), ("list_entry", "published"),
            ("credit_evaluation", "published"), ("case", "published")} <= kinds
    change = _validator(client, "Change")
    for item in found:
        change.validate(item)
    schemas = {"list_entry": "ListEntryPayload", "disclosure": "DisclosurePayload",
               "credit_evaluation": "EvaluationPayload", "case": "CasePayload"}
    for item in found:  # and each against its own record type's schema, not only some branch of oneOf
        _validator(client, schemas[item["record_type"]]).validate(item["payload"])


def test_a_payload_without_its_markers_does_not_match(client, db, make, key):
    disclosure = make.disclosure("pending_review")
    disclosures.approve_disclosure(disclosure, actor=make.user("reviewer"), expected_version=disclosure.version)
    db.session.commit()
    (item,) = [i for i in items(client, key) if i["record_type"] == "disclosure"]
    del item["payload"]["markers"]
    with pytest.raises(jsonschema.ValidationError):
        _validator(client, "Change").validate(item)
