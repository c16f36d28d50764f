"""The credit check's reads, as a few prepared Core SELECTs returning rows instead of ORM objects.

The answers are the same as ``public.queries.public_records`` gives the public pages, built by the
same payload functions (``listing.operations.public_payload`` and its twins): the rows are wrapped
in small read-only records that borrow the models' own properties (``public_identifier``,
``city_name``, ``public_party_identifier``), so no rule is written twice.  What changes is the
cost: no identity map, no relationship loaders, and statements built once per process, which is
what a check answered a million times a day needs (SPEC §11).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from registry.core.holds import HoldKind, open_hold_exists
from registry.disclosures import queries as disclosure_queries
from registry.disclosures.models import Disclosure, DisclosureStatus
from registry.evaluations.models import CreditEvaluation, EvaluationStatus
from registry.extensions import db
from registry.listing.models import ListCategory, ListEntry, Measure, entry_measures
from registry.listing.operations import RECORD_TYPE as ENTRY_RECORD_TYPE
from registry.readmodel import queries
from registry.subjects.models import Subject

BATCH = queries.BATCH


class SubjectRow:
    """A subject read as a row, with the model's own public properties."""

    public_identifier = Subject.public_identifier
    city_name = Subject.city_name

    def __init__(self, values: dict):
        self.__dict__.update(values)


def _columns(model) -> list:
    return list(model.__table__.c)


def _subject_row(row) -> SubjectRow:
    mapping = row._mapping
    subject = SubjectRow({column.key: mapping[column] for column in _columns(Subject)})
    owner = None
    if mapping["owner_row_id"] is not None:
        owner = SubjectRow({"id": mapping["owner_row_id"], "kind": mapping["owner_kind"],
                            "identifier": mapping["owner_identifier"], "name": mapping["owner_name"]})
    subject.owner = owner
    subject.may_have = {kind for kind in ("entries", "disclosures", "evaluations") if mapping["has_" + kind]}
    return subject


def _published(model, status) -> sa.Exists:
    return sa.select(model.id).where(model.subject_id == Subject.id, model.status == status).exists()


