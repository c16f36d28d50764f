"""What the public sees of a list entry, in one place (PRODUCT §3, §11): the condition under which
the public sees it (``publicly_shown``), its public payload for the change feed, the API, the exchange
and the webhooks (``public_payload``), and its section of the public subject page
(``public_subject_entries``, registered beside the officer's in ``views``)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.accounts.issuers import handling_name
from registry.listing.models import PUBLIC_STATES, ListEntry

RECORD_TYPE = "list_entry"


def publicly_shown(today: date):
    """SQL: the public sees the entry today.  An entry past its validity leaves the public pages on
    that day, before the nightly check moves it to ``expired`` (the public lists, the API and the
    subject page all ask this)."""
    return sa.and_(
        ListEntry.status.in_(PUBLIC_STATES),
        sa.or_(ListEntry.valid_until.is_(None), ListEntry.valid_until >= today),
    )


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


def public_subject_entries(subject, records) -> dict:
    """On the public page: the entries of the subject's public records (in publicity (公示中) and
    published, within their validity), always shown: "on neither list" is news too."""
    return {"entries": records.entries, "public": True,
            "holds": {entry.id: records.marks(RECORD_TYPE, entry.id) for entry in records.entries}}
