"""What the public sees of these subjects today, read set-based as rows (PRODUCT §2, §10, §11).

``public_records(subject_ids, today)`` is the one answer used by the public subject page, the
credit report (``readmodel.report``), the credit check and its batch: per subject its public list
entries (with category, measures and unit name), its publicly visible disclosures, its published
evaluations (and the latest per field), its published joint reward and punishment cases and the
hold markers of each record.  The credit check asks only for ``CHECK_KINDS`` (it does not answer
with cases).  Who may see what is decided in SQL only, by the domains' own conditions
(``listing.public.publicly_shown`` through ``queries.public_entry_condition``,
``disclosures.public.publicly_visible``, an evaluation's or a case's published status); nothing
is decided again in Python here.  Credit commitments have no public condition (officers only), so
no public reader shows them.

The reads are prepared Core SELECTs returning rows, chunked by ``BATCH`` ids: no identity map, no
relationship loaders, and the entries', measures' and evaluations' statements are built once per
process, which is what a check answered a million times a day needs.  The rows are small
read-only records that borrow the models' own properties (``public_identifier``, ``city_name``,
``public_party_identifier``, ``field_label``), so the payload functions and templates read them
as they read the models.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from registry.accounts.models import Unit
from registry.cases.models import Case, case_measures
from registry.cases.public import publicly_shown_case
from registry.core.holds import HoldKind, open_hold_exists
from registry.core.identifiers import SubjectKind
from registry.core.settings import all_settings
from registry.disclosures import public as disclosure_public
from registry.disclosures.models import Disclosure, DisclosureStatus
from registry.evaluations.models import CreditEvaluation, EvaluationStatus
from registry.evaluations.public import publicly_shown_evaluation
from registry.extensions import db
from registry.listing.models import EntryStatus, ListCategory, ListEntry, Measure, entry_measures
from registry.listing.public import RECORD_TYPE as ENTRY_RECORD_TYPE
from registry.readmodel.queries import BATCH, chunks, public_entry_condition
from registry.readmodel.standings import standing_of
from registry.subjects.models import Subject

CHECK_KINDS = frozenset({"entries", "disclosures", "evaluations"})  # what the credit check answers with
ALL_KINDS = CHECK_KINDS | {"cases"}  # the subject page and the credit report


@dataclass
class PublicRecords:
    """Everything public about one subject."""

    entries: list = field(default_factory=list)
    disclosures: list = field(default_factory=list)
    evaluations: list = field(default_factory=list)  # latest published per field
    evaluation_history: list = field(default_factory=list)  # every published one, latest year first
    cases: list = field(default_factory=list)  # published joint reward and punishment cases
    holds: dict = field(default_factory=dict)  # (record_type, id) -> set[HoldKind]

    @property
    def is_empty(self) -> bool:
        return not (self.entries or self.disclosures or self.evaluations or self.cases)

    @property
    def names_subject(self) -> bool:
        """Whether a record shows the subject's name openly (a case of an entry no longer published
        shows a person only by surname)."""
        return bool(self.entries or self.disclosures or self.evaluations)

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


    @property
    def standing(self) -> dict:
        """What a result line says of the subject: red list, black list, in publicity, disclosures."""
        return standing_of(((entry.list_kind, entry.status) for entry in self.entries), len(self.disclosures))


def name_is_public(subject, records: PublicRecords | None) -> bool:
    """A person's name is public only on their public records (PRODUCT §2); others' names always."""
    return subject.kind is not SubjectKind.PERSON or (records is not None and records.names_subject)


class SubjectRow:
    """A subject read as a row, with the model's own public properties."""

    public_identifier = Subject.public_identifier
    city_name = Subject.city_name

    def __init__(self, values: dict):
        self.__dict__.update(values)


class EntryRow(SimpleNamespace):
    """A public list entry: the columns, plus ``category``, ``unit``, ``measures``, ``subject``."""


