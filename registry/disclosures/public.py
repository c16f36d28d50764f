"""What the public sees of a disclosure, in one place (PRODUCT §4, §11): the condition under which the
public sees it (``publicly_visible`` in SQL, ``is_publicly_visible`` for one loaded row), its public
payload for the change feed, the API, the exchange and the webhooks (``public_payload``), and its
section of the public subject page (``public_subject_section``, registered beside the officer's in
``views``).  The periods themselves are ``queries.within_period`` / ``queries.visible_until``."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.disclosures.models import (
    KIND_CN,
    LICENCE_TYPE_CN,
    PARTY_CATEGORY_CN,
    PENALTY_TYPE_CN,
    SEVERITY_CN,
    Disclosure,
    DisclosureKind,
    DisclosureStatus,
    PartyCategory,
)
from registry.disclosures.queries import PeriodStarts, visible_until, within_period


def publicly_visible(today: date, starts: PeriodStarts | None = None):
    """SQL: the public may see the disclosure today (published and within its period).

    Holds at the exact boundary even before the nightly check has marked the record expired.
    """
    return sa.and_(Disclosure.status == DisclosureStatus.PUBLISHED, within_period(today, starts))


def is_publicly_visible(disclosure: Disclosure, today: date) -> bool:
    if disclosure.status is not DisclosureStatus.PUBLISHED:
        return False
    until = visible_until(disclosure)
    if disclosure.kind is DisclosureKind.LICENCE:
        return until is None or until >= today
    return until is not None and until >= today


def _label(labels: dict, value) -> str | None:
    return None if value is None else labels[value]


def public_payload(disclosure: Disclosure) -> dict:
    """The disclosure as the public may see it: the national data items, person ID masked.

    Codes plus the national Chinese wording, never the reader's language: the feed is data.
    """
    is_person = disclosure.party_category is PartyCategory.PERSON
    until = visible_until(disclosure)
    payload = {
        "id": disclosure.id,
        "kind": disclosure.kind.value,
        "kind_label": _label(KIND_CN, disclosure.kind),
        "party_name": disclosure.party_name,
        "party_category": disclosure.party_category.value,
        "party_category_label": _label(PARTY_CATEGORY_CN, disclosure.party_category),
        "party_identifier": disclosure.public_party_identifier,
        "legal_representative": None if is_person else disclosure.legal_representative,
        "decision_number": disclosure.decision_number,
        "decision_date": disclosure.decision_date.isoformat(),
        "authority_name": disclosure.authority_name,
        "authority_uscc": disclosure.authority_uscc,
        "source_unit_name": disclosure.source_unit_name,
        "published_on": disclosure.published_on.isoformat() if disclosure.published_on else None,
        "visible_until": until.isoformat() if until else None,
        "corrects_id": disclosure.corrects_id,
    }
    if disclosure.kind is DisclosureKind.PENALTY:
        payload.update(
            violation_type=disclosure.violation_type,
            violation_facts=disclosure.violation_facts,
            legal_basis=disclosure.legal_basis,
            penalty_type=disclosure.penalty_type.value,
            penalty_type_label=_label(PENALTY_TYPE_CN, disclosure.penalty_type),
            penalty_content=disclosure.penalty_content,
            fine_amount=None if disclosure.fine_amount is None else format(disclosure.fine_amount.normalize(), "f"),
            severity=disclosure.severity.value,
            severity_label=_label(SEVERITY_CN, disclosure.severity),
        )
    else:
        payload.update(
            licence_type=disclosure.licence_type.value,
            licence_type_label=_label(LICENCE_TYPE_CN, disclosure.licence_type),
            licence_number=disclosure.licence_number,
            licence_content=disclosure.licence_content,
            licence_valid_from=disclosure.licence_valid_from.isoformat() if disclosure.licence_valid_from else None,
            licence_valid_to=disclosure.licence_valid_to.isoformat() if disclosure.licence_valid_to else None,
        )
    return payload


def public_subject_section(subject, records) -> dict:
    """On the public page: the publicly visible disclosures of the subject's public records."""
    return {"disclosures": records.disclosures} if records.disclosures else {}
