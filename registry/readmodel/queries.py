"""What the public may see, as set-based queries shared by the public pages and the API.

One rule for both: a list entry is public while it is in publicity (公示中) or published and not
past its validity end (even before the nightly check has marked it expired); a disclosure while
``disclosures.queries.publicly_visible`` says so; an evaluation once published.  Drafts, pending,
returned, withdrawn, expired and removed records never appear.  A subject with none of these is
a "clean" subject: its page says so, and a person's name is not shown on it (SPEC §2).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from registry.core.holds import HoldKind, open_holds
from registry.core.identifiers import HUNAN_CITIES, SubjectKind
from registry.core.pagination import paginate
from registry.disclosures import queries as disclosure_queries
from registry.disclosures.models import Disclosure
from registry.evaluations.models import CreditEvaluation, EvaluationStatus
from registry.evaluations.operations import latest_evaluations_many
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry, ListKind, publicly_shown
from registry.listing.operations import RECORD_TYPE as ENTRY_RECORD_TYPE
from registry.subjects.models import Subject

BATCH = 500  # ids per IN (...) query


def public_entry_condition(today: date):
    """SQL: the public may see the list entry today (the listing package's one definition)."""
    return publicly_shown(today)


@dataclass
class PublicRecords:
    """Everything public about one subject."""

    entries: list = field(default_factory=list)
    disclosures: list = field(default_factory=list)
    evaluations: list = field(default_factory=list)  # latest published per field
    holds: dict = field(default_factory=dict)  # (record_type, id) -> set[HoldKind]

    @property
    def is_empty(self) -> bool:
        return not (self.entries or self.disclosures or self.evaluations)

    def marks(self, record_type: str, record_id: int) -> set:
        return self.holds.get((record_type, record_id), set())

    @property
    def markers(self) -> dict[str, bool]:
        kinds = set().union(*self.holds.values()) if self.holds else set()
        return {
            "in_publicity": any(entry.status is EntryStatus.IN_PUBLICITY for entry in self.entries),
            "objection_pending": HoldKind.OBJECTION in kinds,
            "under_repair": HoldKind.REPAIR in kinds,
        }


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def public_records(subject_ids: Iterable[int], today: date) -> dict[int, PublicRecords]:
    """For each subject id, its public records (a few queries for any number of subjects)."""
    ids = sorted(set(subject_ids))
    result = {subject_id: PublicRecords() for subject_id in ids}
    for chunk in _chunks(ids):
        entries = db.session.scalars(
            sa.select(ListEntry)
            .where(ListEntry.subject_id.in_(chunk), public_entry_condition(today))
            .options(selectinload(ListEntry.measures), selectinload(ListEntry.unit))
            .order_by(ListEntry.decision_date.desc(), ListEntry.id.desc())
        )
        for entry in entries:
            result[entry.subject_id].entries.append(entry)
        rows = db.session.scalars(
            sa.select(Disclosure)
            .where(Disclosure.subject_id.in_(chunk), disclosure_queries.publicly_visible(today))
            .order_by(Disclosure.decision_date.desc(), Disclosure.id.desc())
        )
        for disclosure in rows:
            result[disclosure.subject_id].disclosures.append(disclosure)
        for subject_id, by_field in latest_evaluations_many(chunk).items():
            result[subject_id].evaluations = [by_field[key] for key in sorted(by_field, key=str)]
    _attach_holds(result)
    return result


def _attach_holds(result: dict[int, PublicRecords]) -> None:
    entry_ids = [entry.id for records in result.values() for entry in records.entries]
    disclosure_ids = [d.id for records in result.values() for d in records.disclosures]
    found: dict[tuple[str, int], set] = {}
    for record_type, ids in ((ENTRY_RECORD_TYPE, entry_ids), ("disclosure", disclosure_ids)):
        for chunk in _chunks(ids):
            for record_id, kinds in open_holds(record_type, chunk).items():
                if kinds:
                    found[(record_type, record_id)] = kinds
    for records in result.values():
        keys = [(ENTRY_RECORD_TYPE, e.id) for e in records.entries]
        keys += [("disclosure", d.id) for d in records.disclosures]
        records.holds = {key: found[key] for key in keys if key in found}


def public_subject_condition(today: date):
    """SQL on ``Subject``: it has at least one public record (used to filter the name search)."""
    conditions = [
        sa.select(ListEntry.id).where(ListEntry.subject_id == Subject.id, public_entry_condition(today)).exists()
    ]
    conditions.append(
        sa.select(Disclosure.id)
        .where(Disclosure.subject_id == Subject.id, disclosure_queries.publicly_visible(today))
        .exists()
    )
    conditions.append(
        sa.select(CreditEvaluation.id)
        .where(CreditEvaluation.subject_id == Subject.id, CreditEvaluation.status == EvaluationStatus.PUBLISHED)
        .exists()
    )
    return sa.or_(*conditions)


def searchable_condition(today: date):
    """SQL on ``Subject``: the public name search may find it (a person only with public records,
    since a person's name is public only on them)."""
    return sa.or_(Subject.kind != SubjectKind.PERSON, public_subject_condition(today))


def subjects_with_public_records(subject_ids: Iterable[int], today: date) -> set[int]:
    """Which of these subjects have anything public (for search results)."""
    return {subject_id for subject_id, records in public_records(subject_ids, today).items() if not records.is_empty}


def name_is_public(subject: Subject, records: PublicRecords | None) -> bool:
    """A person's name is public only on their public records (SPEC §2); others' names always."""
    return subject.kind is not SubjectKind.PERSON or (records is not None and not records.is_empty)


# ---------------------------------------------------------------------------------------------
# The red and black list pages


@dataclass(frozen=True)
class ListFilter:
    kind: ListKind
    category_id: int | None = None
    unit_id: int | None = None
    city: str | None = None  # 4-digit division code, a key of HUNAN_CITIES
    date_from: date | None = None  # decision date
    date_to: date | None = None


def list_statement(filters: ListFilter, today: date) -> sa.Select:
    statement = sa.select(ListEntry).where(ListEntry.list_kind == filters.kind, public_entry_condition(today))
    if filters.category_id is not None:
        statement = statement.where(ListEntry.category_id == filters.category_id)
    if filters.unit_id is not None:
        statement = statement.where(ListEntry.unit_id == filters.unit_id)
    if filters.city in HUNAN_CITIES:
        statement = statement.where(
            ListEntry.subject_id.in_(sa.select(Subject.id).where(Subject.region_code.like(filters.city + "%")))
        )
    if filters.date_from is not None:
        statement = statement.where(ListEntry.decision_date >= filters.date_from)
    if filters.date_to is not None:
        statement = statement.where(ListEntry.decision_date <= filters.date_to)
    return statement.order_by(ListEntry.decision_date.desc(), ListEntry.id.desc())


def list_page(filters: ListFilter, today: date, *, page: int, per_page: int) -> tuple[list[ListEntry], bool]:
    found = paginate(list_statement(filters, today).options(selectinload(ListEntry.unit)), per_page, page)
    return found.items, found.has_next


def iter_list(filters: ListFilter, today: date) -> Iterator[ListEntry]:
    """Every entry of the filter, in page order, read in batches (the CSV download)."""
    statement = list_statement(filters, today).options(selectinload(ListEntry.unit))
    yield from db.session.scalars(statement.execution_options(yield_per=1000))


def entry_holds(entries: list[ListEntry]) -> dict[int, set]:
    ids = [entry.id for entry in entries]
    result: dict[int, set] = {}
    for chunk in _chunks(ids):
        result.update(open_holds(ENTRY_RECORD_TYPE, chunk))
    return result