class DisclosureRow(SimpleNamespace):
    public_party_identifier = Disclosure.public_party_identifier


class EvaluationRow(SimpleNamespace):
    field_label = CreditEvaluation.field_label


class CaseRow(SimpleNamespace):
    """A published case: the columns, plus ``measures`` and ``entry`` (list kind, category, status,
    decision number)."""


def _columns(model) -> list:
    return list(model.__table__.c)


# ---------------------------------------------------------------------------------------------
# Subjects by identifier (the credit check)


def _subject_row(row) -> SubjectRow:
    mapping = row._mapping
    subject = SubjectRow({column.key: mapping[column] for column in _columns(Subject)})
    owner = None
    if mapping["owner_row_id"] is not None:
        owner = SubjectRow({"id": mapping["owner_row_id"], "kind": mapping["owner_kind"],
                            "identifier": mapping["owner_identifier"], "name": mapping["owner_name"]})
    subject.owner = owner
    subject.may_have = {kind for kind in CHECK_KINDS if mapping["has_" + kind]}
    return subject


def _published(model, status) -> sa.Exists:
    return sa.select(model.id).where(model.subject_id == Subject.id, model.status == status).exists()


@functools.cache
def _subjects_statement() -> sa.Select:
    """The subjects, their owners, and which kinds of public record each may have: most subjects
    have none or one, so the check then reads only the tables that can answer.  The disclosure
    flag is only "has a published one" (a superset): whether it is still visible today is
    decided by the disclosures' read itself."""
    owner = aliased(Subject)
    public_entries = sa.select(ListEntry.id).where(
        ListEntry.subject_id == Subject.id, public_entry_condition(sa.bindparam("today", type_=sa.Date))
    ).exists()
    flags = [public_entries.label("has_entries")]
    flags.append(_published(Disclosure, DisclosureStatus.PUBLISHED).label("has_disclosures"))
    flags.append(_published(CreditEvaluation, EvaluationStatus.PUBLISHED).label("has_evaluations"))
    return (
        sa.select(*_columns(Subject), owner.id.label("owner_row_id"), owner.kind.label("owner_kind"),
                  owner.identifier.label("owner_identifier"), owner.name.label("owner_name"), *flags)
        .outerjoin(owner, owner.id == Subject.owner_id)
        .where(Subject.identifier.in_(sa.bindparam("values", expanding=True)))
    )


def subjects_by_identifier(values: Iterable[str], today: date) -> dict[str, SubjectRow]:
    """The subjects with these normalised identifiers, each with its owner (vehicles)."""
    values = sorted(set(values))
    connection = db.session.connection()
    found = {}
    for start in range(0, len(values), BATCH):
        parameters = {"values": values[start:start + BATCH], "today": today}
        for row in connection.execute(_subjects_statement(), parameters):
            subject = _subject_row(row)
            found[subject.identifier] = subject
    return found


# ---------------------------------------------------------------------------------------------
# The statements


def _hold_flags(record_type: str, id_column) -> list:
    """One column per kind of hold: whether the record has one open (the markers)."""
    return [open_hold_exists(record_type, id_column, kind).label(f"hold_{kind.value}") for kind in HoldKind]


def _holds(mapping) -> set:
    return {kind for kind in HoldKind if mapping[f"hold_{kind.value}"]}


@functools.cache
def _entries_statement() -> sa.Select:
    return (
        sa.select(*_columns(ListEntry), ListCategory.name.label("category_name"), Unit.name.label("unit_name"),
                  Unit.issuing_name.label("unit_issuing_name"),
                  *_hold_flags(ENTRY_RECORD_TYPE, ListEntry.id))
        .join(ListCategory, ListCategory.id == ListEntry.category_id)
        .join(Unit, Unit.id == ListEntry.unit_id)
        .where(ListEntry.subject_id.in_(sa.bindparam("ids", expanding=True)),
               public_entry_condition(sa.bindparam("today", type_=sa.Date)))
        .order_by(ListEntry.decision_date.desc(), ListEntry.id.desc())
    )


