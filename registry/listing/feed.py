"""What the public sees of a list entry: its payload for the change feed, the API and the exchange,
and the feed's record of each change (PRODUCT §11)."""

from __future__ import annotations

from datetime import date

from registry.accounts.issuers import handling_name
from registry.core.changes import ChangeKind, record_change
from registry.listing.models import ListEntry

RECORD_TYPE = "list_entry"


def public_payload(entry: ListEntry) -> dict:
    """The public fields of an entry (never a full person ID number), for the feed, API, exchange.

    ``deciding_unit`` is the authority that decided (the department for a division's entry);
    ``unit`` the body that handled it, a division named under the department."""
    subject = entry.subject
    return {
        "id": entry.id,
        "list": entry.list_kind.value,
        "category": entry.category.name,
        "status": entry.status.value,
        "subject": {
            "name": subject.name,
            "kind": subject.kind.value,
            "identifier": subject.public_identifier,
        },
        "reason": entry.reason,
        "legal_basis": entry.legal_basis,
        "decision_number": entry.decision_number,
        "deciding_unit": entry.deciding_unit,
        "decision_date": entry.decision_date.isoformat(),
        "unit": handling_name(entry.unit),
        "measures": [{"code": m.code, "description": m.description} for m in entry.measures],
        "publicity_start": _iso(entry.publicity_start),
        "publicity_end": _iso(entry.publicity_end),
        "valid_from": _iso(entry.valid_from),
        "valid_until": _iso(entry.valid_until),
        "removal_reason": entry.removal_reason.value if entry.removal_reason else None,
        "removal_date": _iso(entry.removal_date),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def feed(entry: ListEntry, change: ChangeKind, reason: str | None = None) -> None:
    record_change(
        RECORD_TYPE,
        entry.id,
        change,
        payload=public_payload(entry),
        subject_id=entry.subject_id,
        unit_id=entry.unit_id,
        reason=reason,
    )
