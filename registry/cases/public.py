"""What the public sees of a case (PRODUCT §2, §11), in one place: the condition under which the public
sees it (``publicly_shown_case``), a person's name as the public may read it (``public_subject_name``),
its public payload for the change feed, the API, the exchange and the webhooks (``public_payload``),
and its section of the public subject page (``public_subject_cases``, registered beside the officer's
in ``views``)."""

from __future__ import annotations

from registry.accounts.issuers import handling_name
from registry.cases.models import Case, counted
from registry.core.identifiers import SubjectKind
from registry.listing.models import EntryStatus, ListEntry


def publicly_shown_case():
    """SQL: the public may see the case (on the subject page, in the credit report and the typical
    cases): the cases that count (``counted``), published and resting on a basis still standing."""
    return counted()


def public_subject_name(subject, entry: ListEntry) -> str:
    """A person's name is public only while their entry is (PRODUCT §2); otherwise only the surname."""
    if subject.kind is SubjectKind.PERSON and entry.status is not EntryStatus.PUBLISHED:
        return subject.name[:1] + "*" * max(len(subject.name) - 1, 1)
    return subject.name


def public_payload(case: Case) -> dict:
    """The public fields of a case (person ID numbers masked), for the change feed and the API."""
    entry = case.entry
    subject = entry.subject
    return {
        "id": case.id,
        "status": case.status.value,
        "list": entry.list_kind.value,
        "category": entry.category.name,
        "entry_id": entry.id,
        "decision_number": entry.decision_number,
        "subject": {
            "name": public_subject_name(subject, entry),
            "kind": subject.kind.value,
            "identifier": subject.public_identifier,
        },
        "measures": [{"code": m.code, "description": m.description} for m in case.measures],
        "applying_party": case.applying_party,
        "case_date": case.case_date.isoformat(),
        "matter": case.matter,
        "effect": case.effect,
        "unit": handling_name(case.unit),  # a division named under the department
        "typical": case.is_typical,
    }


def public_subject_cases(subject, records) -> dict:
    """On the public page: the published cases of the subject's public records."""
    return {"cases": records.cases, "public": True} if records.cases else {}
