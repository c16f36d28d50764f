"""The OpenAPI 3.1 document of API v1 (served at ``/api/v1/openapi.json``).

Written by hand, next to the code it describes; ``tests/api/test_openapi.py`` validates it with
openapi-spec-validator and checks the API's real answers against its schemas.
"""

from __future__ import annotations

from copy import deepcopy

from registry.accounts.apikeys import ApiScope
from registry.api import openapi_search
from registry.api.openapi_common import HEADERS, IF_NONE_MATCH, PROBLEM_SCHEMAS, RESPONSES, json_ok, responses
from registry.api.openapi_params import IDENTIFIER, cursor_parameter
from registry.api.openapi_payloads import payload_schema, payload_schemas
from registry.api.supervision_openapi import SUPERVISION_SCHEMAS, supervision_paths
from registry.api.watch_openapi import WATCH_SCHEMAS, WEBHOOK_SCHEMAS, watch_paths, webhooks
from registry.core.changes import ChangeKind
from registry.watch.subject_ids import PATTERN as SUBJECT_ID_PATTERN

MAX_BATCH = 1000


def _nullable(schema_type: str, **extra) -> dict:
    return {"type": [schema_type, "null"], **extra}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


DATE = {"type": "string", "format": "date"}
SUBJECT_ID = {"type": "string", "pattern": SUBJECT_ID_PATTERN,
              "description": "Opaque and stable: the same subject has the same id in every answer and notification, "
              "also where its number is masked, and an identifier watched before the registry knows it already has "
              "it."}
NULLABLE_DATE = _nullable("string", format="date")