@functools.cache
def _cases_statement() -> sa.Select:
    return (
        sa.select(*_columns(Case), ListEntry.subject_id.label("entry_subject_id"),
                  ListEntry.list_kind.label("entry_list_kind"), ListEntry.status.label("entry_status"),
                  ListEntry.decision_number.label("entry_decision_number"), ListCategory.name.label("category_name"))
        .join(ListEntry, ListEntry.id == Case.entry_id)
        .join(ListCategory, ListCategory.id == ListEntry.category_id)
        .where(ListEntry.subject_id.in_(sa.bindparam("ids", expanding=True)), publicly_shown_case())
        .order_by(Case.case_date.desc(), Case.id.desc())
    )


@functools.cache
def _case_measures_statement() -> sa.Select:
    return (
        sa.select(case_measures.c.case_id, Measure.code, Measure.description)
        .join(Measure, Measure.id == case_measures.c.measure_id)
        .where(case_measures.c.case_id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(case_measures.c.case_id, Measure.code)
    )


@functools.cache
def _measures_statement() -> sa.Select:
    return (
        sa.select(entry_measures.c.entry_id, Measure.code, Measure.description)
        .join(Measure, Measure.id == entry_measures.c.measure_id)
        .where(entry_measures.c.entry_id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(entry_measures.c.entry_id, Measure.code)
    )


def _disclosures_statement(today: date) -> sa.Select:
    """The publicly visible disclosures, by the disclosures' one condition (``publicly_visible``).

    That condition is built from today's date and the visibility settings, and building it with
    its hold flags costs about as much as the query itself; so the statement is kept per day and
    per state of the settings (all of them: which ones the condition reads is the disclosures'
    business), and a changed setting simply makes a new one."""
    return _disclosures_statement_for(today, tuple(value for _spec, value in all_settings()))


@functools.lru_cache(maxsize=8)
def _disclosures_statement_for(today: date, settings: tuple) -> sa.Select:
    del settings  # only part of the cache key
    return (
        sa.select(*_columns(Disclosure), *_hold_flags("disclosure", Disclosure.id))
        .where(Disclosure.subject_id.in_(sa.bindparam("ids", expanding=True)),
               disclosure_public.publicly_visible(today))
        .order_by(Disclosure.decision_date.desc(), Disclosure.id.desc())
    )


@functools.cache
def _evaluations_statement() -> sa.Select:
    return (
        sa.select(*_columns(CreditEvaluation))
        .where(CreditEvaluation.subject_id.in_(sa.bindparam("ids", expanding=True)),
               publicly_shown_evaluation())
        .order_by(CreditEvaluation.subject_id, CreditEvaluation.year.desc(),
                  CreditEvaluation.published_on.desc(), CreditEvaluation.id.desc())
    )


# ---------------------------------------------------------------------------------------------
# The public records


def public_records(
    subject_ids: Iterable[int], today: date, *, subjects: dict | None = None, kinds: frozenset = ALL_KINDS
) -> dict[int, PublicRecords]:
    """For each subject id, what the public sees of it today (a few queries for any number).

    ``subjects`` (id -> subject, a model or a ``SubjectRow``), when the caller has them, become the
    records' ``subject``; a ``SubjectRow``'s ``may_have`` spares the reads that cannot answer.
    ``kinds`` are the kinds of record to read (``CHECK_KINDS`` for the credit check).
    """
    ids = sorted(set(subject_ids))
    subjects = subjects or {}
    result = {subject_id: PublicRecords() for subject_id in ids}
    if not ids:
        return result

    def having(kind: str) -> list[int]:
        if kind not in kinds:
            return []
        return [i for i in ids if i not in subjects or kind in getattr(subjects[i], "may_have", ALL_KINDS)]

    connection = db.session.connection()
    entries = []
    for chunk in chunks(having("entries")):
        entries += _load_entries(connection, chunk, today, subjects, result)
    _attach_measures(connection, entries, _measures_statement())
    if with_disclosures := having("disclosures"):
        statement = _disclosures_statement(today)
        for chunk in chunks(with_disclosures):
            _load_disclosures(connection, statement, chunk, result)
    for chunk in chunks(having("evaluations")):
        _load_evaluations(connection, chunk, subjects, result)
    cases = []
    for chunk in chunks(having("cases")):
        cases += _load_cases(connection, chunk, result)
    _attach_measures(connection, cases, _case_measures_statement())
    return result


def _load_entries(connection, chunk: list[int], today: date, subjects: dict, result) -> list:
    columns = [column.key for column in _columns(ListEntry)]
    loaded = []
    for row in connection.execute(_entries_statement(), {"ids": chunk, "today": today}):
        mapping = row._mapping
        entry = EntryRow(**{key: mapping[key] for key in columns})
        entry.subject = subjects.get(entry.subject_id)
        entry.category = SimpleNamespace(name=mapping["category_name"])
        entry.unit = SimpleNamespace(name=mapping["unit_name"], issuing_name=mapping["unit_issuing_name"])
        entry.measures = []
        loaded.append(entry)
        records = result[entry.subject_id]
        records.entries.append(entry)
        if kinds := _holds(mapping):
            records.holds[(ENTRY_RECORD_TYPE, entry.id)] = kinds
    return loaded


def _attach_measures(connection, records: list, statement) -> None:
    """The measures of entries or cases (``statement`` reads (record id, code, description))."""
    by_id = {record.id: record for record in records}
    for chunk in chunks(sorted(by_id)):
        for record_id, code, description in connection.execute(statement, {"ids": chunk}):
            by_id[record_id].measures.append(SimpleNamespace(code=code, description=description))


def _load_disclosures(connection, statement, chunk: list[int], result) -> None:
    columns = [column.key for column in _columns(Disclosure)]
    for row in connection.execute(statement, {"ids": chunk}):
        mapping = row._mapping
        disclosure = DisclosureRow(**{key: mapping[key] for key in columns})
        records = result[disclosure.subject_id]
        records.disclosures.append(disclosure)
        if kinds := _holds(mapping):
            records.holds[("disclosure", disclosure.id)] = kinds


def _load_evaluations(connection, chunk: list[int], subjects: dict, result) -> None:
    """The latest published evaluation per field: latest year, then latest publication (rows come
    in that order, so the first per field wins)."""
    latest: dict[int, dict] = {}
    for row in connection.execute(_evaluations_statement(), {"ids": chunk}):
        evaluation = EvaluationRow(**row._asdict())
        evaluation.subject = subjects.get(evaluation.subject_id)
        result[evaluation.subject_id].evaluation_history.append(evaluation)
        latest.setdefault(evaluation.subject_id, {}).setdefault(evaluation.field, evaluation)
    for subject_id, by_field in latest.items():
        result[subject_id].evaluations = [by_field[key] for key in sorted(by_field, key=str)]


def _load_cases(connection, chunk: list[int], result) -> list:
    """Published cases, latest first, with the list entry they rest on (``entry``: list kind,
    category, status, decision number)."""
    columns = [column.key for column in _columns(Case)]
    loaded = []
    for row in connection.execute(_cases_statement(), {"ids": chunk}):
        mapping = row._mapping
        case = CaseRow(**{key: mapping[key] for key in columns})
        case.entry = SimpleNamespace(
            subject_id=mapping["entry_subject_id"], list_kind=mapping["entry_list_kind"],
            status=mapping["entry_status"], decision_number=mapping["entry_decision_number"],
            category=SimpleNamespace(name=mapping["category_name"]))
        case.measures = []
        loaded.append(case)
        result[case.entry.subject_id].cases.append(case)
    return loaded
