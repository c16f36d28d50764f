"""What other parts of the registry ask about disclosures, as SQL they can build on (what the public
sees of one is ``disclosures.public``).

- ``due_soon`` / ``overdue``: disclosures not yet published near or past their deadline (alerts).
- ``on_time_rate``: published within the deadline / due, per unit and month (compliance dashboard).

Disclosure periods (PRODUCT §4) are calendar months from the decision date (``core.periods``): a
general penalty is public through ``add_months(decision date, penalty_general_visible_months)``,
that corresponding day included as the period's last day (民法典 art. 202), and leaves the next
day; serious ones likewise with ``penalty_serious_visible_months``; minor ones never.  A licence is
public while valid: through its valid-to date, or indefinitely without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.sql import operators

from registry.core.periods import add_months, earliest_start
from registry.core.settings import get_setting
from registry.core.workdays import add_working_days
from registry.disclosures.models import (
    Disclosure,
    DisclosureKind,
    DisclosureStatus,
    Severity,
)
from registry.extensions import db

UNPUBLISHED = (DisclosureStatus.DRAFT, DisclosureStatus.PENDING_REVIEW)


def publication_deadline(decision_date: date, severity: Severity | None) -> date | None:
    """The last day to publish: the N-th working day after the decision (None: minor, never published)."""
    if severity is Severity.MINOR:
        return None
    return add_working_days(decision_date, get_setting("disclosure_deadline_working_days"))


def penalty_visible_months(severity: Severity) -> int | None:
    if severity is Severity.GENERAL:
        return get_setting("penalty_general_visible_months")
    if severity is Severity.SERIOUS:
        return get_setting("penalty_serious_visible_months")
    return None


def visible_until(disclosure: Disclosure) -> date | None:
    """The last day the disclosure may be public (None: a licence without end date, or never)."""
    if disclosure.kind is DisclosureKind.LICENCE:
        return disclosure.licence_valid_to
    months = penalty_visible_months(disclosure.severity)
    return None if months is None else add_months(disclosure.decision_date, months)


class PeriodStarts(NamedTuple):
    """The earliest decision dates of penalties still public on a day, from the settings."""

    general: date
    serious: date


def period_starts(today: date) -> PeriodStarts:
    return PeriodStarts(earliest_start(get_setting("penalty_general_visible_months"), today),
                        earliest_start(get_setting("penalty_serious_visible_months"), today))


def within_period(today: date, starts: PeriodStarts | None = None):
    """SQL: the disclosure's period (by kind and severity) includes ``today``.

    The set-based twin of ``visible_until(d) >= today``: the earliest decision date still public
    is computed once (``starts``, from the settings unless given), so the comparison in SQL is a
    plain date comparison.
    """
    general, serious = starts or period_starts(today)
    return sa.or_(
        sa.and_(
            Disclosure.kind == DisclosureKind.LICENCE,
            sa.or_(Disclosure.licence_valid_to.is_(None), Disclosure.licence_valid_to >= today),
        ),
        sa.and_(Disclosure.kind == DisclosureKind.PENALTY, Disclosure.severity == Severity.GENERAL,
                Disclosure.decision_date >= general),
        sa.and_(Disclosure.kind == DisclosureKind.PENALTY, Disclosure.severity == Severity.SERIOUS,
                Disclosure.decision_date >= serious),
    )


def _original():
    """SQL: the record is an original, not a correction (``corrects_id IS NULL``), written as
    ``+corrects_id IS NULL`` so that the planner reads a date index rather than the index on
    ``corrects_id``, which matches almost every row (SQLite chose it: 460 ms at 1,000,000 subjects)."""
    return sa.sql.expression.UnaryExpression(Disclosure.corrects_id, operator=operators.custom_op("+")).is_(None)


def awaiting_publication():
    return sa.and_(
        Disclosure.status.in_(UNPUBLISHED),
        Disclosure.publication_deadline.is_not(None),
        Disclosure.corrects_id.is_(None),
    )


def due_soon(today: date, lead: int) -> sa.Select:
    """Unpublished disclosures whose deadline falls from today to ``lead`` working days ahead."""
    horizon = add_working_days(today, lead)
    return sa.select(Disclosure).where(
        awaiting_publication(), Disclosure.publication_deadline >= today, Disclosure.publication_deadline <= horizon
    )


def overdue(today: date) -> sa.Select:
    """Unpublished disclosures whose deadline has passed."""
    return sa.select(Disclosure).where(awaiting_publication(), Disclosure.publication_deadline < today)


@dataclass(frozen=True)
class OnTimeRate:
    due: int
    on_time: int

    @property
    def late(self) -> int:
        return self.due - self.on_time

    @property
    def rate(self) -> float | None:
        """Share published on time, 0–1; None when nothing fell due."""
        return self.on_time / self.due if self.due else None


def on_time_rates(year: int, month: int) -> dict[int, OnTimeRate]:
    """Per unit, disclosures whose deadline falls in the month and how many were published by it
    (one query for every unit; units with nothing due are absent).

    Original records only (a correction does not count again); one not yet published counts as late.
    """
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    on_time = sa.and_(Disclosure.published_on.is_not(None),
                      Disclosure.published_on <= Disclosure.publication_deadline)
    rows = db.session.execute(
        sa.select(Disclosure.unit_id, sa.func.count(), sa.func.count(sa.case((on_time, 1)))).where(
            _original(),
            Disclosure.publication_deadline >= start,
            Disclosure.publication_deadline < end,
        ).group_by(Disclosure.unit_id)
    )
    return {unit_id: OnTimeRate(due=due, on_time=punctual) for unit_id, due, punctual in rows}


def on_time_rate(unit_id: int, year: int, month: int) -> OnTimeRate:
    """``on_time_rates`` for one unit."""
    return on_time_rates(year, month).get(unit_id, OnTimeRate(due=0, on_time=0))