SCHEMAS: dict = {
    "ErrorBody": {
        "type": "object",
        "description": "One identifier's refusal inside a batch answer (the batch itself succeeded).",
        "required": ["code", "message"],
        "properties": {
            "code": {"enum": ["invalid_identifier"]},
            "message": {"type": "string", "description": "What is wrong, in the request's language."},
        },
    },
    "Markers": {
        "type": "object",
        "description": "公示中 (in publicity), 异议处理中 (objection pending), 修复中 (under repair).",
        "required": ["in_publicity", "objection_pending", "under_repair"],
        "properties": {
            "in_publicity": {"type": "boolean"},
            "objection_pending": {"type": "boolean"},
            "under_repair": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "SubjectRef": {
        "type": "object",
        "required": ["name", "kind", "identifier"],
        "properties": {
            "name": {"type": "string"},
            "kind": {"enum": ["organisation", "person", "vehicle"]},
            "identifier": {"type": "string", "description": "Resident ID numbers masked: 430102********1234."},
        },
    },
    "FeedSubject": {
        "type": "object",
        "description": "The subject a change or notification is about: one shape for every record type.",
        "required": ["id", "name", "kind", "identifier"],
        "properties": {
            "id": SUBJECT_ID,
            "name": {"type": "string"},
            "kind": {"enum": ["organisation", "person", "vehicle"]},
            "identifier": {"type": "string", "description": "Resident ID numbers masked: 430102********1234."},
        },
    },
    "Subject": {
        "type": "object",
        "required": ["id", "name", "kind", "identifier", "city", "owner"],
        "properties": {
            "id": SUBJECT_ID,
            "name": {"type": "string"},
            "kind": {"enum": ["organisation", "person", "vehicle"]},
            "identifier": {"type": "string", "description": "Resident ID numbers masked."},
            "city": _nullable("string"),
            "owner": {
                "description": "A vehicle's owning organisation, where known.",
                "oneOf": [
                    {"type": "null"},
                    {"type": "object", "required": ["name", "identifier"],
                     "properties": {"name": {"type": "string"}, "identifier": {"type": "string"}}},
                ],
            },
        },
    },
    "ListEntry": {
        "type": "object",
        "description": "A red or black list entry in publicity or published (never drafts, pending, withdrawn, "
        "expired or removed entries).",
        "required": ["id", "list", "category", "status", "subject", "reason", "legal_basis", "decision_number",
                     "deciding_unit", "decision_date", "unit", "measures", "publicity_start", "publicity_end",
                     "valid_from", "valid_until", "markers"],
        "properties": {
            "id": {"type": "integer"},
            "list": {"enum": ["red", "black"]},
            "category": {"type": "string"},
            "status": {"enum": ["in_publicity", "published"]},
            "subject": _ref("SubjectRef"),
            "reason": {"type": "string"},
            "legal_basis": {"type": "string"},
            "decision_number": {"type": "string"},
            "deciding_unit": {"type": "string", "description": "The authority that decided: 湖南省交通运输厅 for an "
                              "entry a division of the department handled, a city bureau in its own name."},
            "decision_date": DATE,
            "unit": {"type": "string", "description": "The unit that handled the decision (承办单位): a division "
                     "named under the department (湖南省交通运输厅基建处), a city bureau by its name."},
            "measures": {
                "type": "array",
                "items": {"type": "object", "required": ["code", "description"],
                          "properties": {"code": {"type": "string"}, "description": {"type": "string"}}},
            },
            "publicity_start": NULLABLE_DATE,
            "publicity_end": NULLABLE_DATE,
            "valid_from": NULLABLE_DATE,
            "valid_until": NULLABLE_DATE,
            "removal_reason": _nullable("string"),
            "removal_date": NULLABLE_DATE,
            "markers": _ref("Markers"),
        },
    },
    "Disclosure": {
        "type": "object",
        "description": "An administrative licensing or penalty decision (双公示) within its disclosure period. "
        "Penalties add violation_type, violation_facts, legal_basis, penalty_type, penalty_content, "
        "fine_amount (万元, decimal string), severity; licences add licence_type, licence_number, "
        "licence_content, licence_valid_from, licence_valid_to.",
        "required": ["id", "kind", "party_name", "party_category", "party_identifier", "decision_number",
                     "decision_date", "authority_name", "markers"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": ["licence", "penalty"]},
            "kind_label": {"type": "string", "description": "The national Chinese wording of kind (*_label: the "
                           "same for every code field)."},
            "party_name": {"type": "string"},
            "party_category": {"enum": ["organisation", "person", "individual_business"]},
            "party_identifier": {"type": "string", "description": "Resident ID numbers masked."},
            "legal_representative": _nullable("string"),
            "decision_number": {"type": "string"},
            "decision_date": DATE,
            "authority_name": {"type": "string"},
            "authority_uscc": {"type": "string"},
            "published_on": NULLABLE_DATE,
            "visible_until": NULLABLE_DATE,
            "fine_amount": _nullable("string"),
            "corrects_id": {**_nullable("integer"), "description": "The record this one corrects (a correction "
                            "replaces it: the feed reports the original as corrected)."},
            "source_unit_name": _nullable("string"),
            **{name: _nullable("string") for name in (
                "party_category_label", "violation_type", "violation_facts", "legal_basis", "penalty_type",
                "penalty_content", "severity", "licence_type", "licence_number", "licence_content")},
            **{name: {**_nullable("string"), "description": "The national Chinese wording of the code beside it."}
               for name in ("penalty_type_label", "severity_label", "licence_type_label")},
            "licence_valid_from": NULLABLE_DATE,
            "licence_valid_to": NULLABLE_DATE,
            "markers": _ref("Markers"),
        },
    },
    "Evaluation": {
        "type": "object",
        "description": "The latest published credit evaluation grade in one field.",
        "required": ["id", "field", "year", "grade"],
        "properties": {
            "id": {"type": "integer"},
            "field": {"enum": ["highway_construction", "waterway_construction", "road_transport", "work_safety"]},
            "field_name": {"type": "string"},
            "year": {"type": "integer"},
            "grade": {"type": "string"},
            "score": {"type": "string"},
            "evaluating_unit": {"type": "string"},
            "published_on": DATE,
            "document_number": _nullable("string"),
            "subject": _ref("SubjectRef"),
        },
    },
    "CreditResult": {
        "type": "object",
        "description": "Everything public about the subject an identifier names.  An unknown valid identifier "
        "(or a subject with nothing public) is a clean result: found false, subject null, empty lists.",
        "required": ["identifier", "identifier_kind", "subject_id", "as_of", "found", "subject", "red_list",
                     "black_list", "list_entries", "disclosures", "evaluations", "markers",
                     "identifier_under_correction"],
        "properties": {
            "identifier": {"type": "string", "description": "Normalised; resident ID numbers masked."},
            "identifier_kind": {"enum": ["organisation", "person", "vehicle"]},
            "subject_id": SUBJECT_ID,
            "as_of": {"type": "string", "format": "date-time"},
            "found": {"type": "boolean"},
            "subject": {"oneOf": [{"type": "null"}, _ref("Subject")]},
            "red_list": {"type": "boolean", "description": "On the red list now (in publicity or published)."},
            "black_list": {"type": "boolean", "description": "On the black list now (in publicity or published)."},
            "list_entries": {"type": "array", "items": _ref("ListEntry")},
            "disclosures": {"type": "array", "items": _ref("Disclosure")},
            "evaluations": {
                "type": "array", "items": _ref("Evaluation"),
                "description": "Latest published grade per field; may be empty (also where evaluations are not "
                "yet kept).",
            },
            "markers": _ref("Markers"),
            "identifier_under_correction": {
                "type": "boolean",
                "description": "The identifier asked fails its check digit (or canonical form) but a subject is "
                "stored under exactly that number, entered before the checks were right: it is answered as stored "
                "until the unit corrects it.  False for every valid identifier.",
            },
        },
    },
    "BatchRequest": {
        "type": "object",
        "required": ["identifiers"],
        "properties": {
            "identifiers": {
                "type": "array", "maxItems": MAX_BATCH, "items": {"type": "string"},
                "description": "USCCs, resident ID numbers or plate numbers, in any spacing or case. A string "
                "that is not a valid identifier gets its own error in the answer (invalid_identifier); an item "
                "that is not a string makes the request malformed: 400 not_a_string, error.errors naming each.",
            },
        },
    },
    "BatchItem": {
        "oneOf": [
            {"type": "object", "required": ["index", "result"], "additionalProperties": False,
             "properties": {"index": {"type": "integer"}, "result": _ref("CreditResult")}},
            {"type": "object", "required": ["index", "error"], "additionalProperties": False,
             "properties": {"index": {"type": "integer"}, "error": _ref("ErrorBody")}},
        ],
    },
    "BatchResponse": {
        "type": "object",
        "required": ["as_of", "count", "results"],
        "properties": {
            "as_of": {"type": "string", "format": "date-time"},
            "count": {"type": "integer"},
            "results": {"type": "array", "items": _ref("BatchItem"),
                        "description": "One item per identifier, in the order sent."},
        },
    },
    "Change": {
        "type": "object",
        "required": ["cursor", "occurred_at", "record_type", "record_id", "change", "reason", "payload", "subject"],
        "properties": {
            "cursor": {"type": "string", "description": "Resume after this change with since=<cursor>."},
            "occurred_at": {"type": "string", "format": "date-time"},
            "record_type": {"type": "string", "examples": ["list_entry", "disclosure", "credit_evaluation"]},
            "record_id": {"type": "integer"},
            "change": {"enum": [kind.value for kind in ChangeKind], "description": "What happened: "
                       "`publicity_started` a list entry entered publicity (public, not in force yet); "
                       "`published` it took effect after its publicity, or any other record became public; "
                       "`updated`, `corrected`, `withdrawn`, `expired`, `removed` (see the event catalogue)."},
            "reason": {**_nullable("string"), "description": "Why a record was removed: repaired, revoked, …"},
            "payload": payload_schema(),
            "subject": {"oneOf": [{"type": "null"}, _ref("FeedSubject")],
                        "description": "The subject the record is about, in one shape for every record type."},
            "reference": {"type": ["string", "null"], "description": "Watchlist answers and notifications only: "
                          "the reference the key gave the watched identifier."},
        },
    },
    "ChangesPage": {
        "type": "object",
        "required": ["changes", "next_cursor", "has_more"],
        "properties": {
            "changes": {"type": "array", "items": _ref("Change")},
            "next_cursor": {"type": "string", "description": "Pass as since= to get what follows."},
            "has_more": {"type": "boolean"},
        },
    },
}


THIS_DOCUMENT = {"get": {
    "operationId": "getOpenApi",
    "summary": "This document",
    "security": [],
    "responses": {"200": {"description": "The OpenAPI document.",
                          "content": {"application/json": {"schema": {"type": "object"}}}}},
}}


REPORT_OK = {
    "description": "The report (application/octet-stream when the request's Accept prefers it to application/pdf: "
    "the same bytes).",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                "application/pdf": {"schema": {"type": "string", "contentMediaType": "application/pdf"}}},
}


def _paths() -> dict:
    return {
        "/api/v1/credit/{identifier}": {"get": {
            "operationId": "getCredit",
            "summary": "Credit status of one subject",
            "description": "400 invalid_identifier names the problem (e.g. a wrong check character); an unknown "
            "valid identifier answers 200 with empty lists.",
            "security": [{"ApiKey": [ApiScope.CREDIT_READ.value]}],
            "parameters": [IDENTIFIER, IF_NONE_MATCH],
            "responses": responses(json_ok("The credit result.", "CreditResult", etag=True), "NotModified"),
        }},
        "/api/v1/credit/batch": {"post": {
            "operationId": "postCreditBatch",
            "summary": f"Credit status of up to {MAX_BATCH} subjects",
            "description": "One result per identifier, in order; an invalid identifier gets its own error and "
            "does not fail the batch.  More than 1,000 identifiers: 400 too_many_identifiers; an item that is not "
            "a string: 400 not_a_string.",
            "security": [{"ApiKey": [ApiScope.CREDIT_READ.value]}],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _ref("BatchRequest")}}},
            "responses": responses(
                {"description": "One item per identifier.",
                 "content": {"application/json": {"schema": _ref("BatchResponse")}}},
                "TooLarge",
            ),
        }},
        "/api/v1/credit/{identifier}/report.pdf": {"get": {
            "operationId": "getCreditReport",
            "summary": "Credit report (信用报告) as PDF, with a verification code",
            "security": [{"ApiKey": [ApiScope.REPORT_READ.value]}],
            "parameters": [IDENTIFIER],
            "responses": responses(REPORT_OK),
        }},
        "/api/v1/changes": {"get": {
            "operationId": "getChanges",
            "summary": "The change feed",
            "description": "Every publication, expiry, removal, repair and correction of a public record, in "
            "commit order.  Start without since; then pass the next_cursor of the last page.  Resuming from a "
            "cursor never skips or repeats a change.  A cursor that is not one of ours: 400 bad_cursor; "
            "one ahead of the feed's last change (another registry's, or from a database restored from an older "
            "backup): 400 cursor_ahead, with the feed's head in head.",
            "security": [{"ApiKey": [ApiScope.CHANGES_READ.value]}],
            "parameters": [
                cursor_parameter("since", "c1", "A cursor from an earlier answer; omit to start from the beginning."),
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                IF_NONE_MATCH,
            ],
            "responses": responses(json_ok("A page of changes.", "ChangesPage", etag=True), "NotModified"),
        }},
        "/api/v1/openapi.json": THIS_DOCUMENT,
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hunan Transport Credit Registry API",
            "version": "1.0.0",
            "summary": "湖南省交通运输信用红黑名单与联合奖惩管理系统: credit checks and change feed",
            "description": "For business systems (licensing, toll, bidding).  Send the key an administrator issued "
            "in the X-API-Key header.  Each key has scopes and its own rate limit.  Every error is RFC 9457 problem "
            "details (application/problem+json) with the registry's stable code as an extension member, its "
            "texts in the language of Accept-Language.  Person ID numbers are always masked.",
        },
        "servers": [{"url": "/"}],
        "security": [{"ApiKey": []}],
        "paths": {**_paths(), **openapi_search.paths(responses, json_ok), **watch_paths(responses),
                  **openapi_search.snapshot_paths(responses), **supervision_paths(responses, json_ok)},
        "webhooks": webhooks(),
        "components": {
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "schemas": deepcopy({**SCHEMAS, **PROBLEM_SCHEMAS, **openapi_search.SCHEMAS, **WATCH_SCHEMAS,
                                 **WEBHOOK_SCHEMAS, **SUPERVISION_SCHEMAS, **payload_schemas(SCHEMAS)}),
            "responses": deepcopy(RESPONSES),
            "headers": deepcopy(HEADERS),
        },
    }
