"""What the public sees of credit evaluations (seed tasks 6 and 14: "publish the results"):
published results, by scheme and year, searchable by a subject's name or code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from registry.core.identifiers import InvalidIdentifier, SubjectKind, looks_like_identifier, parse_identifier
from registry.evaluations.models import CreditEvaluation, EvaluationField, EvaluationStatus
from registry.extensions import db
from registry.subjects.models import Subject

MAX_QUERY = 100


@dataclass(frozen=True)
class ResultFilter:
    field: EvaluationField | None = None
    year: int | None = None
    query: str = ""


def _matching(query: str):
    """A code (USCC or resident ID) matches exactly; other text a part of an organisation's name
    (a person is found by ID number only, as on the public lookup)."""
    if looks_like_identifier(query):
        try:
            values = [reading.value for reading in parse_identifier(query) if reading.kind is not SubjectKind.VEHICLE]
        except InvalidIdentifier:
            values = []
        return Subject.identifier.in_(values or [""])
    return sa.and_(Subject.kind == SubjectKind.ORGANISATION,
                   Subject.name.contains(query, autoescape=True))


def public_results(filters: ResultFilter) -> sa.Select:
    """SQL: the published results matching ``filters``, newest year first, best score first."""
    statement = (sa.select(CreditEvaluation).join(Subject, Subject.id == CreditEvaluation.subject_id)
                 .where(CreditEvaluation.status == EvaluationStatus.PUBLISHED)
                 .options(contains_eager(CreditEvaluation.subject)))
    if filters.field is not None:
        statement = statement.where(CreditEvaluation.field == filters.field)
    if filters.year is not None:
        statement = statement.where(CreditEvaluation.year == filters.year)
    if filters.query:
        statement = statement.where(_matching(filters.query))
    return statement.order_by(CreditEvaluation.year.desc(), CreditEvaluation.field, CreditEvaluation.score.desc(),
                              CreditEvaluation.id)


def published_years() -> list[int]:
    return list(db.session.scalars(
        sa.select(CreditEvaluation.year).where(CreditEvaluation.status == EvaluationStatus.PUBLISHED)
        .distinct().order_by(CreditEvaluation.year.desc())))


def iter_results(filters: ResultFilter, batch: int = 500) -> Iterator[list[CreditEvaluation]]:
    """Every matching result, in the page's order, in batches (for the CSV download)."""
    ids = list(db.session.scalars(public_results(filters).with_only_columns(CreditEvaluation.id)))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        rows = {e.id: e for e in db.session.scalars(
            sa.select(CreditEvaluation).where(CreditEvaluation.id.in_(chunk)))}
        yield [rows[i] for i in chunk]
