"""The change feed's payloads in the OpenAPI document, one schema per record type.

A payload is the public record after the change, as the API's answers show it, with its
``markers`` (``core.changes.record_change`` adds them) — but of every status the feed reports (an
entry withdrawn, expired or removed; a disclosure corrected), where the credit check shows only
what is public now.  The schemas are derived from the API's own, so the two cannot drift apart.
"""

from __future__ import annotations

from copy import deepcopy

from registry.cases.models import CaseStatus
from registry.listing.models import EntryStatus

_SUBJECT = {"$ref": "#/components/schemas/SubjectRef"}
_MARKERS = {"$ref": "#/components/schemas/Markers"}
_TEXT = {"type": "string"}

# (record_type, schema name) in the order a generated client tries them.
PAYLOAD_TYPES = (("list_entry", "ListEntryPayload"), ("disclosure", "DisclosurePayload"),
                 ("credit_evaluation", "EvaluationPayload"), ("case", "CasePayload"))


def _public(statuses) -> list[str]:
    """The statuses a record can have once the public has seen it (never a draft or one pending review)."""
    return [s.value for s in statuses if s.value not in ("draft", "pending_review")]


def _derived(schema: dict, description: str, **properties) -> dict:
    derived = deepcopy(schema)
    derived["description"] = description
    derived["properties"].update(properties)
    derived["required"] = sorted({*derived["required"], "markers"})
    return derived


def _case() -> dict:
    dates = {"case_date": {"type": "string", "format": "date"}}
    measures = {"type": "array", "items": {"type": "object", "required": ["code", "description"],
                "properties": {"code": _TEXT, "description": _TEXT}}}
    properties = {
        "id": {"type": "integer"}, "status": {"enum": _public(CaseStatus)},
        "list": {"enum": ["red", "black"]}, "category": _TEXT, "entry_id": {"type": "integer"},
        "decision_number": _TEXT, "subject": _SUBJECT, "measures": measures, "applying_party": _TEXT, **dates,
        "matter": _TEXT, "effect": _TEXT, "unit": _TEXT, "typical": {"type": "boolean"}, "markers": _MARKERS,
    }
    return {"type": "object", "description": "A joint reward or punishment case (联合奖惩案例, record_type case): "
            "the measures a unit applied to a listed subject and their effect.",
            "required": list(properties), "properties": properties}


def payload_schemas(api_schemas: dict) -> dict:
    """The payload schemas, from the API's ``ListEntry``, ``Disclosure`` and ``Evaluation``."""
    return {
        "ListEntryPayload": _derived(
            api_schemas["ListEntry"], "A red or black list entry (record_type list_entry) in any status the feed "
            "reports.", status={"enum": _public(EntryStatus)}),
        "DisclosurePayload": _derived(
            api_schemas["Disclosure"], "A licensing or penalty decision (双公示, record_type disclosure), also "
            "corrected, removed or expired ones."),
        "EvaluationPayload": _derived(
            api_schemas["Evaluation"], "A credit evaluation grade (record_type credit_evaluation).",
            directly_determined={"type": "boolean"}, direct_reason={"type": ["string", "null"]},
            markers=_MARKERS),
        "CasePayload": _case(),
    }


def payload_schema() -> dict:
    """``Change.payload``: the record type's schema (``record_type`` says which)."""
    return {"oneOf": [{"$ref": f"#/components/schemas/{name}"} for _type, name in PAYLOAD_TYPES],
            "description": "The public record after the change (as in the credit check, person ID numbers "
            "masked, with its markers then): " + ", ".join(f"{name} for {kind}" for kind, name in PAYLOAD_TYPES)
            + "."}
