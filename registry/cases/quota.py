"""The monthly case quota (PRODUCT §5, seed task 18): each unit that carries the duty (the units the
ledger's task assigns, ``ledger.duties``) records at least N verified cases a month.

``monthly_quota`` is what the scheduled check and the compliance dashboard call.  A case counts
for the month of its case date (a calendar date in Asia/Shanghai), once it is published, unless
the list entry it rests on was withdrawn or removed as wrong (``models.counted``).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Unit
from registry.cases.models import Case, counted
from registry.core import clock
from registry.core.errors import ValidationFailed
from registry.core.settings import get_setting
from registry.extensions import db
from registry.ledger.duties import Duty, units_carrying


class QuotaRow(NamedTuple):
    unit: Unit
    published_count: int
    met: bool | None  # None: the unit does not carry the quota (``ledger.duties``)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First day of the month and first day of the next; a bad month is refused with a message."""
    try:
        year, month = int(year), int(month)
        start = date(year, month, 1)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _l("Enter a month as YYYY-MM (the month must be 01 to 12)."), field="month"
        ) from None
    return start, clock.month_bounds(year, month)[1]


def parse_month(text: str | None) -> tuple[int, int]:
    """``"2026-05"`` → ``(2026, 5)``; anything else (``2026-13``, ``May``) is refused."""
    value = (text or "").strip()
    parts = value.split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2 or not all(p.isdigit() for p in parts):
        raise ValidationFailed(_l("Enter a month as YYYY-MM (the month must be 01 to 12)."), field="month")
    year, month = int(parts[0]), int(parts[1])
    month_bounds(year, month)
    if year < 2000:
        raise ValidationFailed(_l("Enter a month as YYYY-MM (the month must be 01 to 12)."), field="month")
    return year, month


def published_in_month(year: int, month: int) -> sa.Select:
    """SQL: ``(unit_id, count)`` of published cases whose case date (the day the measure was
    applied) falls in the month: the one definition of a month's cases for the quota, the
    scheduled check, the compliance dashboard and the effectiveness list."""
    start, end = month_bounds(year, month)
    return (sa.select(Case.unit_id.label("unit_id"), sa.func.count(Case.id).label("cases"))
            .where(counted(), Case.case_date >= start, Case.case_date < end)
            .group_by(Case.unit_id))


def published_counts(start: date, end: date) -> dict[int, int]:
    """Published cases per unit with a case date in ``[start, end)``: one grouped query."""
    rows = db.session.execute(
        sa.select(Case.unit_id, sa.func.count(Case.id))
        .where(counted(), Case.case_date >= start, Case.case_date < end)
        .group_by(Case.unit_id)
    )
    return dict(rows.tuples().all())


def monthly_quota(year: int, month: int) -> list[QuotaRow]:
    """Every active unit (and any inactive one with cases) with its published cases of the month
    and whether it met the quota (setting ``case_quota_per_month``; None for a unit without the
    duty), in the units' order."""
    start, end = month_bounds(year, month)
    counts = published_counts(start, end)
    quota = get_setting("case_quota_per_month")
    carrying = units_carrying(Duty.CASE_QUOTA, start)
    units = db.session.scalars(
        sa.select(Unit)
        .where(sa.or_(Unit.is_active, Unit.id.in_(list(counts) or [-1])))
        .order_by(Unit.sort_order, Unit.id)
    ).all()
    return [QuotaRow(unit, counts.get(unit.id, 0),
                     counts.get(unit.id, 0) >= quota if unit.id in carrying else None) for unit in units]
