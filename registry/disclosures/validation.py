"""The rules a disclosure's data must meet, shared by the officer's form and the bulk import.

``check`` looks at every field and returns every problem, so that the import can report them
all for one row; the operations raise the first one as a ``ValidationFailed`` naming its field.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from registry.core.identifiers import InvalidIdentifier, normalize_uscc
from registry.core.identifiers import normalize as normalize_identifier
from registry.disclosures.models import (
    DisclosureKind,
    LicenceType,
    PartyCategory,
    PenaltyType,
    Severity,
)
from registry.disclosures.severity import severity_problems

EARLIEST_DECISION_DATE = date(2000, 1, 1)
MAX_FINE = Decimal("99999999.999999")  # Numeric(14, 6), in 万元
MAX_TEXT = 4000

PENALTY_FIELDS = ("violation_type", "violation_facts", "legal_basis", "penalty_type", "penalty_content",
                  "fine_amount", "severity")
LICENCE_FIELDS = ("licence_type", "licence_number", "licence_content", "licence_valid_from", "licence_valid_to")
LENGTHS = {"party_name": 200, "legal_representative": 100, "decision_number": 100, "authority_name": 200,
           "source_unit_name": 200, "violation_type": 200, "licence_number": 100, "violation_facts": MAX_TEXT,
           "legal_basis": MAX_TEXT, "penalty_content": MAX_TEXT, "licence_content": MAX_TEXT}


@dataclass(frozen=True)
class DisclosureData:
    """The fields of a disclosure as plain values (what forms and imports hand the operations)."""

    kind: DisclosureKind | None
    party_name: str | None
    party_category: PartyCategory | None
    party_identifier: str | None
    decision_number: str | None
    decision_date: date | None
    authority_name: str | None
    authority_uscc: str | None
    source_unit_name: str | None
    legal_representative: str | None = None
    violation_type: str | None = None
    violation_facts: str | None = None
    legal_basis: str | None = None
    penalty_type: PenaltyType | None = None
    penalty_content: str | None = None
    fine_amount: Decimal | None = None
    severity: Severity | None = None
    licence_type: LicenceType | None = None
    licence_number: str | None = None
    licence_content: str | None = None
    licence_valid_from: date | None = None
    licence_valid_to: date | None = None

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIELD_NAMES = tuple(f.name for f in fields(DisclosureData))
REQUIRED_ALWAYS = ("kind", "party_name", "party_category", "party_identifier", "decision_number", "decision_date",
                   "authority_name", "authority_uscc", "source_unit_name")
REQUIRED_PENALTY = ("violation_type", "violation_facts", "legal_basis", "penalty_type", "penalty_content", "severity")
REQUIRED_LICENCE = ("licence_type", "licence_content", "licence_valid_from")


ENUM_FIELDS = {"kind": DisclosureKind, "party_category": PartyCategory, "penalty_type": PenaltyType,
               "severity": Severity, "licence_type": LicenceType}


def _clean(data: DisclosureData) -> tuple[DisclosureData, list[tuple[str, object]]]:
    """Strip text fields (empty text becomes None) and turn enumeration values into members."""
    changes: dict[str, object] = {}
    problems: list[tuple[str, object]] = []
    for name in FIELD_NAMES:
        value = getattr(data, name)
        enum_cls = ENUM_FIELDS.get(name)
        if enum_cls is not None:
            if value is not None and not isinstance(value, enum_cls):
                try:
                    changes[name] = enum_cls(str(value).strip()) if str(value).strip() else None
                except ValueError:
                    changes[name] = None
                    problems.append((name, _l("Not one of the allowed values.")))
        elif isinstance(value, str):
            changes[name] = value.strip() or None
    return replace(data, **changes), problems


def check(data: DisclosureData, today: date) -> tuple[DisclosureData, list[tuple[str, object]]]:
    """``data`` cleaned and normalised, with every (field, message) problem found in it."""
    data, problems = _clean(data)
    required = REQUIRED_ALWAYS
    if data.kind is DisclosureKind.PENALTY:
        required += REQUIRED_PENALTY
    elif data.kind is DisclosureKind.LICENCE:
        required += REQUIRED_LICENCE
    if data.party_category not in (None, PartyCategory.PERSON):
        required += ("legal_representative",)
    invalid = {name for name, _message in problems}
    for name in required:
        if getattr(data, name) is None and name not in invalid:
            problems.append((name, _l("This field is required.")))
    for name, limit in LENGTHS.items():
        value = getattr(data, name)
        if value is not None and len(value) > limit:
            problems.append((name, _l("At most %(n)d characters.", n=limit)))

    normalised: dict[str, object] = {}
    if data.party_identifier and data.party_category:
        try:
            kind = data.party_category.subject_kind
            normalised["party_identifier"] = normalize_identifier(kind, data.party_identifier)
        except InvalidIdentifier as error:
            problems.append(("party_identifier", error.message))
    if data.authority_uscc:
        try:
            normalised["authority_uscc"] = normalize_uscc(data.authority_uscc)
        except InvalidIdentifier as error:
            problems.append(("authority_uscc", error.message))

    if data.decision_date is not None:
        if data.decision_date > today:
            problems.append(("decision_date", _l("The date of the decision cannot be in the future.")))
        elif data.decision_date < EARLIEST_DECISION_DATE:
            problems.append(("decision_date", _l("The date of the decision cannot be before 2000-01-01.")))

    if data.kind is DisclosureKind.PENALTY:
        problems += _penalty_problems(data)
    elif data.kind is DisclosureKind.LICENCE:
        problems += _licence_problems(data)
    return replace(data, **normalised), problems


def _penalty_problems(data: DisclosureData) -> list[tuple[str, object]]:
    problems: list[tuple[str, object]] = []
    for name in LICENCE_FIELDS:
        if getattr(data, name) is not None:
            problems.append((name, _l("Licence details are given only for an administrative licence.")))
    fine = data.fine_amount
    if fine is not None:
        if fine < 0:
            problems.append(("fine_amount", _l("The fine cannot be negative.")))
        elif fine > MAX_FINE:
            problems.append(("fine_amount", _l("The fine is too large: give it in 10,000 yuan (万元).")))
        elif fine.as_tuple().exponent < -6:
            problems.append(("fine_amount", _l("The fine may have at most 6 decimal places (in 10,000 yuan).")))
    if data.penalty_type is PenaltyType.FINE and (fine is None or fine == 0):
        problems.append(("fine_amount", _l("A fine needs its amount (in 10,000 yuan).")))
    if not any(name == "fine_amount" for name, _message in problems):
        problems += severity_problems(data.penalty_type, data.severity, data.penalty_content, fine,
                                      data.party_category)
    return problems


def _licence_problems(data: DisclosureData) -> list[tuple[str, object]]:
    problems: list[tuple[str, object]] = []
    if data.fine_amount is not None:
        problems.append(("fine_amount", _l("A fine is given only for an administrative penalty.")))
    for name in PENALTY_FIELDS:
        if name != "fine_amount" and getattr(data, name) is not None:
            problems.append((name, _l("Penalty details are given only for an administrative penalty.")))
    start, end = data.licence_valid_from, data.licence_valid_to
    if start and end and end < start:
        problems.append(("licence_valid_to", _l("The licence cannot be valid until a date before it is valid from.")))
    return problems
