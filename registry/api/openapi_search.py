"""The OpenAPI pieces of ``GET /api/v1/subjects`` (the name search), merged by ``api.openapi``."""

from __future__ import annotations

from registry.accounts.apikeys import ApiScope
from registry.api.openapi_common import IF_NONE_MATCH
from registry.subjects.search import MAX_QUERY_LENGTH

# Whatever Python's str.split() takes for a space (what the search collapses), spelled out: a
# validator's \s means less (ASCII) or more than that, and a query of spaces alone is refused.
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
QUERY_PATTERN = rf"^[^\x00]*[^\x00{_SPACE}][^\x00]*$"

SCHEMAS: dict = {
    "SubjectSearchPage": {
        "type": "object",
        "required": ["query", "page", "has_next", "count", "count_is_lower_bound", "results"],
        "properties": {
            "query": {"type": "string", "description": "The query as searched (whitespace collapsed)."},
            "page": {"type": "integer", "minimum": 1, "maximum": 50},
            "has_next": {"type": "boolean"},
            "count": {"type": "integer", "minimum": 0, "maximum": 200,
                      "description": "How many subjects match, counted up to 200."},
            "count_is_lower_bound": {"type": "boolean", "description": "More than count subjects match."},
            "results": {"type": "array", "maxItems": 20, "items": {
                "type": "object",
                "required": ["name", "kind", "identifier", "city", "url"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"enum": ["organisation", "person", "vehicle"]},
                    "identifier": {"type": "string", "description": "Resident ID numbers masked."},
                    "city": {"type": ["string", "null"]},
                    "url": {"type": "string", "description": "The subject's public page."},
                },
                "additionalProperties": False,
            }},
        },
    },
}


def paths(responses, json_ok) -> dict:
    return {
        "/api/v1/subjects": {"get": {
            "operationId": "searchSubjects",
            "summary": "Subjects whose name contains a text (the public name search)",
            "description": "Any part of a name, from one character: exact names first, then names that start "
            "with the text, then the others in registration order; 20 a page, at most 50 pages.  Only subjects "
            "the public lookup shows (a person only with public records).  An empty or over-long q, or a page "
            "outside 1..50: 400 bad_query or bad_page.",
            "security": [{"ApiKey": [ApiScope.CREDIT_READ.value]}],
            "parameters": [
                {"name": "q", "in": "query", "required": True,
                 "description": "At most 100 characters, at least one of them not a space; no NUL character.",
                 "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_LENGTH, "pattern": QUERY_PATTERN}},
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 1}},
                IF_NONE_MATCH,
            ],
            "responses": responses(json_ok("A page of matching subjects.", "SubjectSearchPage", etag=True),
                                   "NotModified"),
        }},
    }


def _snapshot(operation_id: str, media_type: str, what: str, responses) -> dict:
    return {"get": {
        "operationId": operation_id,
        "summary": f"Every public record as {what}, with the feed cursor it is consistent with",
        "description": "The change feed folded up to its head: each record whose last change left it public, with "
        "that change's cursor, subject (id, kind, masked identifier, name) and payload.  Load it, then follow "
        "GET /api/v1/changes?since=<X-Snapshot-Cursor>: nothing is missed or repeated.  application/octet-stream "
        "(the same bytes) when Accept prefers it.",
        "security": [{"ApiKey": [ApiScope.CHANGES_READ.value]}],
        "parameters": [IF_NONE_MATCH],
        "responses": responses({
            "description": "The snapshot.",
            "headers": {"X-Snapshot-Cursor": {"schema": {"type": "string"}, "required": True,
                                              "description": "The feed position the snapshot is consistent with."},
                        "ETag": {"$ref": "#/components/headers/ETag"}},
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                        media_type: {"schema": {"type": "string", "contentMediaType": media_type}}},
        }, "NotModified"),
    }}


def snapshot_paths(responses) -> dict:
    return {"/api/v1/snapshot.jsonl": _snapshot("getSnapshotJsonLines", "application/jsonl", "JSON Lines", responses),
            "/api/v1/snapshot.csv": _snapshot("getSnapshotCsv", "text/csv", "CSV", responses)}
