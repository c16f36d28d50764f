"""Coverage of credit information (seed task 10: ≥80% of market subjects), per unit and field.

Definitions (documented here because the source only gives the target):

- A *credit record* is any publication in the public change feed (``ChangeEvent`` with change
  ``published``): a list entry entering publicity, a disclosure, a case, an evaluation result.
  A subject is *covered* at the end of a month when at least one such publication about it
  happened by then (whoever published it).
- *Known market subjects* are organisations and persons (not vehicles) registered by the end of
  the month, and:
  * for a city bureau (field ``all``): those whose identifier places them in the bureau's city
    (``Subject.region_code`` starts with the unit's ``city_code``);
  * for a division with a field (基建处/计划处 公路建设, 港航处 水运工程, 运输处 道路运输, 安全处
    安全生产): those the field knows of: an evaluation in that field (in any state), a
    commitment recorded by the division, or any feed event of the division.
- Share = covered / known; it meets the target when share ≥ ``coverage_target_percent`` (80).
  With no known subject the share is None (nothing to measure), shown as "—".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Unit, UnitKind
from registry.commitments.models import CreditCommitment
from registry.core.changes import BECAME_PUBLIC, ChangeEvent
from registry.core.clock import LOCAL_TZ
from registry.core.identifiers import SubjectKind
from registry.core.settings import SettingSpec, get_setting, register_setting
from registry.evaluations.models import CreditEvaluation, EvaluationField
from registry.extensions import db
from registry.subjects.models import Subject

ALL_FIELDS = "all"
DIVISION_FIELDS: dict[str, EvaluationField] = {
    "JJC": EvaluationField.HIGHWAY, "JHC": EvaluationField.HIGHWAY, "GHC": EvaluationField.WATERWAY,
    "YSC": EvaluationField.ROAD_TRANSPORT, "AQC": EvaluationField.WORK_SAFETY,
}
MARKET_KINDS = (SubjectKind.ORGANISATION, SubjectKind.PERSON)

register_setting(SettingSpec(
    "coverage_target_percent", 80, _l("Coverage target: share of known market subjects with a credit record (%)"),
    1, 100))


@dataclass(frozen=True)
class CoverageRow:
    unit_id: int
    unit_code: str
    unit_name: str
    field: str  # an EvaluationField value, or "all" for a city bureau
    known: int
    covered: int
    share: Decimal | None  # percent, one decimal
    target: int
    meets_target: bool | None


def _month_end(year: int, month: int) -> datetime:
    """The first instant after the month (Asia/Shanghai), as an aware datetime."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    return datetime.combine(last + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)


def _covered_condition(end: datetime):
    return sa.exists().where(ChangeEvent.subject_id == Subject.id, ChangeEvent.change.in_(BECAME_PUBLIC),
                             ChangeEvent.occurred_at < end)


def _count(scope, end: datetime) -> tuple[int, int]:
    """(known, covered) for subjects matching ``scope`` registered before ``end``."""
    covered = sa.case((_covered_condition(end), 1), else_=0)
    known, hit = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(covered), 0))
        .select_from(Subject)
        .where(Subject.kind.in_(MARKET_KINDS), Subject.created_at < end, scope)
    ).one()
    return int(known), int(hit)


def _field_scope(unit: Unit, field: EvaluationField, end: datetime):
    return sa.or_(
        sa.exists().where(CreditEvaluation.subject_id == Subject.id, CreditEvaluation.field == field,
                          CreditEvaluation.created_at < end),
        sa.exists().where(CreditCommitment.subject_id == Subject.id, CreditCommitment.unit_id == unit.id,
                          CreditCommitment.created_at < end),
        sa.exists().where(ChangeEvent.subject_id == Subject.id, ChangeEvent.unit_id == unit.id,
                          ChangeEvent.occurred_at < end),
    )


def coverage(year: int, month: int) -> list[CoverageRow]:
    """Coverage per unit and field at the end of ``month`` (for the compliance dashboard)."""
    if not 1 <= month <= 12:
        raise ValueError("month must be 1..12")
    end = _month_end(year, month)
    target = get_setting("coverage_target_percent")
    rows = []
    units = db.session.scalars(sa.select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.sort_order))
    for unit in units:
        if unit.kind is UnitKind.CITY and unit.city_code:
            scope, field = Subject.region_code.startswith(unit.city_code, autoescape=True), ALL_FIELDS
        elif unit.code in DIVISION_FIELDS:
            field = DIVISION_FIELDS[unit.code]
            scope = _field_scope(unit, field, end)
            field = field.value
        else:
            continue
        known, covered = _count(scope, end)
        share = (Decimal(covered * 100) / known).quantize(Decimal("0.1"), ROUND_HALF_UP) if known else None
        rows.append(CoverageRow(unit.id, unit.code, unit.name, field, known, covered, share, target,
                                None if share is None else share >= target))
    return rows
