"""Factories for supervision: inspection items and plans (through the operations)."""

from __future__ import annotations

import itertools
from datetime import date

from registry.supervision import items as item_ops
from registry.supervision import plans as plan_ops

_numbers = itertools.count(1)


class SupervisionFactories:
    db: object

    def inspection_item(self, *, unit: str = "JJC", actor=None, **fields):
        values = {"name": f"道路运输经营者经营行为检查{next(_numbers)}", "legal_basis": "《道路运输条例》第六十条",
                  "party_kind": "道路运输经营者", "method": "现场检查", **fields}
        return item_ops.save_item(None, actor=actor or self.user("clerk", unit=unit), **values)

    def inspection_plan(self, *, unit: str = "JJC", actor=None, items=None, **fields):
        actor = actor or self.user("clerk", unit=unit)
        items = items or [self.inspection_item(unit=unit, actor=actor)]
        values = {"name": "2026年道路运输企业双随机抽查", "legal_basis": "国办发〔2019〕35号；国发〔2019〕5号",
                  "period_start": date(2026, 7, 1), "period_end": date(2026, 9, 30), "population_kind": "list",
                  "identifiers": None, "ratios": {"A": 3, "B": 5, "C": 20, "D": 100},
                  "minimums": {"A": 0, "B": 0, "C": 0, "D": 0}, "key_ratio": 50, "inspectors_per_inspection": 2,
                  "exclude_months": 12, "item_ids": [item.id for item in items], **fields}
        return plan_ops.create_plan(actor=actor, **values)

    def enforcement_officers(self, unit: str = "JJC", count: int = 3):
        """``count`` clerks of the unit marked as law-enforcement officers (certificates 43xxxx)."""
        from registry.supervision.inspectors import register_officer

        officers = []
        for _ in range(count):
            user = self.user("clerk", unit=unit)
            register_officer(user, actor=user, certificate_number=f"4300{next(_numbers):06d}")
            officers.append(user)
        return officers

    def approved_plan(self, *, officers: int = 3, **fields):
        if officers:
            self.enforcement_officers(unit=fields.get("unit", "JJC"), count=officers)
        plan = self.inspection_plan(**fields)
        clerk = self.db.session.get(type(plan.created_by), plan.created_by_id)
        plan_ops.submit_plan(plan, actor=clerk, expected_version=plan.version)
        plan_ops.approve_plan(plan, actor=self.user("reviewer", unit=plan.unit.code), expected_version=plan.version)
        return plan
