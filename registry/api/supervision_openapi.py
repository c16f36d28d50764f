"""The supervision class's part of the OpenAPI document (merged in by ``openapi.openapi_document``)."""

from __future__ import annotations

from registry.accounts.apikeys import ApiScope
from registry.api.openapi_common import IF_NONE_MATCH
from registry.api.openapi_params import IDENTIFIER

SUPERVISION_SCHEMAS: dict = {
    "SupervisionClass": {
        "type": "object",
        "required": ["identifier", "found", "class", "class_name", "key_supervision", "since", "reasons", "as_of"],
        "properties": {
            "identifier": {"type": "string", "description": "Normalised; resident ID numbers masked."},
            "found": {"type": "boolean", "description": "False: no subject has this identifier (default class)."},
            "class": {"type": "string", "description": "The supervision class code (A, B, C, D by default)."},
            "class_name": {"type": "string"},
            "key_supervision": {"type": "boolean",
                                "description": "重点监管: under joint-punishment measure HB-04."},
            "since": {"type": ["string", "null"], "format": "date"},
            "reasons": {"type": "array", "items": {
                "type": "object", "required": ["rule", "class", "record_type"],
                "properties": {"rule": {"type": "string"}, "class": {"type": "string"},
                               "record_type": {"type": "string"}}}},
            "as_of": {"type": "string", "format": "date-time"},
        },
    },
}


def supervision_paths(responses, json_ok) -> dict:
    return {
        "/api/v1/supervision/{identifier}": {"get": {
            "operationId": "getSupervisionClass",
            "summary": "Supervision class of one subject (信用分级分类监管), for supervisors' systems",
            "description": "The class from the registry's supervision rules and the rules that produced it.  Only "
            "keys with the scope supervision:read; the public credit check never shows it.",
            "security": [{"ApiKey": [ApiScope.SUPERVISION_READ.value]}],
            "parameters": [IDENTIFIER, IF_NONE_MATCH],
            "responses": responses(json_ok("The supervision class.", "SupervisionClass", etag=True), "NotModified"),
        }},
    }
