"""The OpenAPI document is valid, complete, and the API's answers match its schemas."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from registry.core.changes import ChangeKind, record_change
from registry.core.identifiers import SubjectKind
from registry.listing.models import EntryStatus
from registry.listing.public import public_payload
from tests.factories import valid_uscc


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def check(document: dict, schema_name: str, value) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    Draft202012Validator(schema).validate(value)


def response_schema(document, path, method, status):
    response = document["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    content = response["content"].get("application/json") or response["content"]["application/problem+json"]
    return content["schema"]["$ref"].rsplit("/", 1)[1]


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_api_route_is_documented(app, document):
    documented = {path.replace("{", "<").replace("}", ">") for path in document["paths"]}
    routes = {re.sub(r"<[^:>]+:([^>]+)>", r"<\1>", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/"}
    assert routes == documented


@pytest.fixture
def key(make):
    return make.api_key()[1]


def test_answers_match_the_schemas(client, make, key, document, db):
    headers = {"X-API-Key": key}
    person = make.subject(SubjectKind.PERSON, name="李四")
    make.entry(EntryStatus.PUBLISHED, subject=person, category="道路运输严重失信")
    org = make.subject()
    make.entry(EntryStatus.IN_PUBLICITY, subject=org)
    make.entry(EntryStatus.PUBLISHED, subject=org, category="道路运输守信")
    vehicle = make.subject(SubjectKind.VEHICLE, owner=org)
    ended = make.entry(EntryStatus.PUBLISHED, subject=vehicle, category="严重超限超载")
    record_change("list_entry", ended.id, ChangeKind.EXPIRED, payload=public_payload(ended))
    db.session.commit()
    path = "/api/v1/credit/{identifier}"
    for identifier in (person.identifier, org.identifier, vehicle.identifier, valid_uscc()):
        response = client.get(f"/api/v1/credit/{identifier}", headers=headers)
        assert response.status_code == 200
        check(document, response_schema(document, path, "get", 200), response.get_json())
    bad = client.get("/api/v1/credit/nonsense", headers=headers)
    check(document, response_schema(document, path, "get", 400), bad.get_json())
    for status, response in ((401, client.get(path.format(identifier=org.identifier))),
                             (405, client.delete(f"/api/v1/credit/{org.identifier}", headers=headers))):
        assert response.status_code == status
        check(document, response_schema(document, path, "get", status), response.get_json())
    batch = client.post("/api/v1/credit/batch", headers=headers,
                        json={"identifiers": [org.identifier, "bad", person.identifier]})
    check(document, response_schema(document, "/api/v1/credit/batch", "post", 200), batch.get_json())
    not_strings = client.post("/api/v1/credit/batch", headers=headers, json={"identifiers": [org.identifier, 3]})
    assert not_strings.status_code == 400
    check(document, response_schema(document, "/api/v1/credit/batch", "post", 400), not_strings.get_json())
    too_many = client.post("/api/v1/credit/batch", headers=headers, json={"identifiers": ["x"] * 1001})
    check(document, "Problem", too_many.get_json())
    changes = client.get("/api/v1/changes", headers=headers)
    check(document, response_schema(document, "/api/v1/changes", "get", 200), changes.get_json())
    check(document, "Problem", client.get("/api/v1/changes?since=zz", headers=headers).get_json())
    check(document, "Problem", client.get("/api/v1/nowhere", headers=headers).get_json())
