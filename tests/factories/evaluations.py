"""Factories for credit evaluations, commitments, the catalogue and the ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from registry.core import clock
from registry.evaluations.models import CreditEvaluation, EvaluationField, EvaluationStatus


class EvaluationFactories:
    db: object

    def evaluation(self, *, subject=None, status: str | EvaluationStatus = EvaluationStatus.DRAFT,
                   unit: str = "JJC", field: str | EvaluationField = EvaluationField.HIGHWAY, year: int = 2024,
                   grade: str = "A", score: str = "88.5", published_on: date | None = None,
                   **fields) -> CreditEvaluation:
        status = EvaluationStatus(status)
        clerk = fields.pop("created_by", None) or self.user("clerk", unit=unit)
        values = {
            "subject_id": (subject or self.subject()).id, "unit_id": clerk.unit_id, "created_by_id": clerk.id,
            "field": EvaluationField(field), "year": year, "grade": grade, "score": Decimal(score),
            "evaluating_unit": fields.pop("evaluating_unit", "湖南省交通运输厅"),
            "published_on": published_on or date(year + 1, 3, 31), "status": status, "created_at": clock.utcnow(),
        }
        if status is not EvaluationStatus.DRAFT:
            values.update(submitted_by_id=clerk.id, submitted_at=clock.utcnow())
        if status is EvaluationStatus.PUBLISHED:
            reviewer = fields.pop("reviewed_by", None) or self.user("reviewer", unit=unit)
            values.update(reviewed_by_id=reviewer.id, reviewed_at=clock.utcnow())
        values.update(fields)
        evaluation = CreditEvaluation(**values)
        self.db.session.add(evaluation)
        self.db.session.flush()
        return evaluation


class LedgerFactories:
    db: object

    def ledger_task(self, *, year: int = 2026, number: int | None = None, units=("CS",), deadline=None,
                    first_month: int = 1, **fields):
        import sqlalchemy as sa

        from registry.ledger.models import LedgerAssignment, LedgerTask

        if number is None:
            number = (self.db.session.scalar(sa.select(sa.func.max(LedgerTask.number))
                                             .where(LedgerTask.year == year)) or 0) + 1
        task = LedgerTask(year=year, number=number, goal=fields.pop("goal", "一、测试目标"),
                          title=fields.pop("title", "测试任务"), deadline=deadline,
                          deadline_text=deadline.isoformat() if deadline else "常态化推进", first_month=first_month,
                          last_month=deadline.month if deadline else 12, **fields)
        task.assignments = [LedgerAssignment(unit_id=self.unit(code).id) for code in units]
        self.db.session.add(task)
        self.db.session.flush()
        return task