@functools.cache
def _subjects_statement() -> sa.Select:
    """The subjects, their owners, and which kinds of public record each may have: most subjects
    have none or one, so the check then reads only the tables that can answer."""
    owner = aliased(Subject)
    public_entries = sa.select(ListEntry.id).where(
        ListEntry.subject_id == Subject.id, queries.public_entry_condition(sa.bindparam("today", type_=sa.Date))
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
# The public records


def _hold_flags(record_type: str, id_column) -> list:
    """One column per kind of hold: whether the record has one open (the markers)."""
    return [open_hold_exists(record_type, id_column, kind).label(f"hold_{kind.value}") for kind in HoldKind]


def _holds(mapping) -> set:
    return {kind for kind in HoldKind if mapping[f"hold_{kind.value}"]}


@functools.cache
def _entries_statement() -> sa.Select:
    from registry.accounts.models import Unit

    return (
        sa.select(*_columns(ListEntry), ListCategory.name.label("category_name"), Unit.name.label("unit_name"),
                  *_hold_flags(ENTRY_RECORD_TYPE, ListEntry.id))
        .join(ListCategory, ListCategory.id == ListEntry.category_id)
        .join(Unit, Unit.id == ListEntry.unit_id)
        .where(ListEntry.subject_id.in_(sa.bindparam("ids", expanding=True)),
               queries.public_entry_condition(sa.bindparam("today", type_=sa.Date)))
        .order_by(ListEntry.decision_date.desc(), ListEntry.id.desc())
    )


@functools.cache
def _measures_statement() -> sa.Select:
    return (
        sa.select(entry_measures.c.entry_id, Measure.code, Measure.description)
        .join(Measure, Measure.id == entry_measures.c.measure_id)
        .where(entry_measures.c.entry_id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(entry_measures.c.entry_id, Measure.code)
    )


@functools.cache
def _disclosures_statement():
    """Published disclosures (the period is checked per row by ``is_publicly_visible``, the
    Python twin of ``publicly_visible``, so that the check needs the settings only for penalties)."""
    return (
        sa.select(*_columns(Disclosure), *_hold_flags("disclosure", Disclosure.id))
        .where(Disclosure.subject_id.in_(sa.bindparam("ids", expanding=True)),
               Disclosure.status == DisclosureStatus.PUBLISHED)
        .order_by(Disclosure.decision_date.desc(), Disclosure.id.desc())
    )


@functools.cache
def _evaluations_statement():
    return (
        sa.select(*_columns(CreditEvaluation))
        .where(CreditEvaluation.subject_id.in_(sa.bindparam("ids", expanding=True)),
               CreditEvaluation.status == EvaluationStatus.PUBLISHED)
        .order_by(CreditEvaluation.subject_id, CreditEvaluation.year.desc(),
                  CreditEvaluation.published_on.desc(), CreditEvaluation.id.desc())
    )


@functools.cache
def _row_classes() -> dict[str, type]:
    """Read-only records with the models' own properties, for the payload functions."""
    classes = {"entry": type("EntryRow", (SimpleNamespace,), {})}
    classes["disclosure"] = type("DisclosureRow", (SimpleNamespace,), {
        "public_party_identifier": Disclosure.public_party_identifier,
        "model": Disclosure,
    })
    classes["evaluation"] = type("EvaluationRow", (SimpleNamespace,), {})
    return classes


def _chunks(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def public_records(subjects: dict[int, SubjectRow], today: date) -> dict[int, queries.PublicRecords]:
    """For each subject (by id, as ``subjects_by_identifier`` read it), its public records: what
    ``queries.public_records`` finds, as rows."""
    ids = sorted(subjects)
    result = {subject_id: queries.PublicRecords() for subject_id in ids}
    if not ids:
        return result
    connection = db.session.connection()
    classes = _row_classes()
    entry_columns = [column.key for column in _columns(ListEntry)]

    def having(kind: str) -> list[int]:
        return [subject_id for subject_id in ids if kind in subjects[subject_id].may_have]

    for chunk in _chunks(having("entries")):
        entries = []
        for row in connection.execute(_entries_statement(), {"ids": chunk, "today": today}):
            mapping = row._mapping
            entry = classes["entry"](**{key: mapping[key] for key in entry_columns})
            entry.subject = subjects[entry.subject_id]
            entry.category = SimpleNamespace(name=mapping["category_name"])
            entry.unit = SimpleNamespace(name=mapping["unit_name"])
            entry.measures = []
            entries.append(entry)
            records = result[entry.subject_id]
            records.entries.append(entry)
            if kinds := _holds(mapping):
                records.holds[(ENTRY_RECORD_TYPE, entry.id)] = kinds
        _attach_measures(connection, entries)
    for chunk in _chunks(having("disclosures")):
        _load_disclosures(connection, classes, chunk, today, result)
    for chunk in _chunks(having("evaluations")):
        _load_evaluations(connection, classes, chunk, subjects, result)
    return result


def _attach_measures(connection, entries: list) -> None:
    by_id = {entry.id: entry for entry in entries}
    for chunk in _chunks(sorted(by_id)):
        for entry_id, code, description in connection.execute(_measures_statement(), {"ids": chunk}):
            by_id[entry_id].measures.append(SimpleNamespace(code=code, description=description))


def _load_disclosures(connection, classes, chunk: list[int], today: date, result) -> None:
    columns = [column.key for column in _columns(classes["disclosure"].model)]
    for row in connection.execute(_disclosures_statement(), {"ids": chunk}):
        mapping = row._mapping
        disclosure = classes["disclosure"](**{key: mapping[key] for key in columns})
        if disclosure_queries.is_publicly_visible(disclosure, today):
            records = result[disclosure.subject_id]
            records.disclosures.append(disclosure)
            if kinds := _holds(mapping):
                records.holds[("disclosure", disclosure.id)] = kinds


def _load_evaluations(connection, classes, chunk: list[int], subjects, result) -> None:
    """The latest published evaluation per field (latest year, then publication), as
    ``evaluations.operations.latest_evaluations_many`` chooses it."""
    latest: dict[int, dict] = {}
    for row in connection.execute(_evaluations_statement(), {"ids": chunk}):
        evaluation = classes["evaluation"](**row._asdict())
        evaluation.subject = subjects[evaluation.subject_id]
        latest.setdefault(evaluation.subject_id, {}).setdefault(evaluation.field, evaluation)
    for subject_id, by_field in latest.items():
        result[subject_id].evaluations = [by_field[key] for key in sorted(by_field, key=str)]
