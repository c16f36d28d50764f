"""The JSON answers of the credit check: serialisation only.

What the public sees is read by the read model (``readmodel.records``); this module turns it into
JSON with the same public payloads as the change feed.  One shape for the single check and for
every item of a batch; a whole batch is answered with a fixed number of queries, whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from registry.core.holds import HoldKind
from registry.core.identifiers import (
    InvalidIdentifier,
    ParsedIdentifier,
    SubjectKind,
    normalize_uscc,
    parse_identifier,
)
from registry.core.identifiers import public_identifier as mask
from registry.disclosures.public import public_payload as disclosure_payload
from registry.evaluations.public import public_payload as evaluation_payload
from registry.listing.models import EntryStatus, ListKind
from registry.listing.public import RECORD_TYPE as ENTRY_RECORD_TYPE
from registry.listing.public import public_payload as entry_payload
from registry.readmodel import records as readmodel
from registry.readmodel.records import PublicRecords
from registry.subjects.models import Subject
from registry.subjects.operations import find_stored
from registry.watch.subject_ids import subject_id

MAX_IDENTIFIER_LENGTH = 64


@dataclass(frozen=True)
class Lookup:
    """One identifier as asked: its readings, or the reason it is invalid.  ``under_correction``:
    the text fails its check, but a subject is stored under exactly that number (its one reading)."""

    text: str
    readings: tuple[ParsedIdentifier, ...] = ()
    error: str | None = None
    under_correction: bool = False

    @property
    def normalized(self) -> str:
        return self.readings[0].value if self.readings else " ".join(self.text.split()).upper()


def parse(text: str) -> Lookup:
    if len(text) > MAX_IDENTIFIER_LENGTH:
        return Lookup(text[:MAX_IDENTIFIER_LENGTH], error=_("This is not a valid identifier: it is far too long."))
    if len(text) == 18 and text.isascii() and not text[:17].isdigit():
        # A code as systems send it (18 characters, no separators) that cannot be a resident ID
        # number: its only reading is a USCC, so skip the resident-ID attempt and its refusal.
        try:
            return Lookup(text, (ParsedIdentifier(SubjectKind.ORGANISATION, normalize_uscc(text)),))
        except InvalidIdentifier:
            pass  # parse_identifier explains what is wrong
    try:
        return Lookup(text, tuple(parse_identifier(text)))
    except InvalidIdentifier as invalid:
        return Lookup(text, error=str(invalid.message))


def parse_all(texts: list[str]) -> list[Lookup]:
    """``parse`` each text; a text no valid identifier that a subject is stored under exactly (a
    number stored before the checks were right) reads as that stored number (one query for all)."""
    lookups = [parse(text) for text in texts]
    stored = find_stored([lookup.text for lookup in lookups if lookup.error is not None])
    return [Lookup(lookup.text, (ParsedIdentifier(SubjectKind(stored[lookup.text].kind),
                                                  stored[lookup.text].identifier),), under_correction=True)
            if lookup.error is not None and lookup.text in stored else lookup for lookup in lookups]


def _marks(kinds: set) -> dict[str, bool]:
    return {"objection_pending": HoldKind.OBJECTION in kinds, "under_repair": HoldKind.REPAIR in kinds}


def _subject_json(subject: Subject) -> dict:
    owner = subject.owner if subject.owner is not None and subject.owner.kind is SubjectKind.ORGANISATION else None
    return {
        "id": subject_id(subject.identifier),
        "name": subject.name,
        "kind": subject.kind.value,
        "identifier": subject.public_identifier,
        "city": subject.city_name,
        "owner": None if owner is None else {"name": owner.name, "identifier": owner.public_identifier},
    }


def _entry_json(entry, records: PublicRecords) -> dict:
    return {
        **entry_payload(entry),
        "markers": {"in_publicity": entry.status is EntryStatus.IN_PUBLICITY,
                    **_marks(records.marks(ENTRY_RECORD_TYPE, entry.id))},
    }


def _disclosure_json(disclosure, records: PublicRecords) -> dict:
    marks = _marks(records.marks("disclosure", disclosure.id))
    return {**disclosure_payload(disclosure), "markers": {"in_publicity": False, **marks}}


def _evaluation_json(evaluation) -> dict:
    return evaluation_payload(evaluation)


def credit_json(
    lookup: Lookup, subject: Subject | None, records: PublicRecords | None, as_of: datetime
) -> dict:
    """The answer for one valid identifier: a subject with nothing public reads as a clean result."""
    reading = lookup.readings[0]
    if subject is not None:
        reading = next(r for r in lookup.readings if r.value == subject.identifier)
    public = records is not None and not records.is_empty
    records = records if public else PublicRecords()
    entries = [_entry_json(entry, records) for entry in records.entries]
    return {
        "identifier": mask(reading.kind, reading.value),
        "identifier_kind": reading.kind.value,
        "subject_id": subject_id(reading.value),  # opaque and stable, also where the number is masked
        "as_of": as_of.isoformat().replace("+00:00", "Z"),
        "found": public,
        "subject": _subject_json(subject) if public else None,
        "red_list": any(e["list"] == ListKind.RED.value for e in entries),
        "black_list": any(e["list"] == ListKind.BLACK.value for e in entries),
        "list_entries": entries,
        "disclosures": [_disclosure_json(d, records) for d in records.disclosures],
        "evaluations": [_evaluation_json(e) for e in records.evaluations],
        "markers": records.markers,
        # the number as stored fails its check: found by exactly that number until it is corrected
        "identifier_under_correction": lookup.under_correction,
    }


def credit_results(lookups: list[Lookup], today: date, as_of: datetime) -> list[dict]:
    """For each lookup (in order): ``{"result": ...}`` or ``{"error": ...}``.

    The read model answers for the whole batch at once; the answers are built by the same payload
    functions as the change feed.
    """
    subjects = readmodel.subjects_by_identifier((r.value for lookup in lookups for r in lookup.readings), today)
    by_id = {subject.id: subject for subject in subjects.values()}
    records = readmodel.public_records(by_id, today, subjects=by_id, kinds=readmodel.CHECK_KINDS)
    answers = []
    for lookup in lookups:
        if lookup.error is not None:
            answers.append({"error": {"code": "invalid_identifier", "message": lookup.error}})
            continue
        candidates = [subjects[r.value] for r in lookup.readings if r.value in subjects]
        chosen = next((s for s in candidates if not records[s.id].is_empty), candidates[0] if candidates else None)
        answers.append({"result": credit_json(lookup, chosen, records.get(chosen.id) if chosen else None, as_of)})
    return answers
