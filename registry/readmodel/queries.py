"""What the public may see: the conditions, the name search's filter, the red and black list
pages and the credit evaluation results.  The records of given subjects are read by
``readmodel.records.public_records``.

One rule everywhere: a list entry is public while it is in publicity (公示中) or published and not
past its validity end (even before the nightly check has marked it expired); a disclosure while
``disclosures.public.publicly_visible`` says so; an evaluation once published.  Drafts, pending,
returned, withdrawn, expired and removed records never appear.  A subject with none of these is
a "clean" subject: its page says so, and a person's name is not shown on it (PRODUCT §2).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from registry.core.db import contains
from registry.core.holds import open_holds
from registry.core.identifiers import (
    HUNAN_CITIES,
    InvalidIdentifier,
    SubjectKind,
    looks_like_identifier,
    parse_identifier,
)
from registry.core.pagination import paginate
from registry.disclosures import public as disclosure_public
from registry.disclosures import queries as disclosure_queries
from registry.disclosures.models import Disclosure
from registry.evaluations.models import CreditEvaluation, EvaluationField
from registry.evaluations.public import publicly_shown_evaluation
from registry.extensions import db
from registry.listing.models import ListEntry, ListKind
from registry.listing.public import RECORD_TYPE as ENTRY_RECORD_TYPE
from registry.listing.public import publicly_shown
from registry.subjects.models import Subject

BATCH = 500  # ids per IN (...) query


def chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def public_entry_condition(today: date):
    """SQL: the public may see the list entry today (the listing package's one definition)."""
    return publicly_shown(today)


def public_subject_condition(today: date, starts: disclosure_queries.PeriodStarts | None = None, *,
                             per_subject: bool = False):
    """SQL on ``Subject``: it has at least one public record (used to filter the name search).

    ``per_subject``: each test is one indexed look-up for the subject at hand (PostgreSQL: see
    ``_searchable_condition``).
    """
    tests = [
        sa.select(ListEntry.id).where(ListEntry.subject_id == Subject.id, public_entry_condition(today)),
        sa.select(Disclosure.id).where(Disclosure.subject_id == Subject.id,
                                       disclosure_public.publicly_visible(today, starts)),
        sa.select(CreditEvaluation.id).where(CreditEvaluation.subject_id == Subject.id,
                                             publicly_shown_evaluation()),
    ]
    return sa.or_(*((test.offset(0) if per_subject else test).exists() for test in tests))


def searchable_condition(today: date):
    """SQL on ``Subject``: the public name search may find it (a person only with public records,
    since a person's name is public only on them)."""
    dialect = db.session.get_bind().dialect.name
    return _searchable_condition(today, disclosure_queries.period_starts(today), dialect == "postgresql")


@functools.lru_cache(maxsize=8)
def _searchable_condition(today: date, starts: disclosure_queries.PeriodStarts, per_subject: bool):
    # Built once per day and setting values, not per search: the expression takes longer to
    # build than the indexed search it filters (0.5 ms of a 3 ms page).  SQL expressions are
    # immutable, so one object serves every request and thread.
    # PostgreSQL turns an EXISTS it expects to run often into one hash of every public record
    # (a scan of 200,000 disclosures: 60–150 ms of a search page), though the search asks it of a
    # few dozen subjects; OFFSET 0 keeps each EXISTS a look-up of the one subject.
    return sa.or_(Subject.kind != SubjectKind.PERSON, public_subject_condition(today, starts, per_subject=per_subject))


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
    keyword: str | None = None  # part of the subject's name or the decision number, or an identifier


def _keyword_condition(text: str):
    """SQL on ``ListEntry``: the keyword is part of the subject's name or of the decision number,
    or it is the subject's identifier (any spacing or case)."""
    try:
        values = [reading.value for reading in parse_identifier(text)]
    except InvalidIdentifier:
        values = []
    subjects = sa.select(Subject.id).where(
        sa.or_(contains(Subject.name, text), Subject.identifier.in_(values or [""]))
    )
    return sa.or_(ListEntry.subject_id.in_(subjects), contains(ListEntry.decision_number, text))


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
    if filters.keyword:
        statement = statement.where(_keyword_condition(filters.keyword))
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
    for chunk in chunks(ids):
        result.update(open_holds(ENTRY_RECORD_TYPE, chunk))
    return result


# ---------------------------------------------------------------------------------------------
# The public credit evaluation results (seed tasks 6 and 14: "publish the results"): published
# results by scheme and year, searchable by a subject's name or code.

MAX_EVALUATION_QUERY = 100  # characters of the public results search


@dataclass(frozen=True)
class EvaluationFilter:
    field: EvaluationField | None = None
    year: int | None = None
    query: str = ""


def _evaluation_matching(query: str):
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


def evaluation_results(filters: EvaluationFilter) -> sa.Select:
    """SQL: the published results matching ``filters``, newest year first, best score first."""
    statement = (sa.select(CreditEvaluation).join(Subject, Subject.id == CreditEvaluation.subject_id)
                 .where(publicly_shown_evaluation())
                 .options(contains_eager(CreditEvaluation.subject)))
    if filters.field is not None:
        statement = statement.where(CreditEvaluation.field == filters.field)
    if filters.year is not None:
        statement = statement.where(CreditEvaluation.year == filters.year)
    if filters.query:
        statement = statement.where(_evaluation_matching(filters.query))
    return statement.order_by(CreditEvaluation.year.desc(), CreditEvaluation.field, CreditEvaluation.score.desc(),
                              CreditEvaluation.id)


def published_evaluation_years() -> list[int]:
    return list(db.session.scalars(
        sa.select(CreditEvaluation.year).where(publicly_shown_evaluation())
        .distinct().order_by(CreditEvaluation.year.desc())))


def iter_evaluation_results(filters: EvaluationFilter, batch: int = 500) -> Iterator[list[CreditEvaluation]]:
    """Every matching result, in the page's order, in batches (for the CSV download)."""
    ids = list(db.session.scalars(evaluation_results(filters).with_only_columns(CreditEvaluation.id)))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        rows = {e.id: e for e in db.session.scalars(
            sa.select(CreditEvaluation).where(CreditEvaluation.id.in_(chunk)))}
        yield [rows[i] for i in chunk]
