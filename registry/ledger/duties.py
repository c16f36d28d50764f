"""Who carries which duty the registry checks: the ledger's task assignments, the one source.

A task of the year's list may carry a *duty* the registry holds units to: seed task 18 (at least
one joint reward or punishment case a month) and seed task 12 (publish credit information at
least every two weeks).  The units assigned to that task carry the duty; nobody else does.  The
monthly case quota check, the biweekly publication check, the compliance dashboard, the
effectiveness list's quota sheet and the workbench all ask here.

The list in force on a day is the latest year's, up to the day's year, whose tasks carry the duty
(the 2019 list until the administrator enters or copies a later one).  The administrator edits
the assignments and the duty on the task's page; each change is audited (``ledger_task.update``).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.extensions import db
from registry.ledger.models import DUTY_LABELS, Duty, LedgerAssignment, LedgerTask

__all__ = ["DUTY_LABELS", "Duty", "duty_task", "duty_units", "units_carrying"]


def duty_year(duty: Duty, on: date):
    """SQL (scalar): the year of the list whose task carries ``duty`` on the day ``on``."""
    return (sa.select(sa.func.max(LedgerTask.year))
            .where(LedgerTask.duty == Duty(duty), LedgerTask.is_active.is_(True), LedgerTask.year <= on.year)
            .scalar_subquery())


def duty_units(duty: Duty, on: date) -> sa.Select:
    """SQL: the ids of the units that carry ``duty`` on ``on`` (the task's responsible units)."""
    return (sa.select(LedgerAssignment.unit_id).join(LedgerTask, LedgerTask.id == LedgerAssignment.task_id)
            .where(LedgerTask.duty == Duty(duty), LedgerTask.is_active.is_(True),
                   LedgerTask.year == duty_year(duty, on)))


def units_carrying(duty: Duty, on: date) -> set[int]:
    """The ids of the units that carry ``duty`` on ``on``."""
    return set(db.session.scalars(duty_units(duty, on)))


def duty_task(duty: Duty, on: date):
    """The task that assigns ``duty`` on ``on`` (for a link to it), or None."""
    return db.session.scalar(sa.select(LedgerTask).where(
        LedgerTask.duty == Duty(duty), LedgerTask.is_active.is_(True), LedgerTask.year == duty_year(duty, on)))
